package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"aisync/backend/buildinfo"
	"aisync/backend/clients"
	"aisync/backend/engine"
	"aisync/backend/service"
	"aisync/backend/store"
)

// body is the output of every JSON operation.
type body[T any] struct{ Body T }

// list wraps a non-paginated list, so every list is an object with items (paginated ones
// add nextCursor).
type list[T any] struct {
	Items []T `json:"items"`
}

func ok[T any](v T) *body[T] { return &body[T]{Body: v} }

func items[T any](v []T) *body[list[T]] {
	if v == nil {
		v = []T{}
	}
	return &body[list[T]]{Body: list[T]{Items: v}}
}

type idPath struct {
	ID string `path:"id" minLength:"1" maxLength:"200"`
}

// ---- system

func (s *Server) version(_ context.Context, _ *struct{}) (*body[buildinfo.Info], error) {
	return ok(s.svc.Version()), nil
}

func (s *Server) stats(ctx context.Context, _ *struct{}) (*body[service.Stats], error) {
	st, err := s.svc.Stats(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(st), nil
}

// Health is the answer of /healthz.
type Health struct {
	Status string `json:"status" enum:"ok,unavailable"`
	Error  string `json:"error,omitempty"`
}

type healthOutput struct {
	Status int
	Body   Health
}

func (s *Server) healthz(ctx context.Context, _ *struct{}) (*healthOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, healthPingTimeout)
	defer cancel()
	if err := s.svc.Health(ctx); err != nil {
		return &healthOutput{Status: http.StatusServiceUnavailable, Body: Health{Status: "unavailable", Error: "database: " + err.Error()}}, nil
	}
	return &healthOutput{Status: http.StatusOK, Body: Health{Status: "ok"}}, nil
}

func (s *Server) metrics(_ context.Context, _ *struct{}) (*huma.StreamResponse, error) {
	reg := s.svc.Engine().Metrics().Registry
	return &huma.StreamResponse{Body: func(ctx huma.Context) {
		r, w := humago.Unwrap(ctx)
		reg.ServeHTTP(w, r)
	}}, nil
}

// ---- config history

type snapshotsInput struct {
	Scope  string    `query:"scope" maxLength:"4096" doc:"user or project:/abs/path"`
	Client string    `query:"client" maxLength:"100" doc:"Snapshots caused by this client's change"`
	Since  time.Time `query:"since" doc:"Created at or after (RFC 3339)"`
	Until  time.Time `query:"until" doc:"Created before (RFC 3339)"`
	Limit  int       `query:"limit" minimum:"1" maximum:"1000" default:"50"`
	Cursor string    `query:"cursor" maxLength:"1024" doc:"nextCursor of the previous page"`
}

func (s *Server) listSnapshots(ctx context.Context, in *snapshotsInput) (*body[store.Page[store.SnapshotMeta]], error) {
	if err := timeRange(in.Since, in.Until, "query"); err != nil {
		return nil, err
	}
	p, err := s.svc.Snapshots(ctx, service.SnapshotFilter{Scope: in.Scope, ClientID: in.Client, Since: in.Since, Until: in.Until, Limit: in.Limit, Cursor: in.Cursor})
	if err != nil {
		return nil, s.problem(ctx, err, "query.cursor")
	}
	return ok(p), nil
}

func timeRange(since, until time.Time, loc string) error {
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		return huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{Location: loc + ".until", Message: "until must be after since", Value: until})
	}
	return nil
}

