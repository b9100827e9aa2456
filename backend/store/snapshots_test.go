package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRecordSnapshot(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, time.Second)
	_, err := s.UpsertClient(ctx, Client{ID: "cursor", Enabled: true})
	mustNoErr(t, err)

	first, err := s.RecordSnapshot(ctx, Snapshot{
		SnapshotMeta: SnapshotMeta{Scope: "user", ClientID: "cursor", UnifiedHash: "h1", ServerCount: 2, CreatedBy: "cursor"},
		Payload:      json.RawMessage(`{"servers":{"a":{},"b":{}}}`),
	}, []SnapshotDiff{
		{DiffFormat: DiffJSONPatch, DiffPayload: json.RawMessage(`[{"op":"add","path":"/servers/a","value":{}}]`)},
		{DiffFormat: DiffTextPatch, DiffPayload: json.RawMessage(`{"rule":"style","patch":"@@ -1 +1 @@\n-a\n+b\n"}`)},
	})
	mustNoErr(t, err)

	t.Run("round trip", func(t *testing.T) {
		got, err := s.GetSnapshot(ctx, first.ID)
		mustNoErr(t, err)
		if got.UnifiedHash != "h1" || got.ServerCount != 2 || got.ClientID != "cursor" || got.ParentID != "" ||
			string(got.Payload) != `{"servers":{"a":{},"b":{}}}` || !got.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("GetSnapshot = %+v, recorded %+v", got, first)
		}
		diffs, err := s.GetDiffs(ctx, first.ID)
		mustNoErr(t, err)
		if len(diffs) != 2 || diffs[0].DiffFormat != DiffJSONPatch || diffs[1].DiffFormat != DiffTextPatch ||
			diffs[0].SnapshotID != first.ID || diffs[0].ID == "" {
			t.Errorf("GetDiffs = %+v", diffs)
		}
	})

	t.Run("parent defaults to the scope's latest and user snapshots have no client", func(t *testing.T) {
		second, err := s.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{Scope: "user", UnifiedHash: "h2",
			CreatedBy: "user"}, Payload: json.RawMessage(`{}`)}, nil)
		mustNoErr(t, err)
		if second.ParentID != first.ID {
			t.Errorf("parent = %q, want %q", second.ParentID, first.ID)
		}
		latest, err := s.LatestSnapshot(ctx, "user")
		mustNoErr(t, err)
		if latest.ID != second.ID || latest.ClientID != "" {
			t.Errorf("LatestSnapshot = %+v, want %s without client", latest.SnapshotMeta, second.ID)
		}
		diffs, err := s.GetDiffs(ctx, second.ID)
		mustNoErr(t, err)
		if len(diffs) != 0 {
			t.Errorf("diffs of a snapshot recorded without any = %+v", diffs)
		}
		other, err := s.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{Scope: "project:/p", UnifiedHash: "h3"},
			Payload: json.RawMessage(`{}`)}, nil)
		mustNoErr(t, err)
		if other.ParentID != "" {
			t.Errorf("first snapshot of another scope has parent %q", other.ParentID)
		}
	})

	t.Run("failed diff leaves nothing behind", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			diff SnapshotDiff
		}{
			{"unknown format", SnapshotDiff{DiffFormat: "bogus", DiffPayload: json.RawMessage(`[]`)}},
			{"payload not JSON", SnapshotDiff{DiffFormat: DiffJSONPatch, DiffPayload: json.RawMessage(`[oops`)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				snap := Snapshot{SnapshotMeta: SnapshotMeta{ID: "atomic-" + tc.name, Scope: "atomic", UnifiedHash: "x"},
					Payload: json.RawMessage(`{}`)}
				good := SnapshotDiff{DiffFormat: DiffJSONPatch, DiffPayload: json.RawMessage(`[]`)}
				if _, err := s.RecordSnapshot(ctx, snap, []SnapshotDiff{good, tc.diff}); err == nil {
					t.Fatal("RecordSnapshot succeeded with a bad diff")
				}
				if _, err := s.GetSnapshot(ctx, snap.ID); !errors.Is(err, ErrNotFound) {
					t.Errorf("snapshot after failed record: err = %v, want ErrNotFound", err)
				}
				var snaps, diffs int
				mustNoErr(t, s.read.QueryRow(`SELECT COUNT(*) FROM config_snapshot WHERE scope = 'atomic'`).Scan(&snaps))
				mustNoErr(t, s.read.QueryRow(`SELECT COUNT(*) FROM snapshot_diff WHERE snapshot_id = ?`, snap.ID).Scan(&diffs))
				if snaps != 0 || diffs != 0 {
					t.Errorf("left behind %d snapshots and %d diffs", snaps, diffs)
				}
			})
		}
	})

	t.Run("invalid input is refused", func(t *testing.T) {
		for name, snap := range map[string]Snapshot{
			"no scope":    {Payload: json.RawMessage(`{}`)},
			"bad payload": {SnapshotMeta: SnapshotMeta{Scope: "user"}, Payload: json.RawMessage(`{`)},
		} {
			if _, err := s.RecordSnapshot(ctx, snap, nil); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
			}
		}
	})
}

