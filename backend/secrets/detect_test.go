package secrets

import (
	"regexp"
	"testing"
	"unicode"
)

// Fake credentials: shaped like the real ones (so the heuristics are exercised) but marked
// TEST/FAKE and without valid checksums.
const (
	fakeGitHub    = "ghp_TESTxK9mQ2vL7pR4nW8sY3tB6cF1dH5jZ0aE"
	fakeOpenAI    = "sk-proj-TEST4f8Kd92LmQ0zXw7RtY3uV6bN1cE5"
	fakeLinear    = "lin_api_FAKE7Hq2Lx9Vb4Nm8Rt3Ws6Yd1Kp5Jc0Ga"
	fakeBrave     = "BSAfake8Qm3Vx7Lp2Rw9Tn4Yc6Kb1Hd5"
	fakeRandom    = "aZ3kP9qLm2Xv7RtB5nWc8YdF"
	fakeAWSSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	fakeJWT       = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)

func TestNameStrength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want strength
	}{
		{"GITHUB_PERSONAL_ACCESS_TOKEN", nameWeak},
		{"OPENAI_API_KEY", nameWeak},
		{"API_KEY", nameWeak},
		{"apiKey", nameWeak},
		{"accessToken", nameWeak},
		{"brave-api-key", nameWeak},
		{"AUTH", nameWeak},
		{"AUTHORIZATION", nameWeak},
		{"GITHUB_PAT", nameWeak},
		{"PAT", nameWeak},
		{"CLIENT_SECRET", nameStrong},
		{"DB_PASSWORD", nameStrong},
		{"MYSQL_PASSWD", nameStrong},
		{"GOOGLE_APPLICATION_CREDENTIALS_JSON", nameStrong},
		{"password", nameStrong},
		{"LOG_LEVEL", nameNone},
		{"PWD", nameNone},
		{"AUTH_TYPE", nameNone},
		{"PASSWORD_FILE", nameNone},
		{"TOKEN_ENV_VAR", nameNone},
		{"AWS_ACCESS_KEY_ID", nameNone},
		{"KEYBOARD_LAYOUT", nameNone},
		{"", nameNone},
	}
	for _, tt := range tests {
		if got := nameStrength(tt.name); got != tt.want {
			t.Errorf("nameStrength(%q) = %d, want %d", tt.name, got, tt.want)
		}
	}
	for h, want := range map[string]strength{
		"Authorization": nameStrong, "authorization": nameStrong, "X-Api-Key": nameStrong,
		"Api-Key": nameStrong, "Cookie": nameStrong, "X-Auth-Token": nameStrong, "X-Custom-Token": nameStrong,
		"X-Client-Secret": nameStrong, "Accept": nameNone, "X-Trace-Id": nameNone, "Content-Type": nameNone,
	} {
		if got := headerStrength(h); got != want {
			t.Errorf("headerStrength(%q) = %d, want %d", h, got, want)
		}
	}
}

func TestHighEntropy(t *testing.T) {
	t.Parallel()
	yes := []string{fakeGitHub, fakeOpenAI, fakeLinear, fakeRandom, fakeAWSSecret, fakeJWT,
		"0123456789abcdef0123456789abcdef01234567", "AKIAIOSFODNN7EXAMPLE"}
	no := []string{
		"info", "debug", "true", "8080", "30000",
		"@modelcontextprotocol/server-github", "mcp-server-kubernetes-2024",
		"server-filesystem-v2.0.1-beta", "v20.11.1", "1.2.3-rc.1+build.5",
		"/home/me/projects/secret-stuff", "C:\\Users\\me\\AppData", "./relative/path/file.json",
		"https://api.example.com/v1?x=1", "api.production-eu-west-1.example.com",
		"123e4567-e89b-12d3-a456-426614174000", "2024-01-15T10:30:00Z",
		"ghcr.io/github/github-mcp-server:latest", "--stdio-transport-mode-2",
		"MY_SERVER_CONFIG_2024", "hello world this is 20+ chars 123",
		"aZ3kP9qL", // too short
	}
	for _, s := range yes {
		if !highEntropy(s) {
			t.Errorf("highEntropy(%q) = false, want true (H=%.2f)", s, shannon(s))
		}
	}
	for _, s := range no {
		if highEntropy(s) {
			t.Errorf("highEntropy(%q) = true, want false (H=%.2f)", s, shannon(s))
		}
	}
}

