package httpapi

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// noAuth marks an operation as public in the OpenAPI document.
var noAuth = []map[string][]string{{}}

// operation fills what every operation shares: the JSON body limit and the errors the
// middleware can answer with.
func operation(method, path, id, summary, tag string, errs ...int) huma.Operation {
	return huma.Operation{
		OperationID:  id,
		Method:       method,
		Path:         path,
		Summary:      summary,
		Tags:         []string{tag},
		MaxBodyBytes: maxJSONBody,
		Errors:       append([]int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests}, errs...),
	}
}

func (s *Server) routes(mux *http.ServeMux) {
	api := s.api
	const (
		get, post, patch, del = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	)

	// Authentication.
	login := operation(post, loginPath, "login", "Exchange the admin password for an access token and a session cookie", "auth", http.StatusBadRequest, http.StatusUnprocessableEntity)
	login.Security = noAuth
	login.Description = "Returns a bearer token with its expiry and sets an HttpOnly, SameSite=Strict session cookie for the web UI. " +
		"Cookie-authenticated POST/PATCH/PUT/DELETE requests must send the returned csrf_token as X-CSRF-Token. " +
		"Repeated failures from one client are answered with 429 and Retry-After."
	huma.Register(api, login, s.login)
	logout := operation(post, "/api/v1/auth/logout", "logout", "Revoke the access token or session and clear the cookies", "auth")
	logout.DefaultStatus = http.StatusNoContent
	huma.Register(api, logout, s.logout)
	huma.Register(api, operation(get, "/api/v1/auth/session", "get-session", "How this request is authenticated (and the CSRF token of a cookie session)", "auth"), s.session)

	// System.
	huma.Register(api, operation(get, "/api/v1/version", "get-version", "Build version", "system"), s.version)
	huma.Register(api, operation(get, "/api/v1/stats", "get-stats", "Monitoring indicators for the dashboard (success rate, latency, per-client events, levels)", "system"), s.stats)
	health := operation(get, "/healthz", "healthz", "Health check (no authentication); pings the database", "system", http.StatusServiceUnavailable)
	health.Security = noAuth
	health.Errors = nil
	huma.Register(api, health, s.healthz)
	metrics := operation(get, "/metrics", "metrics", "Prometheus metrics (text exposition format)", "system")
	metrics.Responses = map[string]*huma.Response{"200": {Description: "Prometheus text format", Content: map[string]*huma.MediaType{"text/plain": {Schema: &huma.Schema{Type: "string"}}}}}
	huma.Register(api, metrics, s.metrics)

	// Configuration history.
	huma.Register(api, operation(get, "/api/v1/config/snapshots", "list-snapshots", "List snapshots, newest first (keyset pagination)", "config", http.StatusUnprocessableEntity), s.listSnapshots)
	huma.Register(api, operation(get, "/api/v1/config/snapshots/{id}", "get-snapshot", "One snapshot with its unified state", "config", http.StatusNotFound), s.getSnapshot)
	huma.Register(api, operation(get, "/api/v1/config/snapshots/{id}/diff", "diff-snapshot", "Compare a snapshot with its parent or another snapshot", "config", http.StatusNotFound), s.diffSnapshot)
	huma.Register(api, operation(post, "/api/v1/config/apply", "apply-snapshot", "Apply a snapshot to clients (rollback); dryRun previews per-file diffs", "config", http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity), s.apply)

	// Sync.
	huma.Register(api, operation(get, "/api/v1/sync/status", "get-sync-status", "Sync state of every client, last sync, pending conflicts", "sync"), s.syncStatus)
	huma.Register(api, operation(post, "/api/v1/sync/trigger", "trigger-sync", "Run a sync pass now (all clients, or the given ones)", "sync", http.StatusBadRequest, http.StatusUnprocessableEntity), s.triggerSync)
	huma.Register(api, operation(post, "/api/v1/sync/pause", "pause-sync", "Pause or resume automatic syncing", "sync", http.StatusBadRequest, http.StatusUnprocessableEntity), s.pauseSync)
	huma.Register(api, operation(get, "/api/v1/sync/events", "list-sync-events", "Sync run history, newest first (keyset pagination)", "sync", http.StatusUnprocessableEntity), s.syncEvents)

	// Logs and exports.
	huma.Register(api, operation(get, "/api/v1/logs", "list-logs", "Search the event log, newest first (keyset pagination)", "logs", http.StatusUnprocessableEntity), s.listLogs)
	export := operation(post, "/api/v1/logs/export", "export-logs", "Export matching log entries to a file (csv, json or jsonl)", "logs", http.StatusBadRequest, http.StatusUnprocessableEntity)
	export.DefaultStatus = http.StatusCreated
	huma.Register(api, export, s.exportLogs)
	huma.Register(api, operation(get, "/api/v1/exports", "list-exports", "Export and backup history, newest first", "exports", http.StatusUnprocessableEntity), s.listExports)
	download := operation(get, "/api/v1/exports/{id}/download", "download-export", "Download a finished export or backup", "exports", http.StatusNotFound)
	download.Responses = map[string]*huma.Response{"200": {Description: "The file, as an attachment", Content: map[string]*huma.MediaType{
		"text/csv": {Schema: &huma.Schema{Type: "string"}}, "application/json": {}, "application/x-ndjson": {Schema: &huma.Schema{Type: "string"}},
		"application/gzip": {Schema: &huma.Schema{Type: "string", Format: "binary"}},
	}}}
	huma.Register(api, download, s.downloadExport)

	// Clients.
	huma.Register(api, operation(get, "/api/v1/clients", "list-clients", "Every known client: detected, enabled, priority, capabilities, files, status", "clients"), s.listClients)
	huma.Register(api, operation(get, "/api/v1/clients/{id}", "get-client", "One client", "clients", http.StatusNotFound), s.getClient)
	huma.Register(api, operation(patch, "/api/v1/clients/{id}", "update-client", "Change a client's enabled flag, priority or conflict policy", "clients", http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity), s.updateClient)

	// Conflicts.
	huma.Register(api, operation(get, "/api/v1/conflicts", "list-conflicts", "Conflicts, oldest first, optionally by status", "conflicts", http.StatusUnprocessableEntity), s.listConflicts)
	huma.Register(api, operation(get, "/api/v1/conflicts/{id}", "get-conflict", "One conflict with every side", "conflicts", http.StatusNotFound), s.getConflict)
	huma.Register(api, operation(post, "/api/v1/conflicts/{id}/resolve", "resolve-conflict", "Decide a conflict and re-sync its scope", "conflicts", http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), s.resolveConflict)

	// Backup and restore.
	backup := operation(post, "/api/v1/backup", "create-backup", "Write a .tar.gz backup of the whole state into the export store", "backup")
	backup.DefaultStatus = http.StatusCreated
	huma.Register(api, backup, s.backup)
	restore := operation(post, "/api/v1/restore", "restore-backup", "Replace the whole state with a backup archive (the request body)", "backup",
		http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	restore.MaxBodyBytes = s.opt.MaxRestoreBytes
	restore.RequestBody = &huma.RequestBody{Required: true, Description: "A backup archive from POST /api/v1/backup (at most 512 MiB).", Content: map[string]*huma.MediaType{
		"application/gzip":         {Schema: &huma.Schema{Type: "string", Format: "binary"}},
		"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}},
	}}
	restore.Middlewares = huma.Middlewares{rawBody}
	huma.Register(api, restore, s.restore)

	// Projects.
	huma.Register(api, operation(get, "/api/v1/projects", "list-projects", "Registered project folders", "projects"), s.listProjects)
	addProject := operation(post, "/api/v1/projects", "add-project", "Register a project folder as a scope and sync it", "projects", http.StatusBadRequest, http.StatusUnprocessableEntity)
	addProject.DefaultStatus = http.StatusCreated
	huma.Register(api, addProject, s.addProject)
	removeProject := operation(del, "/api/v1/projects", "remove-project", "Stop syncing a project folder (its files stay as they are)", "projects", http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity)
	removeProject.DefaultStatus = http.StatusNoContent
	huma.Register(api, removeProject, s.removeProject)

	// Realtime.
	events := operation(get, eventsPath, "stream-events", "Server-Sent Events from the engine (sync, snapshot, conflict, warning, ...)", "events")
	events.Description = "Each event is sent as `id: <n>`, `event: <type>`, `data: <json>`. Reconnecting with Last-Event-ID " +
		"(or ?lastEventId=) replays the remembered events after that id. A comment line is sent every 15 s as a heartbeat."
	events.Responses = map[string]*huma.Response{"200": {Description: "An event stream", Content: map[string]*huma.MediaType{"text/event-stream": {Schema: &huma.Schema{Type: "string"}}}}}
	huma.Register(api, events, s.streamEvents)

	// Unknown API paths get a problem, not the web UI; everything else is the web UI.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, http.StatusNotFound, "no API route "+r.Method+" "+r.URL.Path)
	})
	mux.Handle("/", s.static())
}
