// Package store is aisync's persistence: the seed's ERD (clients, endpoints, snapshots and
// their diffs, sync events, the event log) plus the state the sync engine keeps between runs
// (conflicts, tombstones, endpoint bases, exports, settings, projects).
//
// Callers depend on the Store interface (or one of the narrower interfaces it is made of), so
// that a shared PostgreSQL store for multi-machine setups can be added without touching them.
// The only implementation today is *SQLite.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Sentinel errors callers branch on. Every error the store returns wraps one of these or a
// driver error, behind a "verb object: cause" prefix.
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflictResolved means a conflict was already resolved, so it cannot be resolved again.
	ErrConflictResolved = errors.New("conflict already resolved")
	// ErrAlreadyFinished means a sync event or export was already finished.
	ErrAlreadyFinished = errors.New("already finished")
	// ErrInvalidCursor means a pagination cursor was not produced by this store.
	ErrInvalidCursor = errors.New("invalid cursor")
	// ErrInvalidArgument means a value the store refuses before it reaches the database
	// (an unknown log level, a malformed JSON payload, an empty key).
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrSchemaTooNew means the database was migrated by a newer aisync; this binary refuses
	// to touch it rather than misread it.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrIntegrity means an integrity or foreign key check found problems.
	ErrIntegrity = errors.New("integrity check failed")
)

// Store is everything the rest of aisync persists. It is safe for concurrent use.
type Store interface {
	ClientStore
	SnapshotStore
	SyncEventStore
	LogStore
	ConflictStore
	EngineStateStore
	ExportStore
	SettingStore
	ProjectStore

	// IntegrityCheck verifies the database file, its foreign keys and its search index.
	IntegrityCheck(ctx context.Context) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Backup writes a consistent copy of the whole database to destPath atomically.
	Backup(ctx context.Context, destPath string) error
	// Restore replaces the whole database with a validated copy made by Backup.
	Restore(ctx context.Context, srcPath string) error
	// Path is where the database lives (a file path or, for a server database, its address).
	Path() string
	// Close releases the database; the Store must not be used afterwards.
	Close() error
}

// ClientStore keeps the AI clients aisync knows and the config files it found for them.
type ClientStore interface {
	// UpsertClient inserts c, or updates the name, type and status of the client with the
	// same ID (keeping its CreatedAt and the user's priority, enabled and conflict policy,
	// which only UpdateClient changes).
	UpsertClient(ctx context.Context, c Client) (Client, error)
	// UpsertClients is UpsertClient for several clients at once, in one transaction.
	UpsertClients(ctx context.Context, cs []Client) ([]Client, error)
	GetClient(ctx context.Context, id string) (Client, error)
	// ListClients returns all clients, highest priority first, then by ID.
	ListClients(ctx context.Context) ([]Client, error)
	// UpdateClient changes only the fields set in patch.
	UpdateClient(ctx context.Context, id string, patch ClientPatch) (Client, error)

	// UpsertEndpoint inserts e or updates the endpoint with the same (ClientID, Path,
	// ConfigType), keeping its ID. It returns the stored endpoint.
	UpsertEndpoint(ctx context.Context, e Endpoint) (Endpoint, error)
	// ListEndpoints returns the endpoints of one client, or of all clients when clientID is "".
	ListEndpoints(ctx context.Context, clientID string) ([]Endpoint, error)
}

// SnapshotStore keeps the history of each scope's unified state.
type SnapshotStore interface {
	// RecordSnapshot stores a snapshot, its diffs and the log entries about it in one
	// transaction: either all of them are stored or none. Empty IDs and zero times are
	// filled in.
	RecordSnapshot(ctx context.Context, snap Snapshot, diffs []SnapshotDiff, logs ...LogEntry) (Snapshot, error)
	GetSnapshot(ctx context.Context, id string) (Snapshot, error)
	// LatestSnapshot is the newest snapshot of a scope; ErrNotFound if it has none.
	LatestSnapshot(ctx context.Context, scope string) (Snapshot, error)
	// ListSnapshots pages through snapshot metadata, newest first.
	ListSnapshots(ctx context.Context, f SnapshotFilter) (Page[SnapshotMeta], error)
	// GetDiffs returns a snapshot's diffs in insertion order; ErrNotFound if the snapshot
	// does not exist.
	GetDiffs(ctx context.Context, snapshotID string) ([]SnapshotDiff, error)
}