// A snapshot's log entry is stored with it, or neither is.
func TestRecordSnapshotWithLog(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	snap := Snapshot{SnapshotMeta: SnapshotMeta{ID: NewID(), Scope: "user", UnifiedHash: "h", CreatedBy: "cursor"}, Payload: json.RawMessage(`{}`)}
	le := LogEntry{Event: "snapshot.created", Level: "info", Message: "new snapshot of user", Context: json.RawMessage(`{"snapshotId":"` + snap.ID + `"}`)}
	got, err := s.RecordSnapshot(ctx, snap, nil, le)
	mustNoErr(t, err)
	if got.ID != snap.ID {
		t.Errorf("id %q, want the one given %q", got.ID, snap.ID)
	}
	if logs, _ := s.ListLogs(ctx, LogFilter{Event: "snapshot.created"}); len(logs.Items) != 1 || logs.Items[0].Message != le.Message {
		t.Errorf("logs = %+v", logs.Items)
	}

	bad := Snapshot{SnapshotMeta: SnapshotMeta{ID: NewID(), Scope: "user", UnifiedHash: "h2", CreatedBy: "cursor"}, Payload: json.RawMessage(`{}`)}
	if _, err := s.RecordSnapshot(ctx, bad, nil, LogEntry{Event: "snapshot.created", Level: "info", Context: json.RawMessage(`{`)}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a log entry whose context is not JSON: err = %v", err)
	}
	if _, err := s.GetSnapshot(ctx, bad.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the snapshot of a refused batch was stored: %v", err)
	}
	// A failure inside the transaction (a second snapshot with the same id) stores no log.
	if _, err := s.RecordSnapshot(ctx, snap, nil, LogEntry{Event: "snapshot.created", Level: "info", Message: "duplicate"}); err == nil {
		t.Error("stored a second snapshot with the same id")
	}
	if logs, _ := s.ListLogs(ctx, LogFilter{Query: "duplicate"}); len(logs.Items) != 0 {
		t.Errorf("the log entry of a failed snapshot was stored: %+v", logs.Items)
	}
}

func TestListSnapshots(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, id := range []string{"cursor", "codex"} {
		_, err := s.UpsertClient(ctx, Client{ID: id})
		mustNoErr(t, err)
	}
	// 30 snapshots, alternating scope and client, in pairs with equal timestamps so that
	// the id tie-break matters.
	for i := range 30 {
		scope, client := "user", "cursor"
		if i%3 == 0 {
			scope, client = "project:/p", "codex"
		}
		_, err := s.RecordSnapshot(ctx, Snapshot{SnapshotMeta: SnapshotMeta{
			ID: fmt.Sprintf("snap-%02d", i), Scope: scope, ClientID: client, UnifiedHash: "h",
			CreatedAt: t0.Add(time.Duration(i/2) * time.Minute)}, Payload: json.RawMessage(`{}`)}, nil)
		mustNoErr(t, err)
	}

	tests := []struct {
		name   string
		filter SnapshotFilter
		want   int
	}{
		{"all", SnapshotFilter{}, 30},
		{"scope", SnapshotFilter{Scope: "user"}, 20},
		{"client", SnapshotFilter{ClientID: "codex"}, 10},
		{"since until", SnapshotFilter{Since: t0.Add(5 * time.Minute), Until: t0.Add(10 * time.Minute)}, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.filter
			f.Limit = 4
			seen := map[string]bool{}
			var last SnapshotMeta
			for pages := 0; ; pages++ {
				if pages > 30 {
					t.Fatal("pagination does not end")
				}
				page, err := s.ListSnapshots(ctx, f)
				mustNoErr(t, err)
				for _, m := range page.Items {
					if seen[m.ID] {
						t.Fatalf("%s returned twice", m.ID)
					}
					seen[m.ID] = true
					if last.ID != "" && !older(m.CreatedAt, m.ID, last.CreatedAt, last.ID) {
						t.Fatalf("%s (%v) listed after %s (%v)", m.ID, m.CreatedAt, last.ID, last.CreatedAt)
					}
					last = m
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if len(seen) != tc.want {
				t.Errorf("listed %d snapshots, want %d", len(seen), tc.want)
			}
		})
	}

	t.Run("bad cursor", func(t *testing.T) {
		for _, c := range []string{"!!", "e30", encodeCursor("yesterday", "x")} {
			if _, err := s.ListSnapshots(ctx, SnapshotFilter{Cursor: c}); !errors.Is(err, ErrInvalidCursor) {
				t.Errorf("cursor %q: err = %v, want ErrInvalidCursor", c, err)
			}
		}
	})
}

// older reports whether the sort key (ta, ida) is strictly less than (tb, idb), i.e. whether
// a row keyed so belongs after the other in a newest-first list.
func older(ta time.Time, ida string, tb time.Time, idb string) bool {
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return ida < idb
}
