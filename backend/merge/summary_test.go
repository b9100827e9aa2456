package merge

import (
	"encoding/json"
	"reflect"
	"testing"

	"aisync/backend/unified"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*unified.Config)
		want []Change
	}{
		{name: "no change", edit: func(*unified.Config) {}},
		{
			name: "representation only",
			edit: func(c *unified.Config) {
				c.Permissions.Deny = []string{"shell:rm -rf", "shell:rm -rf"}
				r := c.Rules["tests"]
				r.Activation = ""
				c.Rules["tests"] = r
			},
		},
		{
			name: "servers added, removed and changed",
			edit: func(c *unified.Config) {
				delete(c.Servers, "docs")
				c.Servers["fs"] = unified.Server{Command: "mcp-fs"}
				s := c.Servers["github"]
				s.Env["LOG"] = "debug"
				s.Env["NEW"] = "1"
				s.Args = nil
				s.Disabled = true
				s.Tools.Deny = nil
				s.Extras["cursor"] = map[string]json.RawMessage{"x": json.RawMessage(`1`)}
				c.Servers["github"] = s
			},
			want: []Change{
				{Section: unified.SectionServers, Key: "docs", Op: OpRemoved},
				{Section: unified.SectionServers, Key: "fs", Op: OpAdded},
				{Section: unified.SectionServers, Key: "github", Op: OpChanged,
					Fields: []string{"args", "env.LOG", "env.NEW", "disabled", "extras.cursor.x", "tools.deny"}},
			},
		},
		{
			name: "rules",
			edit: func(c *unified.Config) {
				r := c.Rules["style"]
				r.Body += "More.\n"
				r.Activation = unified.ActivationAgent
				c.Rules["style"] = r
				delete(c.Rules, "tests")
			},
			want: []Change{
				{Section: unified.SectionRules, Key: "style", Op: OpChanged, Fields: []string{"activation", "body"}},
				{Section: unified.SectionRules, Key: "tests", Op: OpRemoved},
			},
		},
		{
			name: "permissions added, removed and moved; sections in order",
			edit: func(c *unified.Config) {
				c.Permissions = unified.Permissions{
					Ask:  []string{"mcp:github:*"},
					Deny: []string{"fetch:*"},
				}
				s := c.Servers["docs"]
				s.URL = "https://docs.example/v2"
				c.Servers["docs"] = s
			},
			want: []Change{
				{Section: unified.SectionServers, Key: "docs", Op: OpChanged, Fields: []string{"url"}},
				{Section: unified.SectionPermissions, Key: "fetch:*", Op: OpAdded, Fields: []string{"+deny"}},
				{Section: unified.SectionPermissions, Key: "mcp:github:*", Op: OpChanged, Fields: []string{"-allow", "+ask"}},
				{Section: unified.SectionPermissions, Key: "shell:rm -rf", Op: OpRemoved, Fields: []string{"-deny"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before, after := sampleConfig(), sampleConfig()
			tt.edit(&after)
			if got := Summarize(before, after); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Summarize =\n%s\nwant\n%s", jsonOf(t, got), jsonOf(t, tt.want))
			}
		})
	}
}

func TestLineDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want []DiffLine
	}{
		{name: "both empty"},
		{
			name: "replace in the middle",
			a:    "one\ntwo\nthree\n", b: "one\n2\nthree\n",
			want: []DiffLine{
				{Op: ' ', Text: "one", OldLine: 1, NewLine: 1},
				{Op: '-', Text: "two", OldLine: 2},
				{Op: '+', Text: "2", NewLine: 2},
				{Op: ' ', Text: "three", OldLine: 3, NewLine: 3},
			},
		},
		{
			name: "CRLF and a final newline added",
			a:    "x\r\ny", b: "x\r\ny\r\nz\r\n",
			want: []DiffLine{
				{Op: ' ', Text: "x", OldLine: 1, NewLine: 1},
				{Op: '-', Text: "y", OldLine: 2, NoNewline: true},
				{Op: '+', Text: "y", NewLine: 2},
				{Op: '+', Text: "z", NewLine: 3},
			},
		},
		{
			name: "all added",
			b:    "a\n",
			want: []DiffLine{{Op: '+', Text: "a", NewLine: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := LineDiff(tt.a, tt.b)
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LineDiff =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