// SyncEventStore keeps one row per sync run.
type SyncEventStore interface {
	// StartSyncEvent records a running sync event; ID and StartedAt are filled in if empty.
	StartSyncEvent(ctx context.Context, e SyncEvent) (SyncEvent, error)
	// RecordSyncEvent stores a run that is over (a final Status) with its log entries, which
	// it links to the run, in one transaction.
	RecordSyncEvent(ctx context.Context, e SyncEvent, logs ...LogEntry) (SyncEvent, error)
	// RecordPass is RecordSyncEvent that also stores endpoint states (as
	// PutEndpointStates), in the same transaction: what a sync pass leaves behind.
	RecordPass(ctx context.Context, states []StateWrite, e SyncEvent, logs ...LogEntry) (SyncEvent, error)
	// FinishSyncEvent sets the final status, the error text (if any), the finish time and the
	// duration. It fails with ErrAlreadyFinished unless the event is running.
	FinishSyncEvent(ctx context.Context, id string, status SyncStatus, errText string) (SyncEvent, error)
	GetSyncEvent(ctx context.Context, id string) (SyncEvent, error)
	// ListSyncEvents pages through sync events, newest first.
	ListSyncEvents(ctx context.Context, f SyncEventFilter) (Page[SyncEvent], error)
}

// LogStore keeps the structured event log.
type LogStore interface {
	// AppendLogs inserts entries in one transaction. Empty IDs and zero timestamps are
	// filled in; levels are normalised to debug, info, warn or error.
	AppendLogs(ctx context.Context, entries ...LogEntry) error
	// ListLogs pages through matching entries, newest first; entries with equal timestamps
	// come in reverse insertion order.
	ListLogs(ctx context.Context, f LogFilter) (Page[LogEntry], error)
	// StreamLogs calls fn for every matching entry, oldest first, reading them one at a time
	// from a single consistent read so that memory stays flat however many rows match.
	// f.Limit and f.Cursor are ignored. An error from fn stops the stream and is returned.
	StreamLogs(ctx context.Context, f LogFilter, fn func(LogEntry) error) error
	// CountLogsByLevel counts matching entries per level (f.Levels, f.Limit and f.Cursor are
	// ignored). Levels with no entries are absent from the map.
	CountLogsByLevel(ctx context.Context, f LogFilter) (map[string]int64, error)
}

// ConflictStore keeps the queue of conflicts waiting for (or resolved by) a decision.
type ConflictStore interface {
	// CreateConflict records a pending conflict; ID and CreatedAt are filled in if empty.
	CreateConflict(ctx context.Context, c Conflict) (Conflict, error)
	// ListConflicts returns conflicts with the given status ("" for all), oldest first, which
	// is the order in which they should be put to the user.
	ListConflicts(ctx context.Context, status ConflictStatus) ([]Conflict, error)
	GetConflict(ctx context.Context, id string) (Conflict, error)
	// ResolveConflict stores the chosen value; it fails with ErrConflictResolved unless the
	// conflict is pending.
	ResolveConflict(ctx context.Context, id string, resolution json.RawMessage, by string) (Conflict, error)
}

