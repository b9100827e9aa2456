package merge

import (
	"encoding/json"
	"reflect"
	"testing"

	"aisync/backend/unified"
)

// srv builds a server from a base one, changed by edit; tests read as "base, plus this".
func srv(edit func(*unified.Server)) *unified.Server {
	s := unified.Server{
		Transport: unified.TransportStdio,
		Command:   "npx",
		Args:      []string{"-y", "@modelcontextprotocol/server-github"},
		Env:       map[string]string{"GITHUB_TOKEN": "${secret:gh}", "LOG": "info"},
		Tools:     unified.Tools{Allow: []string{"create_issue", "list_issues"}, Deny: []string{"delete_repo"}},
		Extras: map[string]map[string]json.RawMessage{
			"claude": {"type": json.RawMessage(`"stdio"`)},
		},
	}
	if edit != nil {
		edit(&s)
	}
	return &s
}

func TestServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		base, a, b    *unified.Server
		want          *unified.Server
		wantConflicts []string
	}{
		{
			name: "all absent",
		},
		{
			name: "unchanged",
			base: srv(nil), a: srv(nil), b: srv(nil),
			want: srv(nil),
		},
		{
			name: "one-sided edit on a",
			base: srv(nil), a: srv(func(s *unified.Server) { s.Command = "node" }), b: srv(nil),
			want: srv(func(s *unified.Server) { s.Command = "node" }),
		},
		{
			name: "one-sided edit on b",
			base: srv(nil), a: srv(nil), b: srv(func(s *unified.Server) { s.Cwd = "/srv" }),
			want: srv(func(s *unified.Server) { s.Cwd = "/srv" }),
		},
		{
			name: "edits of different fields on both sides",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { s.Command = "node"; s.ToolTimeoutMs = 30000 }),
			b:    srv(func(s *unified.Server) { s.Disabled = true; s.StartupTimeoutMs = 5000 }),
			want: srv(func(s *unified.Server) {
				s.Command = "node"
				s.ToolTimeoutMs = 30000
				s.Disabled = true
				s.StartupTimeoutMs = 5000
			}),
		},
		{
			name: "identical edits",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { s.Command = "node" }),
			b:    srv(func(s *unified.Server) { s.Command = "node" }),
			want: srv(func(s *unified.Server) { s.Command = "node" }),
		},
		{
			name:          "conflicting edits keep a and name the field",
			base:          srv(nil),
			a:             srv(func(s *unified.Server) { s.Command = "node" }),
			b:             srv(func(s *unified.Server) { s.Command = "bunx" }),
			want:          srv(func(s *unified.Server) { s.Command = "node" }),
			wantConflicts: []string{"command"},
		},
		{
			name: "conflicts are listed in field order",
			base: srv(nil),
			a: srv(func(s *unified.Server) {
				s.Transport, s.URL, s.Env["LOG"] = unified.TransportHTTP, "https://a.example", "debug"
			}),
			b: srv(func(s *unified.Server) {
				s.Transport, s.URL, s.Env["LOG"] = unified.TransportSSE, "https://b.example", "warn"
			}),
			want: srv(func(s *unified.Server) {
				s.Transport, s.URL, s.Env["LOG"] = unified.TransportHTTP, "https://a.example", "debug"
			}),
			wantConflicts: []string{"transport", "env.LOG", "url"},
		},
		{
			name: "env merges per key",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { s.Env["X"] = "1" }),
			b:    srv(func(s *unified.Server) { s.Env["LOG"] = "debug" }),
			want: srv(func(s *unified.Server) { s.Env["X"] = "1"; s.Env["LOG"] = "debug" }),
		},
		{
			name: "env key removed on one side, another changed on the other",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { delete(s.Env, "LOG") }),
			b:    srv(func(s *unified.Server) { s.Env["GITHUB_TOKEN"] = "${env:GH}" }),
			want: srv(func(s *unified.Server) { s.Env = map[string]string{"GITHUB_TOKEN": "${env:GH}"} }),
		},
		{
			name:          "env key removed on one side and changed on the other",
			base:          srv(nil),
			a:             srv(func(s *unified.Server) { delete(s.Env, "LOG") }),
			b:             srv(func(s *unified.Server) { s.Env["LOG"] = "debug" }),
			want:          srv(func(s *unified.Server) { delete(s.Env, "LOG") }),
			wantConflicts: []string{"env.LOG"},
		},
		{
			name:          "env key added differently on both sides",
			base:          srv(nil),
			a:             srv(func(s *unified.Server) { s.Env["NEW"] = "a" }),
			b:             srv(func(s *unified.Server) { s.Env["NEW"] = "b" }),
			want:          srv(func(s *unified.Server) { s.Env["NEW"] = "a" }),
			wantConflicts: []string{"env.NEW"},
		},
		{
			name: "an empty env value is a value, not an absence",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { s.Env["LOG"] = "" }),
			b:    srv(nil),
			want: srv(func(s *unified.Server) { s.Env["LOG"] = "" }),
		},
		{
			name: "headers merge per key",
			base: srv(func(s *unified.Server) { s.Headers = map[string]string{"X-A": "1"} }),
			a:    srv(func(s *unified.Server) { s.Headers = map[string]string{"X-A": "2"} }),
			b: srv(func(s *unified.Server) {
				s.Headers = map[string]string{"X-A": "1", "Authorization": "Bearer ${secret:t}"}
			}),
			want: srv(func(s *unified.Server) {
				s.Headers = map[string]string{"X-A": "2", "Authorization": "Bearer ${secret:t}"}
			}),
		},
		{
			name:          "args are one field",
			base:          srv(nil),
			a:             srv(func(s *unified.Server) { s.Args = append(s.Args, "--verbose") }),
			b:             srv(func(s *unified.Server) { s.Args[0] = "--yes" }),
			want:          srv(func(s *unified.Server) { s.Args = append(s.Args, "--verbose") }),
			wantConflicts: []string{"args"},
		},
		{
			name: "args changed on one side",
			base: srv(nil),
			a:    srv(nil),
			b:    srv(func(s *unified.Server) { s.Args = nil }),
			want: srv(func(s *unified.Server) { s.Args = nil }),
		},
		{
			name: "tools merge as sets",
			base: srv(nil),
			a: srv(func(s *unified.Server) {
				s.Tools.Allow = []string{"list_issues", "search"} // -create_issue +search
				s.Tools.Deny = nil                                // -delete_repo
			}),
			b: srv(func(s *unified.Server) {
				s.Tools.Allow = []string{"create_issue", "list_issues", "get_file"} // +get_file
				s.Tools.Deny = []string{"delete_repo", "push"}                      // +push
			}),
			want: srv(func(s *unified.Server) {
				s.Tools.Allow = []string{"get_file", "list_issues", "search"}
				s.Tools.Deny = []string{"push"}
			}),
		},
		{
			name: "tools removed on one side and kept on the other are removed",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { s.Tools.Allow = []string{"list_issues"} }),
			b:    srv(func(s *unified.Server) { s.Tools.Allow = []string{"list_issues", "create_issue"} }),
			want: srv(func(s *unified.Server) { s.Tools.Allow = []string{"list_issues"} }),
		},
		{
			name: "extras merge per client and field",
			base: srv(nil),
			a:    srv(func(s *unified.Server) { s.Extras["claude"]["type"] = json.RawMessage(`"http"`) }),
			b: srv(func(s *unified.Server) {
				s.Extras["cursor"] = map[string]json.RawMessage{"autoApprove": json.RawMessage(`["x"]`)}
			}),
			want: srv(func(s *unified.Server) {
				s.Extras["claude"]["type"] = json.RawMessage(`"http"`)
				s.Extras["cursor"] = map[string]json.RawMessage{"autoApprove": json.RawMessage(`["x"]`)}
			}),
		},
		{
			name:          "extras conflict on the same client field",
			base:          srv(nil),
			a:             srv(func(s *unified.Server) { s.Extras["claude"]["type"] = json.RawMessage(`"http"`) }),
			b:             srv(func(s *unified.Server) { s.Extras["claude"]["type"] = json.RawMessage(`"sse"`) }),
			want:          srv(func(s *unified.Server) { s.Extras["claude"]["type"] = json.RawMessage(`"http"`) }),
			wantConflicts: []string{"extras.claude.type"},
		},
		{
			name: "extras re-indented or with keys reordered are unchanged",
			base: srv(func(s *unified.Server) {
				s.Extras["zed"] = map[string]json.RawMessage{"settings": json.RawMessage(`{"a":1,"b":[1,2]}`)}
			}),
			a: srv(func(s *unified.Server) {
				s.Extras["zed"] = map[string]json.RawMessage{"settings": json.RawMessage(`{ "b": [1, 2], "a": 1 }`)}
			}),
			b: srv(func(s *unified.Server) {
				s.Extras["zed"] = map[string]json.RawMessage{"settings": json.RawMessage(`{"a":2,"b":[1,2]}`)}
			}),
			want: srv(func(s *unified.Server) {
				s.Extras["zed"] = map[string]json.RawMessage{"settings": json.RawMessage(`{"a":2,"b":[1,2]}`)}
			}),
		},
		{
			name: "empty transport is stdio, not a change",
			base: srv(func(s *unified.Server) { s.Transport = "" }),
			a:    srv(nil),
			b: srv(func(s *unified.Server) {
				s.Transport = unified.TransportHTTP
				s.URL = "https://x"
				s.Command = ""
				s.Args = nil
			}),
			want: srv(func(s *unified.Server) {
				s.Transport = unified.TransportHTTP
				s.URL = "https://x"
				s.Command = ""
				s.Args = nil
			}),
		},
		{
			name: "deleted on a, unchanged on b",
			base: srv(nil), a: nil, b: srv(nil),
			want: nil,
		},
		{
			name: "deleted on b, unchanged on a (in another representation)",
			base: srv(nil), a: srv(func(s *unified.Server) { s.Tools.Allow = []string{"list_issues", "create_issue", "list_issues"} }), b: nil,
			want: nil,
		},
		{
			name: "deleted on both sides",
			base: srv(nil),
		},
		{
			name: "deleted on a, modified on b",
			base: srv(nil), a: nil, b: srv(func(s *unified.Server) { s.Cwd = "/x" }),
			want:          srv(func(s *unified.Server) { s.Cwd = "/x" }),
			wantConflicts: []string{ConflictDeleted},
		},
		{
			name: "modified on a, deleted on b",
			base: srv(nil), a: srv(func(s *unified.Server) { s.Env["X"] = "1" }), b: nil,
			want:          srv(func(s *unified.Server) { s.Env["X"] = "1" }),
			wantConflicts: []string{ConflictDeleted},
		},
		{
			name: "added on a only",
			a:    srv(nil),
			want: srv(nil),
		},
		{
			name: "added on b only",
			b:    srv(func(s *unified.Server) { s.Cwd = "/b" }),
			want: srv(func(s *unified.Server) { s.Cwd = "/b" }),
		},
		{
			name: "added on both sides, the same",
			a:    srv(nil), b: srv(nil),
			want: srv(nil),
		},
		{
			name: "added on both sides, differently",
			a:    srv(func(s *unified.Server) { s.Command = "node"; s.Env["ONLY_A"] = "1" }),
			b:    srv(func(s *unified.Server) { s.Env["LOG"] = "debug"; s.Cwd = "/b"; s.Tools.Deny = []string{"push"} }),
			want: srv(func(s *unified.Server) {
				s.Command = "node"
				s.Env["ONLY_A"] = "1"
				s.Cwd = "/b"
				s.Tools.Deny = []string{"delete_repo", "push"}
			}),
			wantConflicts: []string{"command", "env.LOG"},
		},
		{
			name: "added on both sides with different transports",
			a:    &unified.Server{Command: "x"},
			b:    &unified.Server{URL: "https://x"},
			want: &unified.Server{Transport: unified.TransportStdio, Command: "x", URL: "https://x"},
			// The transports differ; command and url were each set on one side only.
			wantConflicts: []string{"transport"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, conflicts := Server(tt.base, tt.a, tt.b)
			if !reflect.DeepEqual(conflicts, tt.wantConflicts) {
				t.Errorf("conflicts = %q, want %q", conflicts, tt.wantConflicts)
			}
			if want := normalized(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("merged =\n%s\nwant\n%s", jsonOf(t, got), jsonOf(t, want))
			}
		})
	}
}

