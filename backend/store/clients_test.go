package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestClients(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)

	t.Run("upsert inserts", func(t *testing.T) {
		c, err := s.UpsertClient(ctx, Client{ID: "cursor", Name: "Cursor", Type: "ide", Status: "detected",
			Priority: 5, Enabled: true, ConflictPolicy: "manual"})
		mustNoErr(t, err)
		if c.Name != "Cursor" || c.Priority != 5 || !c.Enabled || c.ConflictPolicy != "manual" ||
			c.CreatedAt.IsZero() || !c.CreatedAt.Equal(c.UpdatedAt) {
			t.Errorf("inserted client = %+v", c)
		}
	})

	t.Run("upsert updates detection fields and keeps user choices", func(t *testing.T) {
		before, err := s.GetClient(ctx, "cursor")
		mustNoErr(t, err)
		c, err := s.UpsertClient(ctx, Client{ID: "cursor", Name: "Cursor IDE", Type: "ide", Status: "missing"})
		mustNoErr(t, err)
		if c.Name != "Cursor IDE" || c.Status != "missing" {
			t.Errorf("detection fields not updated: %+v", c)
		}
		if c.Priority != 5 || !c.Enabled || c.ConflictPolicy != "manual" {
			t.Errorf("user choices overwritten: %+v", c)
		}
		if !c.CreatedAt.Equal(before.CreatedAt) || !c.UpdatedAt.After(before.UpdatedAt) {
			t.Errorf("times: before %+v after %+v", before, c)
		}
	})

	t.Run("update applies only the patch", func(t *testing.T) {
		tests := []struct {
			name  string
			patch ClientPatch
			check func(Client) bool
		}{
			{"priority", ClientPatch{Priority: ptr(9)}, func(c Client) bool { return c.Priority == 9 && c.Enabled }},
			{"disable", ClientPatch{Enabled: ptr(false)}, func(c Client) bool { return !c.Enabled && c.Priority == 9 }},
			{"policy and status", ClientPatch{ConflictPolicy: ptr("newest"), Status: ptr("ok")},
				func(c Client) bool { return c.ConflictPolicy == "newest" && c.Status == "ok" && !c.Enabled }},
			{"empty patch", ClientPatch{}, func(c Client) bool { return c.Priority == 9 && c.Name == "Cursor IDE" }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c, err := s.UpdateClient(ctx, "cursor", tc.patch)
				mustNoErr(t, err)
				if !tc.check(c) {
					t.Errorf("after patch: %+v", c)
				}
				got, err := s.GetClient(ctx, "cursor")
				mustNoErr(t, err)
				if got != c {
					t.Errorf("GetClient = %+v, UpdateClient returned %+v", got, c)
				}
			})
		}
	})

	t.Run("list orders by priority", func(t *testing.T) {
		for _, c := range []Client{{ID: "zed", Priority: 1}, {ID: "codex", Priority: 9}, {ID: "vscode", Priority: 3}} {
			_, err := s.UpsertClient(ctx, c)
			mustNoErr(t, err)
		}
		list, err := s.ListClients(ctx)
		mustNoErr(t, err)
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		want := []string{"codex", "cursor", "vscode", "zed"}
		if len(ids) != len(want) {
			t.Fatalf("ids = %v, want %v", ids, want)
		}
		for i := range want {
			if ids[i] != want[i] {
				t.Fatalf("ids = %v, want %v", ids, want)
			}
		}
	})

	t.Run("empty id is refused", func(t *testing.T) {
		if _, err := s.UpsertClient(ctx, Client{}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("err = %v, want ErrInvalidArgument", err)
		}
	})
}

