package merge

import (
	"reflect"
	"testing"

	"aisync/backend/unified"
)

func TestPermissions(t *testing.T) {
	t.Parallel()
	base := unified.Permissions{
		Allow: []string{"read:**", "shell:git status"},
		Ask:   []string{"write:**"},
		Deny:  []string{"shell:rm -rf"},
	}
	tests := []struct {
		name       string
		base, a, b unified.Permissions
		want       unified.Permissions
	}{
		{name: "all empty"},
		{name: "unchanged", base: base, a: base, b: base, want: base},
		{
			name: "additions from both sides",
			base: base,
			a:    unified.Permissions{Allow: []string{"read:**", "shell:git status", "mcp:github:*"}, Ask: base.Ask, Deny: base.Deny},
			b:    unified.Permissions{Allow: base.Allow, Ask: base.Ask, Deny: []string{"shell:rm -rf", "fetch:evil.example"}},
			want: unified.Permissions{
				Allow: []string{"mcp:github:*", "read:**", "shell:git status"},
				Ask:   []string{"write:**"},
				Deny:  []string{"fetch:evil.example", "shell:rm -rf"},
			},
		},
		{
			name: "a removal wins over an untouched side",
			base: base,
			a:    unified.Permissions{Allow: []string{"read:**"}, Ask: base.Ask, Deny: base.Deny},
			b:    base,
			want: unified.Permissions{Allow: []string{"read:**"}, Ask: base.Ask, Deny: base.Deny},
		},
		{
			name: "removal on one side, addition on the other",
			base: base,
			a:    unified.Permissions{Allow: base.Allow, Ask: nil, Deny: base.Deny},
			b:    unified.Permissions{Allow: base.Allow, Ask: []string{"write:**", "fetch:*"}, Deny: base.Deny},
			want: unified.Permissions{Allow: base.Allow, Ask: []string{"fetch:*"}, Deny: base.Deny},
		},
		{
			name: "a move on one side moves",
			base: base,
			a:    unified.Permissions{Allow: []string{"read:**", "shell:git status", "write:**"}, Deny: base.Deny},
			b:    base,
			want: unified.Permissions{Allow: []string{"read:**", "shell:git status", "write:**"}, Deny: base.Deny},
		},
		{
			name: "a move on one side and an edit elsewhere on the other",
			base: base,
			a:    unified.Permissions{Allow: []string{"read:**"}, Ask: base.Ask, Deny: []string{"shell:git status", "shell:rm -rf"}},
			b:    unified.Permissions{Allow: base.Allow, Ask: []string{"write:**", "tool:edit"}, Deny: base.Deny},
			want: unified.Permissions{
				Allow: []string{"read:**"},
				Ask:   []string{"tool:edit", "write:**"},
				Deny:  []string{"shell:git status", "shell:rm -rf"},
			},
		},
		{
			name: "moves to different lists: the most restrictive wins",
			base: base,
			a:    unified.Permissions{Allow: []string{"read:**"}, Ask: []string{"shell:git status", "write:**"}, Deny: base.Deny},
			b:    unified.Permissions{Allow: []string{"read:**"}, Ask: base.Ask, Deny: []string{"shell:git status", "shell:rm -rf"}},
			want: unified.Permissions{Allow: []string{"read:**"}, Ask: []string{"write:**"}, Deny: []string{"shell:git status", "shell:rm -rf"}},
		},
		{
			name: "added to different lists on each side: the most restrictive wins",
			a:    unified.Permissions{Allow: []string{"fetch:*"}},
			b:    unified.Permissions{Ask: []string{"fetch:*"}},
			want: unified.Permissions{Ask: []string{"fetch:*"}},
		},
		{
			name: "an entry already in two lists is left alone",
			base: unified.Permissions{Allow: []string{"x"}, Deny: []string{"x"}},
			a:    unified.Permissions{Allow: []string{"x"}, Deny: []string{"x"}},
			b:    unified.Permissions{Allow: []string{"x", "y"}, Deny: []string{"x"}},
			want: unified.Permissions{Allow: []string{"x", "y"}, Deny: []string{"x"}},
		},
		{
			name: "output is sorted and de-duplicated",
			a:    unified.Permissions{Allow: []string{"z", "a", "z"}},
			b:    unified.Permissions{Allow: []string{"m", "a"}},
			want: unified.Permissions{Allow: []string{"a", "m", "z"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Permissions(tt.base, tt.a, tt.b); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Permissions = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
