package store

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestConflicts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)

	mtime := time.Date(2025, 2, 1, 8, 30, 0, 123456789, time.UTC)
	created, err := s.CreateConflict(ctx, Conflict{
		Scope: "user", ItemKey: "servers/github", Kind: "server",
		Base: json.RawMessage(`{"command":"gh"}`),
		Sides: []ConflictSide{
			{ClientID: "cursor", Value: json.RawMessage(`{"command":"gh","args":["a"]}`), MTime: mtime},
			{ClientID: "codex", MTime: mtime.Add(time.Minute)}, // deleted there
		},
	})
	mustNoErr(t, err)

	t.Run("create fills in and round trips", func(t *testing.T) {
		if created.ID == "" || created.Status != ConflictPending || created.CreatedAt.IsZero() {
			t.Errorf("created = %+v", created)
		}
		got, err := s.GetConflict(ctx, created.ID)
		mustNoErr(t, err)
		if len(got.Sides) != 2 || got.Sides[0].ClientID != "cursor" || !got.Sides[0].MTime.Equal(mtime) ||
			string(got.Sides[1].Value) != "null" || string(got.Base) != `{"command":"gh"}` || got.Resolution != nil {
			t.Errorf("GetConflict = %+v", got)
		}
	})

	t.Run("sides are stored as client_id, value, mtime", func(t *testing.T) {
		var key string
		mustNoErr(t, s.read.QueryRow(`SELECT json_extract(sides, '$[0].client_id') FROM conflict WHERE id = ?`,
			created.ID).Scan(&key))
		if key != "cursor" {
			t.Errorf("sides[0].client_id = %q", key)
		}
	})

	second, err := s.CreateConflict(ctx, Conflict{Scope: "user", ItemKey: "rules/style", Kind: "rule"})
	mustNoErr(t, err)

	t.Run("resolve once", func(t *testing.T) {
		res, err := s.ResolveConflict(ctx, created.ID, json.RawMessage(`{"pick":"cursor"}`), "user")
		mustNoErr(t, err)
		if res.Status != ConflictResolved || res.ResolvedBy != "user" || res.ResolvedAt.IsZero() ||
			string(res.Resolution) != `{"pick":"cursor"}` {
			t.Errorf("resolved = %+v", res)
		}
		if _, err := s.ResolveConflict(ctx, created.ID, json.RawMessage(`1`), "user"); !errors.Is(err, ErrConflictResolved) {
			t.Errorf("second resolve: err = %v, want ErrConflictResolved", err)
		}
	})

	t.Run("racing resolvers: exactly one wins", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				_, err := s.ResolveConflict(ctx, second.ID, json.RawMessage(`"keep"`), "dialog")
				results <- err
			})
		}
		wg.Wait()
		close(results)
		wins := 0
		for err := range results {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, ErrConflictResolved):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d resolvers succeeded, want 1", wins)
		}
	})

	t.Run("list by status oldest first", func(t *testing.T) {
		third, err := s.CreateConflict(ctx, Conflict{Scope: "project:/p", ItemKey: "permissions/allow/shell:npm"})
		mustNoErr(t, err)
		for _, tc := range []struct {
			status ConflictStatus
			want   []string
		}{
			{ConflictPending, []string{third.ID}},
			{ConflictResolved, []string{created.ID, second.ID}},
			{"", []string{created.ID, second.ID, third.ID}},
		} {
			list, err := s.ListConflicts(ctx, tc.status)
			mustNoErr(t, err)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if len(ids) != len(tc.want) {
				t.Fatalf("ListConflicts(%q) = %v, want %v", tc.status, ids, tc.want)
			}
			for i := range ids {
				if ids[i] != tc.want[i] {
					t.Errorf("ListConflicts(%q) = %v, want %v", tc.status, ids, tc.want)
				}
			}
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		if _, err := s.CreateConflict(ctx, Conflict{Scope: "user"}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("no item key: err = %v", err)
		}
		if _, err := s.ResolveConflict(ctx, created.ID, json.RawMessage(`{`), "user"); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("bad resolution: err = %v", err)
		}
	})
}