func TestScanArgs(t *testing.T) {
	t.Parallel()
	type found struct{ field, secret string }
	tests := []struct {
		name string
		args []string
		want []found
	}{
		{"flag=value", []string{"--api-key=" + fakeBrave}, []found{{"args.api-key", fakeBrave}}},
		{"flag value", []string{"--token", fakeGitHub, "--verbose"}, []found{{"args.token", fakeGitHub}}},
		{"password flag short value", []string{"--password", "hunter2"}, []found{{"args.password", "hunter2"}}},
		{"docker -e", []string{"run", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN=" + fakeGitHub, "image:v1"},
			[]found{{"args.GITHUB_PERSONAL_ACCESS_TOKEN", fakeGitHub}}},
		{"header arg keeps Bearer", []string{"--header", "Authorization: Bearer " + fakeLinear},
			[]found{{"args.Authorization", fakeLinear}}},
		{"header flag=value", []string{"--header=X-Api-Key:" + fakeBrave}, []found{{"args.X-Api-Key", fakeBrave}}},
		{"url query and password", []string{"postgresql://app:s3cr3t-P4ss@db:5432/app?sslmode=require&api_key=" + fakeOpenAI},
			[]found{{"args.url.password", "s3cr3t-P4ss"}, {"args.url.api_key", fakeOpenAI}}},
		{"bare token after unknown flag", []string{"--workspace", fakeRandom}, []found{{"args.workspace", fakeRandom}}},
		{"bare token positional", []string{"serve", fakeRandom}, []found{{"args.1", fakeRandom}}},
		{"nothing", []string{"-y", "@modelcontextprotocol/server-filesystem", "/home/me", "--port", "8080", "--log-level=info"}, nil},
		{"token flag with path", []string{"--key", "/etc/ssl/key.pem"}, nil},
		{"token flag with env ref", []string{"--token", "${env:GITHUB_TOKEN}"}, nil},
		{"short weak value", []string{"--api-key=abc"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []found
			for i, spans := range scanArgs(tt.args) {
				for _, sp := range spans {
					got = append(got, found{sp.field, tt.args[i][sp.start:sp.end]})
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("found %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("found[%d] = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestNameParts(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"github", "github"},
		{"my-server_2.0", "my-server_2.0"},
		{"my server", "my_server-" + shortHash("my server")},
		{"1password", "s1password-" + shortHash("1password")},
		{"__x", "s__x-" + shortHash("__x")},
		{"", "x-" + shortHash("")},
	}
	for _, tt := range tests {
		got := serverPart(tt.in)
		if got != tt.want {
			t.Errorf("serverPart(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := ValidName(got + ".env.X"); err != nil {
			t.Errorf("serverPart(%q) gives an invalid name: %v", tt.in, err)
		}
	}
	if a, b := serverPart("my server"), serverPart("my_server"); a == b {
		t.Errorf("different servers share the name part %q", a)
	}
}

func TestValidName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"admin-password", "api-token", "github.env.GITHUB_TOKEN", "_x", "a"} {
		if err := ValidName(ok); err != nil {
			t.Errorf("ValidName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "__index__", "1abc", "-x", ".x", "a b", "a=b", "ünï", string(make([]byte, 201))} {
		if err := ValidName(bad); err == nil {
			t.Errorf("ValidName(%q) = nil, want an error", bad)
		}
	}
}

func TestScanValue(t *testing.T) {
	t.Parallel()
	pem := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
	tests := []struct {
		value  string
		st     strength
		secret string
	}{
		{pem, nameNone, pem},
		{"Bearer " + fakeLinear, nameStrong, fakeLinear},
		{"bearer\t" + fakeLinear, nameNone, fakeLinear},
		{"Basic dXNlcjpwYXNz", nameStrong, "dXNlcjpwYXNz"},
		{"Bearer ", nameStrong, ""},
		{"hunter2", nameStrong, "hunter2"},
		{"hunter2", nameWeak, ""},
		{"true", nameStrong, ""},
		{"/run/secrets/db", nameStrong, ""},
		{"https://h/x?access_token=" + fakeJWT, nameNone, fakeJWT},
	}
	for _, tt := range tests {
		got := ""
		if spans := scanValue(tt.value, 0, fixed("f"), tt.st); len(spans) == 1 {
			got = tt.value[spans[0].start:spans[0].end]
		}
		if got != tt.secret {
			t.Errorf("scanValue(%q, %d) found %q, want %q", tt.value, tt.st, got, tt.secret)
		}
	}
}

// The expressions the hand-written matchers in detect.go stand for.
var (
	urlRe       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*://`)
	schemeRe    = regexp.MustCompile(`^(?i:bearer|basic|token|bot)[ \t]+`)
	varOnlyRe   = regexp.MustCompile(`^(\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%)$`)
	envArgRe    = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)
	headerArgRe = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9\-]*[A-Za-z0-9]):[ \t]*`)
	flagNameRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.\-]*$`)
)

// matchersAgree checks every hand-written matcher against its expression on s.
func matchersAgree(t *testing.T, s string) {
	t.Helper()
	if got, want := isURL(s), urlRe.MatchString(s); got != want {
		t.Errorf("isURL(%q) = %v, the expression says %v", s, got, want)
	}
	want := -1
	if m := schemeRe.FindStringIndex(s); m != nil {
		want = m[1]
	}
	if got := schemeEnd(s); got != want {
		t.Errorf("schemeEnd(%q) = %d, the expression says %d", s, got, want)
	}
	if got, want := isVarOnly(s), varOnlyRe.MatchString(s); got != want {
		t.Errorf("isVarOnly(%q) = %v, the expression says %v", s, got, want)
	}
	want = -1
	if m := envArgRe.FindStringSubmatchIndex(s); m != nil {
		want = m[3]
		if m[1] != m[3]+1 {
			t.Fatalf("envArgRe on %q: the value does not start after the name's '='", s)
		}
	}
	if got := envArg(s); got != want {
		t.Errorf("envArg(%q) = %d, the expression says %d", s, got, want)
	}
	wantName, wantValue := -1, -1
	if m := headerArgRe.FindStringSubmatchIndex(s); m != nil {
		wantName, wantValue = m[3], m[1]
	}
	if n, v := headerArg(s); n != wantName || v != wantValue {
		t.Errorf("headerArg(%q) = %d, %d, the expression says %d, %d", s, n, v, wantName, wantValue)
	}
	if got, want := isFlagName(s), flagNameRe.MatchString(s); got != want {
		t.Errorf("isFlagName(%q) = %v, the expression says %v", s, got, want)
	}
}

// TestMatchersAgreeWithExpressions runs the matchers on every string of up to four pieces
// from an alphabet of the characters the expressions care about (plus a letter's other-case
// forms under Unicode folding and an invalid byte), and on the words they look for.
func TestMatchersAgreeWithExpressions(t *testing.T) {
	alphabet := []string{"a", "Z", "0", "_", "-", ".", "+", ":", "/", "://", "bot", "=", "$", "%", " ", "\t", "\u212a", "\u017f", "\xff"}
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		matchersAgree(t, prefix)
		if depth == 4 || t.Failed() {
			return
		}
		for _, a := range alphabet {
			walk(prefix+a, depth+1)
		}
	}
	walk("", 0)
	for _, s := range []string{
		"bearer x", "Bearer\t\tabc", "BASIC  ", "to\u212aen abc", "ba\u017fic x", "bot", "bot ", "BoT\tz",
		"bearerx", "token", "tokens abc", "x-api-key: abc", "Authorization:Bearer x", "a-: x", "ab:",
		"KEY=value", "_K=", "9K=v", "$HOME", "%APPDATA%", "%X", "$", "https://h", "git+ssh://h",
		"h://", "1h://", "--flag", "flag.name-x", "İ", "bearer\u00a0x",
	} {
		matchersAgree(t, s)
	}
}

// TestFoldedPrefixCoversTheFolding makes sure foldedPrefix knows every character that Unicode
// case folding, as regexp's (?i) uses it, takes for a letter of the scheme words.
func TestFoldedPrefixCoversTheFolding(t *testing.T) {
	for _, c := range "bearsicton" {
		for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
			if got := foldedPrefix(string(r), string(c)); got != len(string(r)) {
				t.Errorf("foldedPrefix(%q, %q) = %d, want %d", string(r), string(c), got, len(string(r)))
			}
		}
	}
}

// FuzzMatchers checks the matchers against their expressions on any input.
func FuzzMatchers(f *testing.F) {
	for _, s := range []string{"Bearer abc", "to\u212aen x", "X-Api-Key: v", "API_KEY=v", "%X%", "https://x", "--a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { matchersAgree(t, s) })
}
