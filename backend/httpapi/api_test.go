package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aisync/backend/clients"
	"aisync/backend/store"
)

func TestSystemRoutes(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	for _, path := range []string{"/api/v1/version", "/api/v1/sync/status", "/api/v1/stats", "/api/v1/sync/events", "/api/v1/exports", "/api/v1/conflicts", "/api/v1/projects", "/api/v1/clients"} {
		r := a.do(http.MethodGet, path, nil)
		a.mustStatus(r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		if strings.Contains(string(r.body), `"$schema"`) {
			t.Fatalf("GET %s: response carries $schema: %s", path, r.body)
		}
	}
	var st struct {
		Paused   bool   `json:"paused"`
		DataDir  string `json:"dataDir"`
		Clients  []any  `json:"clients"`
		Counts   any    `json:"counts"`
		Pending  int    `json:"pendingConflicts"`
		Uptime   int64  `json:"uptimeSeconds"`
		Versions any    `json:"version"`
	}
	a.do(http.MethodGet, "/api/v1/sync/status", nil).json(t, &st)
	if st.DataDir != a.svc.Settings().DataDir {
		t.Fatalf("status dataDir %q", st.DataDir)
	}
	var stats struct {
		Runs        []any            `json:"runs"`
		Levels      map[string]int64 `json:"levels"`
		SuccessRate float64          `json:"successRate"`
	}
	a.do(http.MethodGet, "/api/v1/stats", nil).json(t, &stats)
	if stats.Runs == nil {
		t.Fatal("stats.runs is null")
	}
	var lists struct {
		Items []any `json:"items"`
	}
	a.do(http.MethodGet, "/api/v1/conflicts", nil).json(t, &lists)
	if lists.Items == nil {
		t.Fatal("empty list must be [] not null")
	}
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	for _, path := range []string{"/api/v1/nope", "/api/v2/clients", "/api/"} {
		r := a.do(http.MethodGet, path, nil)
		a.mustStatus(r, http.StatusNotFound)
		r.problem(t)
	}
	r := a.do(http.MethodGet, "/api/v1/clients?bogus=1", nil)
	r.wantField(t, "query.bogus")
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	svc := newService(t, "")
	a := newTestAPIFor(t, svc, Options{})
	r := a.do(http.MethodGet, "/healthz", nil, noAuthHeader())
	a.mustStatus(r, http.StatusOK)
	var h Health
	r.json(t, &h)
	if h.Status != "ok" {
		t.Fatalf("health %s", r.body)
	}
	svc.Close() // the database stops answering
	r = a.do(http.MethodGet, "/healthz", nil, noAuthHeader())
	a.mustStatus(r, http.StatusServiceUnavailable)
	r.json(t, &h)
	if h.Status != "unavailable" || h.Error == "" {
		t.Fatalf("health %s", r.body)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	a.mustStatus(a.do(http.MethodPost, "/api/v1/sync/trigger", nil), http.StatusOK)
	r := a.do(http.MethodGet, "/metrics", nil)
	a.mustStatus(r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type %q", ct)
	}
	for _, m := range []string{"aisync_files_written_total", "aisync_sync_runs_total", "go_goroutines"} {
		if !strings.Contains(string(r.body), m) {
			t.Errorf("metrics lack %s", m)
		}
	}
}

func TestSync(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	r := a.do(http.MethodPost, "/api/v1/sync/trigger", nil)
	a.mustStatus(r, http.StatusOK)
	var tr TriggerResult
	r.json(t, &tr)
	if tr.SyncEventID == "" || tr.SyncEventID != tr.Result.SyncEventID {
		t.Fatalf("trigger %s", r.body)
	}
	a.mustStatus(a.do(http.MethodPost, "/api/v1/sync/trigger", map[string]any{"clients": []string{}}), http.StatusOK)
	a.do(http.MethodPost, "/api/v1/sync/trigger", map[string]any{"clients": []string{"no-such-client"}}).wantField(t, "body.clients")
	a.do(http.MethodPost, "/api/v1/sync/trigger", map[string]any{"clients": "cursor"}).wantField(t, "body.clients")

	r = a.do(http.MethodGet, "/api/v1/sync/events?limit=10", nil)
	a.mustStatus(r, http.StatusOK)
	var page store.Page[store.SyncEvent]
	r.json(t, &page)
	if len(page.Items) < 2 {
		t.Fatalf("sync events %s", r.body)
	}
	a.do(http.MethodGet, "/api/v1/sync/events?cursor=garbage", nil).wantField(t, "query.cursor")
	a.do(http.MethodGet, "/api/v1/sync/events?limit=0", nil).wantField(t, "query.limit")

	r = a.do(http.MethodPost, "/api/v1/sync/pause", map[string]bool{"paused": true})
	a.mustStatus(r, http.StatusOK)
	var st struct {
		Paused bool `json:"paused"`
	}
	a.do(http.MethodGet, "/api/v1/sync/status", nil).json(t, &st)
	if !st.Paused {
		t.Fatal("status not paused")
	}
	a.mustStatus(a.do(http.MethodPost, "/api/v1/sync/pause", map[string]bool{"paused": false}), http.StatusOK)
	a.do(http.MethodPost, "/api/v1/sync/pause", `{}`).wantField(t, "body.paused")
	a.do(http.MethodPost, "/api/v1/sync/pause", `{"paused":"yes"}`).wantField(t, "body.paused")
	r = a.do(http.MethodPost, "/api/v1/sync/pause", `{"paused":tru`)
	a.mustStatus(r, http.StatusBadRequest)
	r.problem(t)
}

func TestClients(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	r := a.do(http.MethodGet, "/api/v1/clients", nil)
	a.mustStatus(r, http.StatusOK)
	var list struct {
		Items []struct {
			ID       string `json:"id"`
			Priority int    `json:"priority"`
			Enabled  bool   `json:"enabled"`
		} `json:"items"`
	}
	r.json(t, &list)
	if len(list.Items) != len(clients.All()) {
		t.Fatalf("%d clients listed, %d registered", len(list.Items), len(clients.All()))
	}
	r = a.do(http.MethodGet, "/api/v1/clients/no-such-client", nil)
	a.mustStatus(r, http.StatusNotFound)
	r.problem(t)
	r = a.do(http.MethodPatch, "/api/v1/clients/no-such-client", map[string]any{"enabled": false})
	a.mustStatus(r, http.StatusNotFound)

	if len(list.Items) == 0 {
		t.Log("no adapters registered yet: only the not-found paths are covered")
		return
	}
	id := list.Items[0].ID
	a.mustStatus(a.do(http.MethodGet, "/api/v1/clients/"+id, nil), http.StatusOK)
	r = a.do(http.MethodPatch, "/api/v1/clients/"+id, map[string]any{"priority": 7, "enabled": false, "conflictPolicy": "manual"})
	a.mustStatus(r, http.StatusOK)
	var c struct {
		Priority       int    `json:"priority"`
		Enabled        bool   `json:"enabled"`
		ConflictPolicy string `json:"conflictPolicy"`
	}
	r.json(t, &c)
	if c.Priority != 7 || c.Enabled || c.ConflictPolicy != "manual" {
		t.Fatalf("patched client %s", r.body)
	}
	a.do(http.MethodPatch, "/api/v1/clients/"+id, map[string]any{"priority": 5000}).wantField(t, "body.priority")
	a.do(http.MethodPatch, "/api/v1/clients/"+id, map[string]any{"conflictPolicy": "coin-flip"}).wantField(t, "body.conflictPolicy")
	a.do(http.MethodPatch, "/api/v1/clients/"+id, map[string]any{"enabled": "yes"}).wantField(t, "body.enabled")
}

// recordSnapshots stores n snapshots of the user scope, each with one more server.
func recordSnapshots(t *testing.T, st store.Store, n int, start time.Time) []store.Snapshot {
	t.Helper()
	if _, err := st.UpsertClient(context.Background(), store.Client{ID: "cursor", Name: "Cursor", Type: "ide", Status: "ok", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	var out []store.Snapshot
	servers := map[string]any{}
	for i := range n {
		servers[fmt.Sprintf("s%d", i)] = map[string]any{"transport": "stdio", "command": fmt.Sprintf("cmd%d", i)}
		payload, _ := json.Marshal(map[string]any{"servers": servers})
		snap, err := st.RecordSnapshot(context.Background(), store.Snapshot{
			SnapshotMeta: store.SnapshotMeta{Scope: "user", ClientID: "cursor", ServerCount: len(servers), CreatedAt: start.Add(time.Duration(i) * time.Second), CreatedBy: "cursor", UnifiedHash: fmt.Sprint(i)},
			Payload:      payload,
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, snap)
	}
	return out
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	snaps := recordSnapshots(t, a.svc.Store(), 5, start)

	t.Run("pages with an insert in between", func(t *testing.T) {
		seen := map[string]bool{}
		cursor := ""
		for page := 0; page < 10; page++ {
			q := url.Values{"limit": {"2"}, "scope": {"user"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			r := a.do(http.MethodGet, "/api/v1/config/snapshots?"+q.Encode(), nil)
			a.mustStatus(r, http.StatusOK)
			var p store.Page[store.SnapshotMeta]
			r.json(t, &p)
			for _, s := range p.Items {
				if seen[s.ID] {
					t.Fatalf("snapshot %s on two pages", s.ID)
				}
				seen[s.ID] = true
			}
			if page == 0 { // a newer snapshot arrives; the following pages must not shift
				recordSnapshots(t, a.svc.Store(), 1, start.Add(time.Hour))
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		for _, s := range snaps {
			if !seen[s.ID] {
				t.Fatalf("snapshot %s never listed", s.ID)
			}
		}
	})
	t.Run("filters", func(t *testing.T) {
		q := url.Values{"since": {start.Add(time.Second).Format(time.RFC3339)}, "until": {start.Add(3 * time.Second).Format(time.RFC3339)}, "client": {"cursor"}}
		r := a.do(http.MethodGet, "/api/v1/config/snapshots?"+q.Encode(), nil)
		a.mustStatus(r, http.StatusOK)
		var p store.Page[store.SnapshotMeta]
		r.json(t, &p)
		if len(p.Items) != 2 {
			t.Fatalf("since/until: %d items, want 2: %s", len(p.Items), r.body)
		}
		a.do(http.MethodGet, "/api/v1/config/snapshots?since=yesterday", nil).wantField(t, "query.since")
		a.do(http.MethodGet, "/api/v1/config/snapshots?limit=5000", nil).wantField(t, "query.limit")
		a.do(http.MethodGet, "/api/v1/config/snapshots?cursor=%21%21", nil).wantField(t, "query.cursor")
		q = url.Values{"since": {start.Format(time.RFC3339)}, "until": {start.Add(-time.Hour).Format(time.RFC3339)}}
		a.do(http.MethodGet, "/api/v1/config/snapshots?"+q.Encode(), nil).wantField(t, "query.until")
	})
	t.Run("one, and its diff", func(t *testing.T) {
		r := a.do(http.MethodGet, "/api/v1/config/snapshots/"+snaps[2].ID, nil)
		a.mustStatus(r, http.StatusOK)
		var v struct {
			ID     string `json:"id"`
			Config struct {
				Servers map[string]any `json:"servers"`
			} `json:"config"`
		}
		r.json(t, &v)
		if v.ID != snaps[2].ID || len(v.Config.Servers) != 3 {
			t.Fatalf("snapshot %s", r.body)
		}
		r = a.do(http.MethodGet, "/api/v1/config/snapshots/"+snaps[2].ID+"/diff", nil)
		a.mustStatus(r, http.StatusOK)
		var d struct {
			From    string            `json:"from"`
			To      string            `json:"to"`
			Changes []json.RawMessage `json:"changes"`
		}
		r.json(t, &d)
		if d.From != snaps[1].ID || d.To != snaps[2].ID || len(d.Changes) != 1 {
			t.Fatalf("diff %s", r.body)
		}
		r = a.do(http.MethodGet, "/api/v1/config/snapshots/"+snaps[3].ID+"/diff?against="+snaps[0].ID, nil)
		a.mustStatus(r, http.StatusOK)
		r.json(t, &d)
		if d.From != snaps[0].ID || len(d.Changes) != 3 {
			t.Fatalf("diff against %s", r.body)
		}
		for _, path := range []string{"/api/v1/config/snapshots/nope", "/api/v1/config/snapshots/nope/diff", "/api/v1/config/snapshots/" + snaps[1].ID + "/diff?against=nope"} {
			r := a.do(http.MethodGet, path, nil)
			a.mustStatus(r, http.StatusNotFound)
			r.problem(t)
		}
	})
	t.Run("apply", func(t *testing.T) {
		r := a.do(http.MethodPost, "/api/v1/config/apply", map[string]any{"snapshotId": snaps[1].ID, "dryRun": true})
		a.mustStatus(r, http.StatusOK)
		var res struct {
			SnapshotID string `json:"snapshotId"`
			DryRun     bool   `json:"dryRun"`
			Scope      string `json:"scope"`
		}
		r.json(t, &res)
		if res.SnapshotID != snaps[1].ID || !res.DryRun || res.Scope != "user" {
			t.Fatalf("apply %s", r.body)
		}
		a.mustStatus(a.do(http.MethodPost, "/api/v1/config/apply", map[string]any{"snapshotId": snaps[1].ID}), http.StatusOK)
		r = a.do(http.MethodPost, "/api/v1/config/apply", map[string]any{"snapshotId": "nope"})
		a.mustStatus(r, http.StatusNotFound)
		a.do(http.MethodPost, "/api/v1/config/apply", map[string]any{"dryRun": true}).wantField(t, "body.snapshotId")
		a.do(http.MethodPost, "/api/v1/config/apply", map[string]any{"snapshotId": snaps[1].ID, "targets": []string{"no-such-client"}}).wantField(t, "body.targets")
		a.do(http.MethodPost, "/api/v1/config/apply", map[string]any{"snapshotId": snaps[1].ID, "dry_run": true}).wantField(t, "body.dry_run")
		a.mustStatus(a.do(http.MethodPost, "/api/v1/config/apply", `not json`), http.StatusBadRequest)
	})
}

func TestJSONBodyLimit(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	big := `{"path":"` + strings.Repeat("a", maxJSONBody+10) + `"}`
	r := a.do(http.MethodPost, "/api/v1/projects", big)
	a.mustStatus(r, http.StatusRequestEntityTooLarge)
	r.problem(t)
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	ctx := context.Background()
	mk := func(key string) store.Conflict {
		c, err := a.svc.Store().CreateConflict(ctx, store.Conflict{Scope: "user", ItemKey: key, Kind: "server",
			Base: json.RawMessage(`{"transport":"stdio","command":"base"}`),
			Sides: []store.ConflictSide{
				{ClientID: "cursor", Value: json.RawMessage(`{"transport":"stdio","command":"a"}`), MTime: time.Now()},
				{ClientID: "claude-code", Value: json.RawMessage(`{"transport":"stdio","command":"b"}`), MTime: time.Now()},
			}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1, c2 := mk("servers/one"), mk("servers/two")

	r := a.do(http.MethodGet, "/api/v1/conflicts?status=pending", nil)
	a.mustStatus(r, http.StatusOK)
	var list struct{ Items []store.Conflict }
	r.json(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("pending %s", r.body)
	}
	a.do(http.MethodGet, "/api/v1/conflicts?status=maybe", nil).wantField(t, "query.status")
	r = a.do(http.MethodGet, "/api/v1/conflicts/"+c1.ID, nil)
	a.mustStatus(r, http.StatusOK)
	a.mustStatus(a.do(http.MethodGet, "/api/v1/conflicts/nope", nil), http.StatusNotFound)

	a.do(http.MethodPost, "/api/v1/conflicts/"+c1.ID+"/resolve", map[string]any{"choice": "coin"}).wantField(t, "body.choice")
	a.do(http.MethodPost, "/api/v1/conflicts/"+c1.ID+"/resolve", map[string]any{"choice": "client", "client": "nobody"}).wantField(t, "body")
	a.mustStatus(a.do(http.MethodPost, "/api/v1/conflicts/nope/resolve", map[string]any{"choice": "base"}), http.StatusNotFound)

	r = a.do(http.MethodPost, "/api/v1/conflicts/"+c1.ID+"/resolve", map[string]any{"choice": "value", "value": map[string]any{"transport": "stdio", "command": "merged"}})
	a.mustStatus(r, http.StatusOK)
	r = a.do(http.MethodPost, "/api/v1/conflicts/"+c1.ID+"/resolve", map[string]any{"choice": "base"})
	a.mustStatus(r, http.StatusConflict)
	r.problem(t)

	if _, err := a.svc.Store().ResolveConflict(ctx, c2.ID, json.RawMessage(`{"choice":"base"}`), "test"); err != nil {
		t.Fatal(err)
	}
	a.mustStatus(a.do(http.MethodPost, "/api/v1/conflicts/"+c2.ID+"/resolve", map[string]any{"choice": "client", "client": "cursor"}), http.StatusConflict)
	r = a.do(http.MethodGet, "/api/v1/conflicts?status=resolved", nil)
	r.json(t, &list)
	if len(list.Items) != 2 {
		t.Fatalf("resolved %s", r.body)
	}
}

func TestProjects(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	dir := t.TempDir()
	r := a.do(http.MethodPost, "/api/v1/projects", map[string]string{"path": dir})
	a.mustStatus(r, http.StatusCreated)
	var p store.Project
	r.json(t, &p)
	if p.Path != dir {
		t.Fatalf("project %s", r.body)
	}
	var list struct{ Items []store.Project }
	a.do(http.MethodGet, "/api/v1/projects", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Path != dir {
		t.Fatalf("projects %+v", list)
	}
	a.do(http.MethodPost, "/api/v1/projects", map[string]string{"path": dir + "/missing"}).wantField(t, "body.path")
	a.do(http.MethodPost, "/api/v1/projects", map[string]string{}).wantField(t, "body.path")
	a.do(http.MethodDelete, "/api/v1/projects", nil).wantField(t, "query.path")

	a.mustStatus(a.do(http.MethodDelete, "/api/v1/projects?path="+url.QueryEscape(dir), nil), http.StatusNoContent)
	a.mustStatus(a.do(http.MethodDelete, "/api/v1/projects?path="+url.QueryEscape(dir), nil), http.StatusNotFound)
	a.mustStatus(a.do(http.MethodPost, "/api/v1/projects", map[string]string{"path": dir}), http.StatusCreated)
	a.mustStatus(a.do(http.MethodDelete, "/api/v1/projects", map[string]string{"path": dir}), http.StatusNoContent)
}

func TestStaticUI(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t, Options{})
	index := a.do(http.MethodGet, "/", nil, noAuthHeader())
	a.mustStatus(index, http.StatusOK)
	if !strings.Contains(string(index.body), "<html") {
		t.Fatalf("index %s", index.body)
	}
	spa := a.do(http.MethodGet, "/clients/cursor", nil, noAuthHeader())
	a.mustStatus(spa, http.StatusOK)
	if string(spa.body) != string(index.body) {
		t.Fatal("SPA route does not get index.html")
	}
	a.mustStatus(a.do(http.MethodGet, "/assets/missing.js", nil, noAuthHeader()), http.StatusNotFound)
	a.mustStatus(a.do(http.MethodPost, "/", nil, noAuthHeader()), http.StatusMethodNotAllowed)
	a.mustStatus(a.do(http.MethodGet, "/favicon.svg", nil, noAuthHeader()), http.StatusOK)
}