func (s *Server) getSnapshot(ctx context.Context, in *idPath) (*body[service.SnapshotView], error) {
	v, err := s.svc.Snapshot(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(v), nil
}

type diffInput struct {
	ID      string `path:"id" minLength:"1" maxLength:"200"`
	Against string `query:"against" maxLength:"200" doc:"Compare with this snapshot instead of the parent"`
}

func (s *Server) diffSnapshot(ctx context.Context, in *diffInput) (*body[service.SnapshotDiff], error) {
	d, err := s.svc.Diff(ctx, in.ID, in.Against)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(d), nil
}

type applyInput struct {
	Body struct {
		SnapshotID string   `json:"snapshotId" minLength:"1" maxLength:"200" doc:"The snapshot to apply"`
		Targets    []string `json:"targets,omitempty" maxItems:"100" doc:"Client ids (default: every enabled client)"`
		DryRun     bool     `json:"dryRun,omitempty" doc:"Only preview the per-file changes"`
	}
}

func (s *Server) apply(ctx context.Context, in *applyInput) (*body[engine.ApplyResult], error) {
	if err := knownClients(in.Body.Targets, "body.targets"); err != nil {
		return nil, err
	}
	r, err := s.svc.Apply(ctx, in.Body.SnapshotID, in.Body.Targets, in.Body.DryRun)
	if err != nil {
		return nil, s.problem(ctx, err, "body")
	}
	return ok(r), nil
}

// knownClients answers 422 naming the first unknown client id.
func knownClients(ids []string, loc string) error {
	var errs []error
	for i, id := range ids {
		if _, found := clients.Get(id); !found {
			errs = append(errs, &huma.ErrorDetail{Location: fmt.Sprintf("%s[%d]", loc, i), Message: "unknown client id (see GET /api/v1/clients)", Value: id})
		}
	}
	if len(errs) > 0 {
		return huma.Error422UnprocessableEntity("validation failed", errs...)
	}
	return nil
}

// ---- sync

func (s *Server) syncStatus(ctx context.Context, _ *struct{}) (*body[service.StatusReport], error) {
	r, err := s.svc.Status(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(r), nil
}

type triggerInput struct {
	Body *struct {
		Clients []string `json:"clients,omitempty" maxItems:"100" doc:"Client ids to sync (default: every detected client)"`
	}
}

// TriggerResult is the outcome of a sync run started through the API.
type TriggerResult struct {
	SyncEventID string             `json:"syncEventId"`
	Result      service.SyncResult `json:"result"`
}

func (s *Server) triggerSync(ctx context.Context, in *triggerInput) (*body[TriggerResult], error) {
	var only []string
	if in.Body != nil {
		only = in.Body.Clients
	}
	if err := knownClients(only, "body.clients"); err != nil {
		return nil, err
	}
	res, err := s.svc.SyncOnce(ctx, only, "api")
	if err != nil {
		return nil, s.problem(ctx, err, "body.clients")
	}
	return ok(TriggerResult{SyncEventID: res.SyncEventID, Result: res}), nil
}

// PauseState says whether automatic syncing is paused.
type PauseState struct {
	Paused bool `json:"paused" doc:"true pauses automatic syncing; manual triggers still run"`
}

type pauseInput struct{ Body PauseState }

func (s *Server) pauseSync(_ context.Context, in *pauseInput) (*body[PauseState], error) {
	s.svc.SetPaused(in.Body.Paused)
	return ok(PauseState{Paused: s.svc.Engine().Paused()}), nil
}

type pageInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50"`
	Cursor string `query:"cursor" maxLength:"1024" doc:"nextCursor of the previous page"`
}

func (s *Server) syncEvents(ctx context.Context, in *pageInput) (*body[store.Page[store.SyncEvent]], error) {
	p, err := s.svc.SyncEvents(ctx, in.Limit, in.Cursor)
	if err != nil {
		return nil, s.problem(ctx, err, "query.cursor")
	}
	return ok(p), nil
}

// ---- logs and exports

var logLevels = []string{store.LevelDebug, store.LevelInfo, store.LevelWarn, store.LevelError}

type logsInput struct {
	Level  []string  `query:"level,explode" doc:"debug, info, warn or error; repeat the parameter or give a comma-separated list"`
	Client string    `query:"client" maxLength:"100"`
	Event  string    `query:"event" maxLength:"200" doc:"Event type, e.g. sync.finished"`
	Since  time.Time `query:"since" doc:"At or after (RFC 3339)"`
	Until  time.Time `query:"until" doc:"Before (RFC 3339)"`
	Q      string    `query:"q" maxLength:"500" doc:"Full-text search: every word must occur; a trailing * matches a prefix"`
	Limit  int       `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	Cursor string    `query:"cursor" maxLength:"1024" doc:"nextCursor of the previous page"`
}

// levels splits comma lists, drops blanks and checks each level, naming the bad one.
func levels(in []string, loc string) ([]string, error) {
	var out []string
	var errs []error
	for _, v := range in {
		for _, l := range strings.Split(v, ",") {
			l = strings.ToLower(strings.TrimSpace(l))
			if l == "" {
				continue
			}
			valid := false
			for _, x := range logLevels {
				valid = valid || l == x
			}
			if !valid {
				errs = append(errs, &huma.ErrorDetail{Location: loc, Message: "want debug, info, warn or error", Value: l})
				continue
			}
			out = append(out, l)
		}
	}
	if len(errs) > 0 {
		return nil, huma.Error422UnprocessableEntity("validation failed", errs...)
	}
	return out, nil
}

func (s *Server) listLogs(ctx context.Context, in *logsInput) (*body[store.Page[store.LogEntry]], error) {
	lv, err := levels(in.Level, "query.level")
	if err != nil {
		return nil, err
	}
	if err := timeRange(in.Since, in.Until, "query"); err != nil {
		return nil, err
	}
	p, err := s.svc.Logs(ctx, service.LogFilter{Levels: lv, ClientID: in.Client, Event: in.Event, Since: in.Since, Until: in.Until, Query: in.Q, Limit: in.Limit, Cursor: in.Cursor})
	if err != nil {
		return nil, s.problem(ctx, err, "query")
	}
	return ok(p), nil
}

// LogExportRequest selects the entries to export and the file format.
type LogExportRequest struct {
	Levels []string  `json:"levels,omitempty" maxItems:"4" doc:"debug, info, warn, error (default: all)"`
	Client string    `json:"client,omitempty" maxLength:"100"`
	Event  string    `json:"event,omitempty" maxLength:"200"`
	Since  time.Time `json:"since,omitzero" required:"false"`
	Until  time.Time `json:"until,omitzero" required:"false"`
	Q      string    `json:"q,omitempty" maxLength:"500"`
	Format string    `json:"format,omitempty" enum:"csv,json,jsonl" default:"csv"`
}

type exportInput struct {
	Body *LogExportRequest
}

func (s *Server) exportLogs(ctx context.Context, in *exportInput) (*body[store.Export], error) {
	b := in.Body
	if b == nil {
		b = &LogExportRequest{}
	}
	lv, err := levels(b.Levels, "body.levels")
	if err != nil {
		return nil, err
	}
	if err := timeRange(b.Since, b.Until, "body"); err != nil {
		return nil, err
	}
	rec, err := s.svc.ExportLogs(ctx, service.LogFilter{Levels: lv, ClientID: b.Client, Event: b.Event, Since: b.Since, Until: b.Until, Query: b.Q}, b.Format)
	if err != nil {
		return nil, s.problem(ctx, err, "body")
	}
	return ok(rec), nil
}

type exportsInput struct {
	Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100"`
}

func (s *Server) listExports(ctx context.Context, in *exportsInput) (*body[list[store.Export]], error) {
	l, err := s.svc.Exports(ctx, in.Limit)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return items(l), nil
}

var exportTypes = map[string]string{
	"csv":    "text/csv; charset=utf-8",
	"json":   "application/json",
	"jsonl":  "application/x-ndjson",
	"tar.gz": "application/gzip",
}

func (s *Server) downloadExport(ctx context.Context, in *idPath) (*huma.StreamResponse, error) {
	rec, f, err := s.svc.ExportFile(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		defer f.Close()
		r, w := humago.Unwrap(hctx)
		ct := exportTypes[rec.Format]
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filepath.Base(rec.Path)))
		modified := rec.FinishedAt
		if fi, err := f.Stat(); err == nil {
			modified = fi.ModTime()
		}
		http.ServeContent(w, r, "", modified, f)
	}}, nil
}

