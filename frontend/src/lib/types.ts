// The shapes the Go side sends (backend/service, backend/store, backend/engine, backend/events).
// Field names follow the Go json tags exactly; both transports (Wails bindings and /api/v1)
// serialise the same structs, so one set of types serves both.

export interface VersionInfo {
  version: string
  commit: string
  goVersion: string
  os?: string
  arch?: string
}

/** engine.ClientStatus */
export interface ClientStatus {
  clientId: string
  /** idle, syncing, ok, warning, error, disabled, not-detected */
  state: string
  lastSync?: string
  lastError?: string
  warnings?: string[]
  servers: number
  rules: number
  permissions: number
}

export interface Counts {
  runsSucceeded: number
  runsFailed: number
  retries: number
  failures: number
  conflicts: number
}

/** service.StatusReport */
export interface StatusReport {
  version: VersionInfo
  paused: boolean
  lastSync?: string
  pendingConflicts: number
  clients: ClientStatus[]
  counts: Counts
  uptimeSeconds: number
  dataDir: string
}

export interface RunPoint {
  time: string
  durationMs: number
  status: string
  trigger: string
  clientId?: string
}

/** service.Stats */
export interface Stats {
  runs: RunPoint[]
  successRate: number
  avgLatencyMs: number
  perClient: Record<string, number>
  levels: Record<string, number>
  retries: number
  failures: number
}

/** clients.Capabilities */
export interface Capabilities {
  servers: boolean
  rules: boolean
  permissions: boolean
  projectScope: boolean
  transports: string[] | null
  envSyntax: string
  lossy: string[] | null
}

/** service.EndpointInfo */
export interface EndpointInfo {
  id: string
  scope: string
  path: string
  format: string
  sections: string[] | null
  exists: boolean
  /** further files read and written with path (Claude Code's project .mcp.json) */
  companions?: { path: string; exists: boolean }[]
}

/** service.ClientInfo */
export interface ClientInfo {
  id: string
  name: string
  detected: boolean
  enabled: boolean
  priority: number
  conflictPolicy?: string
  capabilities: Capabilities
  endpoints: EndpointInfo[] | null
  status: ClientStatus
  version?: string
}

/** service.ClientPatch: absent fields stay as they are. */
export interface ClientPatch {
  enabled?: boolean
  priority?: number
  /** priority, newest, merge, manual, or "" to inherit the default */
  conflictPolicy?: string
}

export interface ClientResult {
  state: string
  servers: number
  rules: number
  permissions: number
  written: number
  warnings?: string[]
  errors?: string[]
}

/** engine.Result */
export interface SyncResult {
  syncEventId: string
  status: string
  trigger: string
  clients: Record<string, ClientResult> | null
  filesWritten: number
  snapshots: number
  snapshotIds?: string[]
  conflicts: number
  errors?: string[]
  durationMs: number
}

export interface Page<T> {
  items: T[]
  nextCursor?: string
}

/** store.SnapshotMeta */
export interface SnapshotMeta {
  id: string
  scope: string
  clientId?: string
  parentId?: string
  unifiedHash: string
  serverCount: number
  ruleCount: number
  permissionCount: number
  createdAt: string
  createdBy: string
}

export interface UnifiedServer {
  transport: string
  command?: string
  args?: string[]
  env?: Record<string, string>
  cwd?: string
  url?: string
  headers?: Record<string, string>
  disabled?: boolean
  [key: string]: unknown
}

export interface UnifiedRule {
  name: string
  description?: string
  activation: string
  globs?: string[]
  body: string
}

export interface UnifiedConfig {
  servers?: Record<string, UnifiedServer>
  rules?: Record<string, UnifiedRule>
  permissions?: { allow?: string[]; ask?: string[]; deny?: string[] }
}

export interface SnapshotView extends SnapshotMeta {
  config: UnifiedConfig
}

/** merge.Change */
export interface Change {
  section: string
  key: string
  /** add, remove, change */
  op: string
  fields?: string[]
}

/** service.SnapshotDiff */
export interface SnapshotDiff {
  from?: string
  to: string
  changes: Change[]
  jsonPatch: unknown
  bodyPatches?: Record<string, string>
  before: UnifiedConfig
  after: UnifiedConfig
}

/** merge.DiffLine (op is " ", "-" or "+") */
export interface DiffLine {
  op: ' ' | '-' | '+'
  text: string
  oldLine?: number
  newLine?: number
  noNewline?: boolean
}

/** engine.FileDiff */
export interface FileDiff {
  client: string
  path: string
  /** create, update, delete */
  action: string
  lines: DiffLine[] | null
}

/** engine.ApplyResult */
export interface ApplyResult {
  snapshotId: string
  scope: string
  dryRun: boolean
  diffs: FileDiff[] | null
  warnings?: string[]
  sync?: SyncResult
}

/** store.LogEntry */
export interface LogEntry {
  id: string
  syncEventId?: string
  clientId?: string
  event?: string
  level: string
  message: string
  context?: Record<string, unknown>
  timestamp: string
}

/** store.ConflictSide */
export interface ConflictSide {
  client_id: string
  value: unknown
  mtime: string
}

/** store.Conflict */
export interface Conflict {
  id: string
  scope: string
  itemKey: string
  kind: string
  status: string
  base?: unknown
  sides: ConflictSide[]
  resolution?: unknown
  createdAt: string
  resolvedAt?: string
  resolvedBy?: string
}

/** engine.Resolution */
export interface Resolution {
  choice: 'client' | 'base' | 'value' | 'confirm' | 'restore'
  client?: string
  value?: unknown
}

/** store.Export */
export interface ExportRecord {
  id: string
  kind: string
  format: string
  path: string
  filter?: unknown
  rowCount: number
  bytes: number
  status: string
  createdAt: string
  finishedAt?: string
  error?: string
}

/** store.Project */
export interface Project {
  path: string
  addedAt: string
}

/** events.Event */
export interface EngineEvent {
  id: number
  type: string
  time: string
  client?: string
  scope?: string
  message?: string
  data?: Record<string, unknown>
}

export interface SnapshotFilter {
  scope?: string
  client?: string
  since?: string
  until?: string
  limit?: number
  cursor?: string
}

export interface LogFilter {
  levels?: string[]
  client?: string
  event?: string
  since?: string
  until?: string
  q?: string
  limit?: number
  cursor?: string
}

export type ExportFormat = 'csv' | 'json' | 'jsonl'
