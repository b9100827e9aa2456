package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"aisync/backend/events"
)

const eventsPath = "/api/v1/events"

type eventsInput struct {
	LastEventID string `header:"Last-Event-ID" doc:"Replay the remembered events after this id (sent by EventSource on reconnect)"`
	LastEventQ  string `query:"lastEventId" doc:"Same as Last-Event-ID, for clients that cannot set headers"`
}

// streamEvents is the SSE stream of the event bus. It subscribes before it reads the
// remembered events, so nothing published in between is lost, and skips live events it
// already replayed. It runs in the request's goroutine and starts none of its own: it ends
// when the client goes away or the server shuts down, and leaves nothing behind.
func (s *Server) streamEvents(ctx context.Context, in *eventsInput) (*huma.StreamResponse, error) {
	select {
	case s.streams <- struct{}{}:
	default:
		return nil, huma.ErrorWithHeaders(huma.Error429TooManyRequests("too many event streams open"), retryAfter(5*time.Second))
	}
	last, replay := lastEventID(in.LastEventID, in.LastEventQ)
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer func() { <-s.streams }()
		_, w := humago.Unwrap(hctx)
		s.serveEvents(hctx.Context(), w, last, replay)
	}}, nil
}

func lastEventID(header, query string) (uint64, bool) {
	v := strings.TrimSpace(header)
	if v == "" {
		v = strings.TrimSpace(query)
	}
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func (s *Server) serveEvents(ctx context.Context, w http.ResponseWriter, last uint64, replay bool) {
	sub := s.svc.Bus().Subscribe(256)
	defer sub.Close()

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, "retry: 3000\n: connected\n\n"); err != nil {
		return
	}

	var sent uint64
	if replay {
		recent := s.svc.Bus().Recent()
		// An id beyond what this process has published comes from before a restart: the
		// ids started over, so everything remembered is new to the client.
		if n := len(recent); n > 0 && last > recent[n-1].ID {
			last = 0
		}
		for _, e := range recent {
			if e.ID <= last {
				continue
			}
			if writeEvent(w, e) != nil {
				return
			}
			sent = e.ID
		}
	}
	if rc.Flush() != nil {
		return
	}

	heartbeat := time.NewTicker(s.opt.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-heartbeat.C:
			if _, err := io.WriteString(w, ": heartbeat\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case e, open := <-sub.C:
			if !open {
				return
			}
			if e.ID <= sent {
				continue
			}
			if writeEvent(w, e) != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// writeEvent writes one event; the type is single-line by construction, and JSON has no
// raw newlines, so neither can break the framing.
func writeEvent(w io.Writer, e events.Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	typ := strings.NewReplacer("\r", "", "\n", "").Replace(e.Type)
	_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.ID, typ, data)
	return err
}