// EngineStateStore keeps what the sync engine must remember between runs: deletions (so a
// stale client cannot resurrect an item) and the base of every endpoint.
type EngineStateStore interface {
	// PutTombstone inserts or replaces the tombstone of (Scope, ItemKey).
	PutTombstone(ctx context.Context, t Tombstone) error
	DeleteTombstone(ctx context.Context, scope, itemKey string) error
	// ListTombstones returns the tombstones of a scope ("" for all), by scope and item key.
	ListTombstones(ctx context.Context, scope string) ([]Tombstone, error)

	GetEndpointState(ctx context.Context, endpointID string) (EndpointState, error)
	// PutEndpointState inserts or replaces the state of s.EndpointID.
	PutEndpointState(ctx context.Context, s EndpointState) error
	// PutEndpointStates stores several states, each with its endpoint row when it has one,
	// in one transaction: all or none.
	PutEndpointStates(ctx context.Context, ws []StateWrite) error
	// ListEndpointStates returns the states of a scope ("" for all), by endpoint ID.
	ListEndpointStates(ctx context.Context, scope string) ([]EndpointState, error)
	DeleteEndpointState(ctx context.Context, endpointID string) error
}

// ExportStore keeps the history of data exports.
type ExportStore interface {
	// CreateExport records a running export; ID and CreatedAt are filled in if empty.
	CreateExport(ctx context.Context, e Export) (Export, error)
	// FinishExport records the outcome; it fails with ErrAlreadyFinished unless the export
	// is running.
	FinishExport(ctx context.Context, id string, r ExportResult) (Export, error)
	GetExport(ctx context.Context, id string) (Export, error)
	// ListExports returns the newest exports first; limit <= 0 means 100.
	ListExports(ctx context.Context, limit int) ([]Export, error)
}

// SettingStore keeps user settings as JSON values.
type SettingStore interface {
	// GetSetting decodes the value of key into v (a pointer); ErrNotFound if it is unset.
	GetSetting(ctx context.Context, key string, v any) error
	// SettingsWithPrefix returns the raw JSON values of the keys that start with prefix,
	// by key.
	SettingsWithPrefix(ctx context.Context, prefix string) (map[string]json.RawMessage, error)
	// PutSetting stores v, encoded as JSON, under key; a json.RawMessage is stored as it
	// is, and must be valid JSON.
	PutSetting(ctx context.Context, key string, v any) error
}

// ProjectStore keeps the project folders the user registered as scopes.
type ProjectStore interface {
	// AddProject registers path; adding a registered path again keeps its AddedAt.
	AddProject(ctx context.Context, path string) (Project, error)
	RemoveProject(ctx context.Context, path string) error
	// ListProjects returns the projects ordered by path.
	ListProjects(ctx context.Context) ([]Project, error)
}

