package envref

import "testing"

func TestDecodeEncodePerSyntax(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		syn    Syntax
		client string
		unif   string
	}{
		{"claude", DollarBrace, "Bearer ${GITHUB_TOKEN}", "Bearer ${env:GITHUB_TOKEN}"},
		{"vscode", EnvColon, "${env:HOME}/x", "${env:HOME}/x"},
		{"opencode", BraceEnv, "Bearer {env:TOKEN}", "Bearer ${env:TOKEN}"},
		{"continue", ContinueSecrets, "Bearer ${{ secrets.TOKEN }}", "Bearer ${env:TOKEN}"},
		{"plain", DollarBrace, "no refs at all", "no refs at all"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := Decode(c.client, c.syn); got != c.unif {
				t.Fatalf("Decode = %q, want %q", got, c.unif)
			}
			got, ok, msg := Encode(c.unif, c.syn)
			if !ok || got != c.client {
				t.Fatalf("Encode = %q %v %q, want %q", got, ok, msg, c.client)
			}
		})
	}
}

func TestEncodeRefusesWhatTargetWouldTakeLiterally(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		syn  Syntax
	}{
		{"input-into-cursor", "Bearer ${input:gh-token}", EnvColon},
		{"input-into-claude", "${input:x}", DollarBrace},
		{"env-into-claude-desktop", "${env:TOKEN}", None},
		{"workspace-folder-into-claude", "${workspaceFolder}/tools", DollarBrace},
		{"default-into-cursor", "${DB:-postgres://x}", EnvColon},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if _, ok, msg := Encode(c.in, c.syn); ok || msg == "" {
				t.Fatalf("Encode(%q) ok=%v msg=%q, want refusal with a reason", c.in, ok, msg)
			}
		})
	}
}

func TestDecodeBareDollar(t *testing.T) {
	t.Parallel()
	if got := DecodeBare("$PGPASSWORD and ${X}"); got != "${env:PGPASSWORD} and ${env:X}" {
		t.Fatalf("got %q", got)
	}
}

func TestIsWholeRef(t *testing.T) {
	t.Parallel()
	if n, ok := IsWholeRef("${env:TOKEN}"); !ok || n != "TOKEN" {
		t.Fatal(n, ok)
	}
	if _, ok := IsWholeRef("Bearer ${env:TOKEN}"); ok {
		t.Fatal("partial reference accepted")
	}
}
