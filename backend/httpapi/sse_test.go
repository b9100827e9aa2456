package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/events"
)

type sseMessage struct {
	id, event, data string
	comment         string
}

type stream struct {
	C      <-chan sseMessage
	status int
	cancel func()
}

// openStream connects to the event stream and parses it in a goroutine that ends when the
// stream does; Close cancels the request and waits for that goroutine.
func openStream(t testing.TB, base string, hdr map[string]string) *stream {
	return openStreamQuery(t, base, "", hdr)
}

func openStreamQuery(t testing.TB, base, query string, hdr map[string]string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+eventsPath+query, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open stream: %v", err)
	}
	c := make(chan sseMessage, 64)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(c)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var m sseMessage
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if m != (sseMessage{}) {
					select {
					case c <- m:
					case <-ctx.Done():
						return
					}
				}
				m = sseMessage{}
			case strings.HasPrefix(line, ":"):
				m.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				m.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				m.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				m.data = line[6:]
			}
		}
	}()
	s := &stream{C: c, status: resp.StatusCode, cancel: func() { cancel(); wg.Wait() }}
	t.Cleanup(s.cancel)
	return s
}

// next waits for the next message that is an event (comments are skipped unless wanted).
func (s *stream) next(t testing.TB, d time.Duration, comments bool) (sseMessage, bool) {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case m, open := <-s.C:
			if !open {
				return m, false
			}
			if m.event == "" && !comments {
				continue
			}
			return m, true
		case <-timeout:
			t.Fatalf("no event within %s", d)
		}
	}
}

func decodeEvent(t testing.TB, m sseMessage) events.Event {
	t.Helper()
	var e events.Event
	if err := json.Unmarshal([]byte(m.data), &e); err != nil {
		t.Fatalf("event data %q: %v", m.data, err)
	}
	return e
}

func TestSSEDeliversBusEvents(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{Heartbeat: 50 * time.Millisecond})
	s := openStream(t, a.ts.URL, nil)
	if s.status != http.StatusOK {
		t.Fatalf("status %d", s.status)
	}
	if m, _ := s.next(t, 5*time.Second, true); m.comment != "connected" {
		t.Fatalf("first message %+v", m)
	}
	pub := a.svc.Bus().Publish(events.Event{Type: events.SnapshotCreated, Scope: "user", Msg: "hello", Data: map[string]any{"n": 1}})
	m, _ := s.next(t, 5*time.Second, false)
	e := decodeEvent(t, m)
	if m.event != events.SnapshotCreated || m.id != itoa(pub.ID) || e.ID != pub.ID || e.Msg != "hello" || e.Data["n"] != float64(1) {
		t.Fatalf("event %+v / %+v", m, e)
	}
	for {
		m, _ := s.next(t, 2*time.Second, true)
		if m.comment == "heartbeat" {
			break
		}
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func TestSSEReplaysAfterLastEventID(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	bus := a.svc.Bus()
	e1 := bus.Publish(events.Event{Type: events.Warning, Msg: "one"})
	bus.Publish(events.Event{Type: events.Warning, Msg: "two"})
	bus.Publish(events.Event{Type: events.Warning, Msg: "three"})

	t.Run("header", func(t *testing.T) {
		s := openStream(t, a.ts.URL, map[string]string{"Last-Event-ID": itoa(e1.ID)})
		for _, want := range []string{"two", "three"} {
			m, _ := s.next(t, 5*time.Second, false)
			if e := decodeEvent(t, m); e.Msg != want {
				t.Fatalf("replayed %q, want %q", e.Msg, want)
			}
		}
	})
	t.Run("query", func(t *testing.T) {
		s := openStreamQuery(t, a.ts.URL, "?lastEventId="+itoa(e1.ID+1), nil)
		m, _ := s.next(t, 5*time.Second, false)
		if e := decodeEvent(t, m); e.Msg != "three" {
			t.Fatalf("replayed %q", e.Msg)
		}
	})
	t.Run("id from before a restart replays everything", func(t *testing.T) {
		s := openStream(t, a.ts.URL, map[string]string{"Last-Event-ID": "999999"})
		m, _ := s.next(t, 5*time.Second, false)
		if e := decodeEvent(t, m); e.Msg != "one" {
			t.Fatalf("replayed %q", e.Msg)
		}
	})
	t.Run("no id: only new events", func(t *testing.T) {
		s := openStream(t, a.ts.URL, nil)
		if m, _ := s.next(t, 5*time.Second, true); m.comment != "connected" {
			t.Fatalf("first message %+v", m)
		}
		bus.Publish(events.Event{Type: events.Warning, Msg: "four"})
		m, _ := s.next(t, 5*time.Second, false)
		if e := decodeEvent(t, m); e.Msg != "four" {
			t.Fatalf("got %q", e.Msg)
		}
	})
}

func TestSSEStreamLimit(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{MaxStreams: 1})
	s := openStream(t, a.ts.URL, nil)
	if m, _ := s.next(t, 5*time.Second, true); m.comment != "connected" {
		t.Fatalf("first message %+v", m)
	}
	r := a.do(http.MethodGet, eventsPath, nil)
	a.mustStatus(r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	s.cancel()
	waitFor(t, 5*time.Second, "the stream slot to be released", func() bool { return len(a.srv.streams) == 0 })
}

// TestSSEFileEdit runs the real engine on a temporary HOME: editing a client's file must
// reach an event stream as a snapshot event.
func TestSSEFileEdit(t *testing.T) {
	if len(clients.All()) == 0 {
		t.Skip("no client adapters are registered yet (backend/clients/all is empty); the bus-level SSE tests cover the stream")
	}
	if _, ok := clients.Get("cursor"); !ok {
		t.Skip("the cursor adapter is not registered yet; this test edits ~/.cursor/mcp.json")
	}
	home := t.TempDir()
	mcp := filepath.Join(home, ".cursor", "mcp.json")
	writeFile(t, mcp, `{"mcpServers": {"first": {"command": "echo", "args": ["one"]}}}`+"\n")
	svc := newService(t, home)
	a := newTestAPIFor(t, svc, Options{})
	s := openStream(t, a.ts.URL, nil)
	if m, _ := s.next(t, 5*time.Second, true); m.comment != "connected" {
		t.Fatalf("first message %+v", m)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("engine did not stop")
		}
	}()

	// The start-up pass ends with sync.finished; from then on the files are watched.
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, open := s.next(t, time.Until(deadline), false)
		if !open {
			t.Fatal("stream closed")
		}
		if m.event == events.SyncFinished {
			break
		}
	}
	if err := os.WriteFile(mcp, []byte(`{"mcpServers": {"first": {"command": "echo", "args": ["one"]}, "edited": {"command": "true"}}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		m, open := s.next(t, time.Until(deadline), false)
		if !open {
			t.Fatal("stream closed")
		}
		if m.event == events.SnapshotCreated {
			e := decodeEvent(t, m)
			if e.Client != "cursor" {
				t.Fatalf("snapshot event from %q: %+v", e.Client, e)
			}
			return
		}
	}
}
