package store

import (
	"context"
	"encoding/json"
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

// A run recorded once it is over: the event with its final status and duration, and its log
// entries linked to it, or nothing at all.
func TestRecordSyncEvent(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	_, err := s.UpsertClient(ctx, Client{ID: "cursor"})
	mustNoErr(t, err)
	useClock(s, t0.Add(500*time.Millisecond), time.Second) // the next reading is t0 + 1.5 s

	ev, err := s.RecordSyncEvent(ctx, SyncEvent{ClientID: "cursor", EventType: "cli", TriggeredBy: "cli", StartedAt: t0,
		Status: SyncPartial, Error: "codex: write failed"},
		LogEntry{Event: "sync.finished", Level: "ERROR", Message: "sync partial (cli)", Context: json.RawMessage(`{"filesWritten":3}`)})
	mustNoErr(t, err)
	if ev.ID == "" || ev.Status != SyncPartial || ev.Error != "codex: write failed" || ev.DurationMS != 1500 ||
		!ev.StartedAt.Equal(t0) || !ev.FinishedAt.Equal(t0.Add(1500*time.Millisecond)) {
		t.Errorf("recorded %+v", ev)
	}
	if got, err := s.GetSyncEvent(ctx, ev.ID); err != nil || got != ev {
		t.Errorf("GetSyncEvent = %+v, %v; want %+v", got, err, ev)
	}
	logs, err := s.ListLogs(ctx, LogFilter{SyncEventID: ev.ID})
	mustNoErr(t, err)
	if len(logs.Items) != 1 || logs.Items[0].Level != LevelError || logs.Items[0].Message != "sync partial (cli)" {
		t.Errorf("the run's log = %+v", logs.Items)
	}

	if _, err := s.RecordSyncEvent(ctx, SyncEvent{EventType: "cli", Status: SyncRunning}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a running event: err = %v, want ErrInvalidArgument", err)
	}
	// A log entry that cannot be stored: the event is not stored either.
	_, err = s.RecordSyncEvent(ctx, SyncEvent{ID: "ev-bad-log", EventType: "cli", Status: SyncSucceeded},
		LogEntry{Event: "sync.finished", Level: "loud", Message: "x"})
	if !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a log entry with a bad level: err = %v", err)
	}
	if _, err := s.GetSyncEvent(ctx, "ev-bad-log"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the event of a refused batch was stored: %v", err)
	}
	_, err = s.RecordSyncEvent(ctx, SyncEvent{ID: ev.ID, EventType: "cli", Status: SyncSucceeded},
		LogEntry{Event: "sync.finished", Level: "info", Message: "a run stored twice"})
	if err == nil {
		t.Error("stored a second event with the same id")
	}
	if logs, _ := s.ListLogs(ctx, LogFilter{Query: "twice"}); len(logs.Items) != 0 {
		t.Errorf("the log entry of a failed record was stored: %+v", logs.Items)
	}
}

// A pass's endpoint states are stored with its run, all or none: a run that cannot be
// stored takes its states with it, and the states of a stored run are there with it.
func TestRecordPassStoresStatesWithTheRun(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	states := []StateWrite{
		{State: EndpointState{EndpointID: "cursor|user|/h/.cursor/mcp.json", ClientID: "cursor", Scope: "user", Path: "/h/.cursor/mcp.json",
			Base: []byte(`{"servers":{}}`), Hash: "h1", WrittenHash: "h1"},
			Endpoint: &Endpoint{ClientID: "cursor", Path: "/h/.cursor/mcp.json", ConfigType: "servers", Hash: "h1", LastSeen: t0}},
		{State: EndpointState{EndpointID: "codex|project:/p|/p/.codex/config.toml", ClientID: "codex", Scope: "project:/p",
			Path: "/p/.codex/config.toml", Hash: "h2", WrittenHash: "h2"}},
	}
	_, err := s.UpsertClient(ctx, Client{ID: "cursor"})
	mustNoErr(t, err)
	logs := []LogEntry{{Event: "sync.finished", Level: "info", Message: "sync succeeded (cli)"}}
	ev, err := s.RecordPass(ctx, states, SyncEvent{EventType: "cli", TriggeredBy: "cli", Status: SyncSucceeded}, logs...)
	mustNoErr(t, err)
	if logs[0].SyncEventID != "" {
		t.Errorf("RecordPass wrote the run's id into the caller's log entry: %+v", logs[0])
	}
	all, err := s.ListEndpointStates(ctx, "")
	mustNoErr(t, err)
	if len(all) != 2 || all[1].EndpointID != states[0].State.EndpointID || string(all[1].Base) != `{"servers":{}}` || all[0].Hash != "h2" {
		t.Errorf("states stored with the run = %+v", all)
	}
	if eps, err := s.ListEndpoints(ctx, "cursor"); err != nil || len(eps) != 1 || eps[0].Hash != "h1" {
		t.Errorf("endpoint rows = %+v, %v", eps, err)
	}
	if logs, err := s.ListLogs(ctx, LogFilter{SyncEventID: ev.ID}); err != nil || len(logs.Items) != 1 {
		t.Errorf("the run's log = %+v, %v", logs.Items, err)
	}

	// The same run id again: refused, and the changed states it carried are not stored.
	changed := []StateWrite{{State: EndpointState{EndpointID: states[1].State.EndpointID, ClientID: "codex", Scope: "project:/p",
		Path: "/p/.codex/config.toml", Hash: "h3", WrittenHash: "h3"}}}
	if _, err := s.RecordPass(ctx, changed, SyncEvent{ID: ev.ID, EventType: "cli", Status: SyncSucceeded}); err == nil {
		t.Fatal("stored a second run with the same id")
	}
	if got, err := s.ListEndpointStates(ctx, "project:/p"); err != nil || len(got) != 1 || got[0].Hash != "h2" {
		t.Errorf("a refused run changed the states: %+v, %v", got, err)
	}
	// A state without an endpoint id is refused before anything is stored.
	if _, err := s.RecordPass(ctx, []StateWrite{{}}, SyncEvent{EventType: "cli", Status: SyncSucceeded}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("a state without an id: err = %v, want ErrInvalidArgument", err)
	}
}
