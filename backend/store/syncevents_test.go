package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSyncEvents(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	useClock(s, t0, 250*time.Millisecond)
	_, err := s.UpsertClient(ctx, Client{ID: "cursor"})
	mustNoErr(t, err)

	started, err := s.StartSyncEvent(ctx, SyncEvent{ClientID: "cursor", EventType: "watch", TriggeredBy: "fsnotify"})
	mustNoErr(t, err)
	if started.ID == "" || started.Status != SyncRunning || started.StartedAt.IsZero() || !started.FinishedAt.IsZero() {
		t.Fatalf("started = %+v", started)
	}

	t.Run("finish records status, error and duration", func(t *testing.T) {
		done, err := s.FinishSyncEvent(ctx, started.ID, SyncPartial, "codex: write failed")
		mustNoErr(t, err)
		if done.Status != SyncPartial || done.Error != "codex: write failed" || done.DurationMS != 250 ||
			!done.FinishedAt.Equal(started.StartedAt.Add(250*time.Millisecond)) {
			t.Errorf("finished = %+v", done)
		}
		got, err := s.GetSyncEvent(ctx, started.ID)
		mustNoErr(t, err)
		if got != done {
			t.Errorf("GetSyncEvent = %+v, want %+v", got, done)
		}
	})

	t.Run("finishing twice fails", func(t *testing.T) {
		if _, err := s.FinishSyncEvent(ctx, started.ID, SyncSucceeded, ""); !errors.Is(err, ErrAlreadyFinished) {
			t.Errorf("err = %v, want ErrAlreadyFinished", err)
		}
	})

	t.Run("running is not a final status", func(t *testing.T) {
		if _, err := s.FinishSyncEvent(ctx, started.ID, SyncRunning, ""); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("err = %v, want ErrInvalidArgument", err)
		}
	})

	t.Run("list filters and pages", func(t *testing.T) {
		for i := range 9 {
			e, err := s.StartSyncEvent(ctx, SyncEvent{EventType: []string{"startup", "manual", "watch"}[i%3]})
			mustNoErr(t, err)
			if i%2 == 0 {
				_, err = s.FinishSyncEvent(ctx, e.ID, SyncSucceeded, "")
				mustNoErr(t, err)
			}
		}
		for _, tc := range []struct {
			name   string
			filter SyncEventFilter
			want   int
		}{
			{"all", SyncEventFilter{}, 10},
			{"client", SyncEventFilter{ClientID: "cursor"}, 1},
			{"type", SyncEventFilter{EventType: "watch"}, 4},
			{"status", SyncEventFilter{Status: SyncRunning}, 4},
			{"since", SyncEventFilter{Since: started.StartedAt.Add(time.Millisecond)}, 9},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := tc.filter
				f.Limit = 3
				seen := map[string]bool{}
				for {
					page, err := s.ListSyncEvents(ctx, f)
					mustNoErr(t, err)
					for _, e := range page.Items {
						if seen[e.ID] {
							t.Fatalf("%s listed twice", e.ID)
						}
						seen[e.ID] = true
					}
					if page.NextCursor == "" {
						break
					}
					f.Cursor = page.NextCursor
				}
				if len(seen) != tc.want {
					t.Errorf("listed %d, want %d", len(seen), tc.want)
				}
			})
		}
	})
}