// ---- clients

func (s *Server) listClients(ctx context.Context, _ *struct{}) (*body[list[service.ClientInfo]], error) {
	l, err := s.svc.Clients(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return items(l), nil
}

func (s *Server) getClient(ctx context.Context, in *idPath) (*body[service.ClientInfo], error) {
	c, err := s.svc.Client(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(c), nil
}

type clientPatchInput struct {
	ID   string `path:"id" minLength:"1" maxLength:"200"`
	Body service.ClientPatch
}

func (s *Server) updateClient(ctx context.Context, in *clientPatchInput) (*body[service.ClientInfo], error) {
	c, err := s.svc.UpdateClient(ctx, in.ID, in.Body)
	if err != nil {
		return nil, s.problem(ctx, err, "body.conflictPolicy")
	}
	return ok(c), nil
}

// ---- conflicts

type conflictsInput struct {
	Status string `query:"status" enum:"pending,resolved" doc:"Only conflicts in this state (default: all)"`
}

func (s *Server) listConflicts(ctx context.Context, in *conflictsInput) (*body[list[store.Conflict]], error) {
	l, err := s.svc.Conflicts(ctx, in.Status)
	if err != nil {
		return nil, s.problem(ctx, err, "query.status")
	}
	return items(l), nil
}

func (s *Server) getConflict(ctx context.Context, in *idPath) (*body[store.Conflict], error) {
	c, err := s.svc.Conflict(ctx, in.ID)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(c), nil
}

type resolveInput struct {
	ID   string `path:"id" minLength:"1" maxLength:"200"`
	Body struct {
		Choice string          `json:"choice" enum:"client,base,value,confirm,restore" doc:"client: keep one client's version; base: the common ancestor; value: the given value; confirm/restore: for a file that lost all its entries"`
		Client string          `json:"client,omitempty" maxLength:"100" doc:"With choice=client: whose version to keep"`
		Value  json.RawMessage `json:"value,omitempty" doc:"With choice=value: the merged or edited item (null deletes it)"`
	}
}

func (s *Server) resolveConflict(ctx context.Context, in *resolveInput) (*body[service.SyncResult], error) {
	r := service.Resolution{Choice: in.Body.Choice, Client: in.Body.Client, Value: in.Body.Value}
	res, err := s.svc.ResolveConflict(ctx, in.ID, r, "api")
	if err != nil {
		return nil, s.problem(ctx, err, "body")
	}
	return ok(res), nil
}

// ---- backup and restore

func (s *Server) backup(ctx context.Context, _ *struct{}) (*body[store.Export], error) {
	rec, err := s.svc.Backup(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return ok(rec), nil
}

// RestoreResult confirms a restore.
type RestoreResult struct {
	Restored bool   `json:"restored"`
	Message  string `json:"message"`
}

func (s *Server) restore(ctx context.Context, _ *struct{}) (*body[RestoreResult], error) {
	rb, found := ctx.Value(rawBodyKey{}).(*rawRequestBody)
	if !found {
		return nil, huma.Error500InternalServerError("request body unavailable")
	}
	if !archiveType(rb.contentType) {
		return nil, huma.Error415UnsupportedMediaType("send the archive as application/gzip or application/octet-stream", &huma.ErrorDetail{Location: "header.Content-Type", Message: "unsupported media type", Value: rb.contentType})
	}
	limit := s.opt.MaxRestoreBytes
	tooLarge := huma.Error413RequestEntityTooLarge(fmt.Sprintf("the archive is larger than the limit of %d bytes", limit))
	if rb.length > limit {
		return nil, tooLarge
	}
	lr := &limitedReader{r: rb.body, remaining: limit}
	err := s.svc.Restore(ctx, lr)
	if lr.over {
		return nil, tooLarge
	}
	if err != nil {
		return nil, s.problem(ctx, err, "body")
	}
	return ok(RestoreResult{Restored: true, Message: "state restored from the backup"}), nil
}

// ---- projects

func (s *Server) listProjects(ctx context.Context, _ *struct{}) (*body[list[store.Project]], error) {
	l, err := s.svc.Projects(ctx)
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return items(l), nil
}

// ProjectRequest names a project folder.
type ProjectRequest struct {
	Path string `json:"path" minLength:"1" maxLength:"4096" doc:"Absolute path of the project folder"`
}

type projectInput struct{ Body ProjectRequest }

func (s *Server) addProject(ctx context.Context, in *projectInput) (*body[store.Project], error) {
	p, err := s.svc.AddProject(ctx, in.Body.Path)
	if err != nil {
		return nil, s.problem(ctx, err, "body.path")
	}
	return ok(p), nil
}

type removeProjectInput struct {
	Path string `query:"path" maxLength:"4096" doc:"The project folder (or send {\"path\": ...} as the body)"`
	Body *struct {
		Path string `json:"path,omitempty" maxLength:"4096"`
	}
}

func (s *Server) removeProject(ctx context.Context, in *removeProjectInput) (*struct{}, error) {
	path := in.Path
	if path == "" && in.Body != nil {
		path = in.Body.Path
	}
	if path == "" {
		return nil, huma.Error422UnprocessableEntity("validation failed", &huma.ErrorDetail{Location: "query.path", Message: "path is required (query parameter or body)"})
	}
	if err := s.svc.RemoveProject(ctx, path); err != nil {
		return nil, s.problem(ctx, err, "query.path")
	}
	return nil, nil
}