func TestServerLeavesInputsAlone(t *testing.T) {
	t.Parallel()
	base := srv(nil)
	a := srv(func(s *unified.Server) { s.Tools.Allow = []string{"z", "a"}; s.Env["X"] = "1" })
	b := srv(func(s *unified.Server) { s.Args = []string{"b"} })
	before := jsonOf(t, []*unified.Server{base, a, b})
	merged, _ := Server(base, a, b)
	merged.Env["Y"] = "mutated"
	merged.Args[0] = "mutated"
	merged.Extras["claude"]["type"][0] = '!'
	if after := jsonOf(t, []*unified.Server{base, a, b}); after != before {
		t.Fatalf("inputs changed:\n%s\nwas\n%s", after, before)
	}
	one, _ := Server(nil, a, nil)
	one.Env["X"] = "mutated"
	if a.Env["X"] != "1" {
		t.Fatal("result of a one-sided add aliases the input")
	}
}

func rule(edit func(*unified.Rule)) *unified.Rule {
	r := unified.Rule{
		Name:        "style",
		Description: "House style",
		Activation:  unified.ActivationGlob,
		Globs:       []string{"**/*.go"},
		Body:        "# Style\n\nUse gofmt.\nWrap errors with %w.\nNo util packages.\n",
	}
	if edit != nil {
		edit(&r)
	}
	return &r
}

func TestRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		base, a, b    *unified.Rule
		want          *unified.Rule
		wantConflicts []string
	}{
		{name: "all absent"},
		{
			name: "one-sided description edit",
			base: rule(nil), a: rule(func(r *unified.Rule) { r.Description = "Go style" }), b: rule(nil),
			want: rule(func(r *unified.Rule) { r.Description = "Go style" }),
		},
		{
			name: "activation on one side, globs on the other",
			base: rule(nil),
			a:    rule(func(r *unified.Rule) { r.Activation = unified.ActivationAgent }),
			b:    rule(func(r *unified.Rule) { r.Globs = []string{"**/*.go", "go.mod"} }),
			want: rule(func(r *unified.Rule) { r.Activation = unified.ActivationAgent; r.Globs = []string{"**/*.go", "go.mod"} }),
		},
		{
			name:          "globs are one field",
			base:          rule(nil),
			a:             rule(func(r *unified.Rule) { r.Globs = []string{"*.go"} }),
			b:             rule(func(r *unified.Rule) { r.Globs = []string{"**/*.go", "*.mod"} }),
			want:          rule(func(r *unified.Rule) { r.Globs = []string{"*.go"} }),
			wantConflicts: []string{"globs"},
		},
		{
			name: "body edits in different places merge",
			base: rule(nil),
			a:    rule(func(r *unified.Rule) { r.Body = "# Go style\n\nUse gofmt.\nWrap errors with %w.\nNo util packages.\n" }),
			b:    rule(func(r *unified.Rule) { r.Body = "# Style\n\nUse gofmt.\nWrap errors with %w.\nNo common packages.\n" }),
			want: rule(func(r *unified.Rule) {
				r.Body = "# Go style\n\nUse gofmt.\nWrap errors with %w.\nNo common packages.\n"
			}),
		},
		{
			name:          "body conflict keeps a's body",
			base:          rule(nil),
			a:             rule(func(r *unified.Rule) { r.Body = "# Style\n\nUse gofumpt.\nWrap errors with %w.\nNo util packages.\n" }),
			b:             rule(func(r *unified.Rule) { r.Body = "# Style\n\nUse goimports.\nWrap errors with %w.\nNo util packages.\n" }),
			want:          rule(func(r *unified.Rule) { r.Body = "# Style\n\nUse gofumpt.\nWrap errors with %w.\nNo util packages.\n" }),
			wantConflicts: []string{ConflictBody},
		},
		{
			name:          "field and body conflicts together",
			base:          rule(nil),
			a:             rule(func(r *unified.Rule) { r.Description = "A"; r.Body = "a\n" }),
			b:             rule(func(r *unified.Rule) { r.Description = "B"; r.Body = "b\n" }),
			want:          rule(func(r *unified.Rule) { r.Description = "A"; r.Body = "a\n" }),
			wantConflicts: []string{"description", ConflictBody},
		},
		{
			name: "empty activation means always",
			base: rule(func(r *unified.Rule) { r.Activation = "" }),
			a:    rule(func(r *unified.Rule) { r.Activation = unified.ActivationAlways }),
			b:    rule(func(r *unified.Rule) { r.Activation = unified.ActivationManual }),
			want: rule(func(r *unified.Rule) { r.Activation = unified.ActivationManual }),
		},
		{
			name: "deleted on a, unchanged on b",
			base: rule(nil), b: rule(nil),
		},
		{
			name: "deleted on b, body edited on a",
			base: rule(nil), a: rule(func(r *unified.Rule) { r.Body += "One more.\n" }),
			want:          rule(func(r *unified.Rule) { r.Body += "One more.\n" }),
			wantConflicts: []string{ConflictDeleted},
		},
		{
			name: "added on one side",
			b:    rule(nil),
			want: rule(nil),
		},
		{
			name:          "added on both sides with different bodies",
			a:             rule(func(r *unified.Rule) { r.Body = "from a\n" }),
			b:             rule(func(r *unified.Rule) { r.Body = "from b\n" }),
			want:          rule(func(r *unified.Rule) { r.Body = "from a\n" }),
			wantConflicts: []string{ConflictBody},
		},
		{
			name: "added on both sides, the same",
			a:    rule(nil), b: rule(nil),
			want: rule(nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, conflicts := Rule(tt.base, tt.a, tt.b)
			if !reflect.DeepEqual(conflicts, tt.wantConflicts) {
				t.Errorf("conflicts = %q, want %q", conflicts, tt.wantConflicts)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("merged =\n%s\nwant\n%s", jsonOf(t, got), jsonOf(t, tt.want))
			}
		})
	}
}

// normalized is what Server returns for an expected value: a normalized copy, nil for nil.
func normalized(s *unified.Server) *unified.Server {
	if s == nil {
		return nil
	}
	n := normalServer(*s)
	// Extras come back compacted; the test values already are.
	return &n
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func TestDiffLineJSONHasStringOp(t *testing.T) {
	b, err := json.Marshal(DiffLine{Op: '+', Text: "x", NewLine: 1})
	if err != nil || string(b) != `{"op":"+","text":"x","newLine":1}` {
		t.Fatalf("%s %v", b, err)
	}
}