// Page is one page of a keyset-paginated list. NextCursor is empty on the last page;
// otherwise passing it back as the filter's Cursor returns the following page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Client is one AI client (CLIENT in the ERD). ID is the adapter's name, e.g. "cursor".
type Client struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Status   string `json:"status"`
	Priority int    `json:"priority"` // higher wins under the priority conflict policy
	Enabled  bool   `json:"enabled"`
	// ConflictPolicy overrides the scope's policy for this client; "" means inherit.
	ConflictPolicy string    `json:"conflictPolicy,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// ClientPatch names the client fields to change; nil fields are left alone.
type ClientPatch struct {
	Status         *string `json:"status,omitempty"`
	Priority       *int    `json:"priority,omitempty"`
	Enabled        *bool   `json:"enabled,omitempty"`
	ConflictPolicy *string `json:"conflictPolicy,omitempty"`
}

// Endpoint is one configuration file of a client (CLIENT_ENDPOINT in the ERD).
type Endpoint struct {
	ID         string    `json:"id"`
	ClientID   string    `json:"clientId"`
	Path       string    `json:"path"`
	ConfigType string    `json:"configType"` // e.g. "mcp", "rules", "permissions"
	Hash       string    `json:"hash"`
	LastSeen   time.Time `json:"lastSeen"`
}

// SnapshotMeta describes a snapshot without its payload, for lists.
type SnapshotMeta struct {
	ID    string `json:"id"`
	Scope string `json:"scope"` // e.g. "user" or "project:/abs/path"
	// ClientID is the client whose change produced the snapshot; "" when the user made it
	// (a rollback, an edit in the UI).
	ClientID        string    `json:"clientId,omitempty"`
	ParentID        string    `json:"parentId,omitempty"`
	UnifiedHash     string    `json:"unifiedHash"`
	ServerCount     int       `json:"serverCount"`
	RuleCount       int       `json:"ruleCount"`
	PermissionCount int       `json:"permissionCount"`
	CreatedAt       time.Time `json:"createdAt"`
	CreatedBy       string    `json:"createdBy"` // a client ID, "user" or "system"
}

// Snapshot is one unified state of a scope (CONFIG_SNAPSHOT in the ERD).
type Snapshot struct {
	SnapshotMeta
	Payload json.RawMessage `json:"payload"`
}

// DiffFormat says how a SnapshotDiff's payload is to be read.
type DiffFormat string

const (
	DiffJSONPatch      DiffFormat = "json-patch"       // RFC 6902 operations
	DiffJSONMergePatch DiffFormat = "json-merge-patch" // RFC 7396 document
	DiffTextPatch      DiffFormat = "text-patch"       // unified text patches, wrapped in JSON
)

// SnapshotDiff is the change from a snapshot's parent to it (SNAPSHOT_DIFF in the ERD).
type SnapshotDiff struct {
	ID          string          `json:"id"`
	SnapshotID  string          `json:"snapshotId"`
	DiffPayload json.RawMessage `json:"diffPayload"`
	DiffFormat  DiffFormat      `json:"diffFormat"`
	CreatedAt   time.Time       `json:"createdAt"`
}

// SnapshotFilter selects snapshots; zero fields do not filter.
type SnapshotFilter struct {
	Scope    string
	ClientID string
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	Limit    int       // <= 0 means 50; at most 1000
	Cursor   string
}

// SyncStatus is the state of a sync event.
type SyncStatus string

const (
	SyncRunning   SyncStatus = "running"
	SyncSucceeded SyncStatus = "succeeded"
	SyncPartial   SyncStatus = "partial" // some endpoints were written, some failed or skipped
	SyncFailed    SyncStatus = "failed"
	SyncCancelled SyncStatus = "cancelled"
)

// SyncEvent is one sync run (SYNC_EVENT in the ERD).
type SyncEvent struct {
	ID          string     `json:"id"`
	ClientID    string     `json:"clientId,omitempty"` // the client whose change triggered it
	EventType   string     `json:"eventType"`          // e.g. "watch", "startup", "manual", "rollback"
	Status      SyncStatus `json:"status"`
	StartedAt   time.Time  `json:"startedAt"`
	FinishedAt  time.Time  `json:"finishedAt,omitzero"`
	TriggeredBy string     `json:"triggeredBy"`
	Error       string     `json:"error,omitempty"`
	DurationMS  int64      `json:"durationMs"`
}

// SyncEventFilter selects sync events; zero fields do not filter.
type SyncEventFilter struct {
	ClientID  string
	EventType string
	Status    SyncStatus
	Since     time.Time // inclusive
	Until     time.Time // exclusive
	Limit     int       // <= 0 means 50; at most 1000
	Cursor    string
}

// Log levels as stored.
const (
	LevelDebug = "debug"
	LevelInfo  = "info"
	LevelWarn  = "warn"
	LevelError = "error"
)

// LogEntry is one structured log record (EVENT_LOG in the ERD). ClientID and Event repeat
// what Context may also say, as columns, so that the log can be filtered by them.
type LogEntry struct {
	ID          string          `json:"id"`
	SyncEventID string          `json:"syncEventId,omitempty"`
	ClientID    string          `json:"clientId,omitempty"`
	Event       string          `json:"event,omitempty"` // e.g. "sync.finished", "conflict.detected"
	Level       string          `json:"level"`
	Message     string          `json:"message"`
	Context     json.RawMessage `json:"context,omitempty"`
	Timestamp   time.Time       `json:"timestamp"`
}

// LogFilter selects log entries; zero fields do not filter.
type LogFilter struct {
	Levels      []string
	ClientID    string
	Event       string
	SyncEventID string
	Since       time.Time // inclusive
	Until       time.Time // exclusive
	// Query is full-text search over the message and the context: every word must occur
	// (a word ending in * matches as a prefix); it is not FTS5 syntax, so any input is safe.
	Query  string
	Limit  int // <= 0 means 100; at most 1000
	Cursor string
}

// ConflictStatus is the state of a conflict.
type ConflictStatus string

const (
	ConflictPending  ConflictStatus = "pending"
	ConflictResolved ConflictStatus = "resolved"
)

// ConflictSide is what one client holds for the conflicting item.
type ConflictSide struct {
	ClientID string          `json:"client_id"`
	Value    json.RawMessage `json:"value"` // null when the client deleted the item
	MTime    time.Time       `json:"mtime"`
}

// Conflict is one item (a server, a rule, a permission entry) changed differently by two or
// more clients since their common base.
type Conflict struct {
	ID         string          `json:"id"`
	Scope      string          `json:"scope"`
	ItemKey    string          `json:"itemKey"` // e.g. "servers/github"
	Kind       string          `json:"kind"`    // e.g. "server", "rule", "permission"
	Status     ConflictStatus  `json:"status"`
	Base       json.RawMessage `json:"base,omitempty"` // the common ancestor; absent if none
	Sides      []ConflictSide  `json:"sides"`
	Resolution json.RawMessage `json:"resolution,omitempty"`
	CreatedAt  time.Time       `json:"createdAt"`
	ResolvedAt time.Time       `json:"resolvedAt,omitzero"`
	ResolvedBy string          `json:"resolvedBy,omitempty"`
}

// Tombstone remembers that an item was deleted, so a client that still has it does not
// bring it back.
type Tombstone struct {
	Scope     string    `json:"scope"`
	ItemKey   string    `json:"itemKey"`
	DeletedAt time.Time `json:"deletedAt"`
	DeletedBy string    `json:"deletedBy"`
}

// EndpointState is the engine's base for one endpoint: the unified projection last read
// from or written to the file, the hash of what was read, and the hash of what was written
// (to recognise the echo of our own write).
type EndpointState struct {
	EndpointID  string          `json:"endpointId"`
	ClientID    string          `json:"clientId"`
	Scope       string          `json:"scope"`
	Path        string          `json:"path"`
	Base        json.RawMessage `json:"base,omitempty"`
	Hash        string          `json:"hash"`
	WrittenHash string          `json:"writtenHash"`
	UpdatedAt   time.Time       `json:"updatedAt"`
}

// StateWrite is one endpoint's entry in PutEndpointStates: its state and, when Endpoint is
// set, its client_endpoint row (as UpsertEndpoint takes it).
type StateWrite struct {
	State    EndpointState
	Endpoint *Endpoint
}

// ExportStatus is the state of an export.
type ExportStatus string

const (
	ExportRunning   ExportStatus = "running"
	ExportSucceeded ExportStatus = "succeeded"
	ExportFailed    ExportStatus = "failed"
)

// Export is one export of history data to a file.
type Export struct {
	ID         string          `json:"id"`
	Kind       string          `json:"kind"`   // e.g. "logs", "snapshots", "sync-events"
	Format     string          `json:"format"` // e.g. "jsonl", "csv"
	Path       string          `json:"path"`
	Filter     json.RawMessage `json:"filter,omitempty"`
	RowCount   int64           `json:"rowCount"`
	Bytes      int64           `json:"bytes"`
	Status     ExportStatus    `json:"status"`
	CreatedAt  time.Time       `json:"createdAt"`
	FinishedAt time.Time       `json:"finishedAt,omitzero"`
	Error      string          `json:"error,omitempty"`
}

// ExportResult is the outcome of an export.
type ExportResult struct {
	Status   ExportStatus
	RowCount int64
	Bytes    int64
	Error    string
}

// Project is a project folder registered as a scope.
type Project struct {
	Path    string    `json:"path"`
	AddedAt time.Time `json:"addedAt"`
}