// UpsertClients registers several clients in one transaction, keeps the user's choices
// on clients it updates, and stores none of them when one is refused.
func TestUpsertClients(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	_, err := s.UpsertClient(ctx, Client{ID: "cursor", Name: "Cursor", Status: "detected", Priority: 5, Enabled: true})
	mustNoErr(t, err)
	prio, off := 9, false
	_, err = s.UpdateClient(ctx, "cursor", ClientPatch{Priority: &prio, Enabled: &off})
	mustNoErr(t, err)

	rows, err := s.UpsertClients(ctx, []Client{
		{ID: "codex", Name: "Codex CLI", Status: "detected", Priority: 3, Enabled: true},
		{ID: "cursor", Name: "Cursor IDE", Status: "not-detected", Priority: 1, Enabled: true},
	})
	mustNoErr(t, err)
	if len(rows) != 2 || rows[0].ID != "codex" || rows[0].Priority != 3 || !rows[0].Enabled || rows[0].CreatedAt.IsZero() {
		t.Errorf("inserted row = %+v", rows)
	}
	if c := rows[1]; c.Name != "Cursor IDE" || c.Status != "not-detected" || c.Priority != 9 || c.Enabled {
		t.Errorf("updated row = %+v, want the new name and status with the user's priority 9 and enabled=false", c)
	}
	if got, err := s.GetClient(ctx, "cursor"); err != nil || got != rows[1] {
		t.Errorf("GetClient(cursor) = %+v, %v; want %+v", got, err, rows[1])
	}

	_, err = s.UpsertClients(ctx, []Client{{ID: "gemini", Name: "Gemini CLI"}, {ID: ""}})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a client without an id: err = %v, want ErrInvalidArgument", err)
	}
	if _, err := s.GetClient(ctx, "gemini"); !errors.Is(err, ErrNotFound) {
		t.Errorf("gemini was stored although the batch failed: %v", err)
	}
}

func TestEndpoints(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)
	for _, id := range []string{"cursor", "codex"} {
		_, err := s.UpsertClient(ctx, Client{ID: id, Enabled: true})
		mustNoErr(t, err)
	}

	first, err := s.UpsertEndpoint(ctx, Endpoint{ClientID: "cursor", Path: "/h/.cursor/mcp.json", ConfigType: "mcp", Hash: "h1"})
	mustNoErr(t, err)
	if first.ID == "" || first.LastSeen.IsZero() {
		t.Fatalf("inserted endpoint = %+v", first)
	}

	t.Run("upsert keeps the id of the same file", func(t *testing.T) {
		again, err := s.UpsertEndpoint(ctx, Endpoint{ClientID: "cursor", Path: "/h/.cursor/mcp.json", ConfigType: "mcp", Hash: "h2"})
		mustNoErr(t, err)
		if again.ID != first.ID || again.Hash != "h2" || !again.LastSeen.After(first.LastSeen) {
			t.Errorf("upserted endpoint = %+v, first = %+v", again, first)
		}
	})

	t.Run("list by client and all", func(t *testing.T) {
		_, err := s.UpsertEndpoint(ctx, Endpoint{ClientID: "cursor", Path: "/h/.cursor/rules/a.mdc", ConfigType: "rules"})
		mustNoErr(t, err)
		_, err = s.UpsertEndpoint(ctx, Endpoint{ClientID: "codex", Path: "/h/.codex/config.toml", ConfigType: "mcp"})
		mustNoErr(t, err)
		for _, tc := range []struct {
			client string
			want   int
		}{{"cursor", 2}, {"codex", 1}, {"", 3}, {"zed", 0}} {
			list, err := s.ListEndpoints(ctx, tc.client)
			mustNoErr(t, err)
			if len(list) != tc.want {
				t.Errorf("ListEndpoints(%q) = %d endpoints, want %d", tc.client, len(list), tc.want)
			}
		}
	})

	t.Run("unknown client is a foreign key error", func(t *testing.T) {
		if _, err := s.UpsertEndpoint(ctx, Endpoint{ClientID: "ghost", Path: "/x"}); err == nil {
			t.Error("endpoint for an unknown client was stored")
		}
	})
}
