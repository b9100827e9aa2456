// The one module that talks to the Go side. Inside the Wails window it calls the bound Go
// methods (window.go.main.App.*) and listens to Wails events; in a browser it calls the
// local HTTP API under /api/v1 with a bearer token and listens to Server-Sent Events.
// Both transports reach the same service layer, so every screen works the same in both.
// Every failure leaves this module as an ApiError whose message is fit to show a person and
// whose detail keeps what a developer needs.

import type {
  ApplyResult,
  ClientInfo,
  ClientPatch,
  Conflict,
  EngineEvent,
  ExportFormat,
  ExportRecord,
  LogEntry,
  LogFilter,
  Page,
  Project,
  Resolution,
  SnapshotDiff,
  SnapshotFilter,
  SnapshotMeta,
  SnapshotView,
  Stats,
  StatusReport,
  SyncResult,
  VersionInfo,
} from './types'

export type * from './types'

export class ApiError extends Error {
  /** HTTP status; 0 when aisync was not reached or inside the desktop window. */
  status: number
  /** What went wrong in the words of the server, for the "Details" toggle. */
  detail: string
  /** Field-level problems (RFC 9457 errors[]): where and why. */
  fields: { location: string; message: string }[]
  constructor(message: string, status = 0, detail = '', fields: { location: string; message: string }[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.detail = detail
    this.fields = fields
  }
}

// ---- transport selection

type WailsApp = Record<string, (...args: unknown[]) => Promise<unknown>>
type WailsRuntime = { EventsOn?: (name: string, cb: (...data: unknown[]) => void) => (() => void) | void; EventsOff?: (name: string) => void }

function wailsApp(): WailsApp | undefined {
  const w = globalThis as unknown as { go?: { main?: { App?: WailsApp } } }
  return w.go?.main?.App
}

function wailsRuntime(): WailsRuntime | undefined {
  return (globalThis as unknown as { runtime?: WailsRuntime }).runtime
}

/** True inside the desktop window, where the user is already trusted. */
export function isDesktop(): boolean {
  return wailsApp() !== undefined
}

// ---- credentials (browser only)

const TOKEN_KEY = 'aisync.token'

export function token(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function setToken(t: string | null): void {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t)
    else sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    /* storage disabled: the session cookie still works */
  }
}

let csrfToken = ''

/** The CSRF token of the cookie session: from login, or the readable aisync_csrf cookie. */
function csrf(): string {
  if (csrfToken) return csrfToken
  const m = /(?:^|;\s*)aisync_csrf=([^;]+)/.exec(typeof document === 'undefined' ? '' : document.cookie)
  return m ? decodeURIComponent(m[1]) : ''
}

let unauthorizedHandler: (() => void) | null = null

/** Called when the server says the session is gone (HTTP 401 outside the login). */
export function onUnauthorized(fn: (() => void) | null): void {
  unauthorizedHandler = fn
}

// ---- error mapping

interface Problem {
  title?: string
  detail?: string
  status?: number
  errors?: { location?: string; message?: string; value?: unknown }[]
}

/** Turns an RFC 9457 problem into a sentence for a person plus the technical detail. */
export function problemToError(status: number, body: unknown, statusText = '', retryAfter: string | null = null): ApiError {
  const p: Problem = body && typeof body === 'object' ? (body as Problem) : {}
  const raw = typeof body === 'string' ? body : ''
  const fields = (p.errors ?? []).map((e) => ({ location: e.location ?? '', message: e.message ?? '' }))
  const serverSays = p.detail || p.title || raw || statusText
  const fieldText = fields.map((f) => (f.location ? `${f.location}: ${f.message}` : f.message)).join('; ')
  let message: string
  switch (true) {
    case status === 400 || status === 422:
      message = `That request was not accepted: ${fieldText || serverSays || 'invalid input'}.`
      break
    case status === 401:
      message = /wrong password/i.test(serverSays) ? 'Wrong password. Try again.' : 'Your session has ended. Please sign in again.'
      break
    case status === 403:
      message = 'aisync refused this request. Reload the page and sign in again.'
      break
    case status === 404:
      message = 'That item no longer exists. It may have been removed or replaced.'
      break
    case status === 409:
      message = 'Someone else already changed this. Refresh to see the current state.'
      break
    case status === 413:
      message = 'That file is too large for aisync to accept.'
      break
    case status === 415:
      message = 'aisync cannot read that kind of file.'
      break
    case status === 429: {
      const secs = Number(retryAfter)
      message = `Too many attempts. Try again${secs > 0 ? ` in ${secs} second${secs === 1 ? '' : 's'}` : ' shortly'}.`
      break
    }
    case status >= 500:
      message = 'aisync hit an internal error. The details below can help to report it.'
      break
    default:
      message = serverSays ? `Something went wrong: ${serverSays}` : 'Something went wrong.'
  }
  const detail = [`HTTP ${status}${p.title ? ` ${p.title}` : statusText ? ` ${statusText}` : ''}`, p.detail, fieldText, !p.detail && raw ? raw : '']
    .filter(Boolean)
    .join('\n')
  return new ApiError(message, status, detail, fields)
}

/** Turns a rejected Wails call (the Go error's text) into an ApiError. */
export function desktopError(binding: string, e: unknown): ApiError {
  const text = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e)
  let message: string
  if (/not found/i.test(text)) message = 'That item no longer exists. It may have been removed or replaced.'
  else if (/invalid request|invalid resolution/i.test(text)) message = `That request was not accepted: ${text.replace(/^.*invalid (request|resolution):\s*/i, '')}`
  else if (/already resolved/i.test(text)) message = 'Someone else already changed this. Refresh to see the current state.'
  else message = `Something went wrong: ${text}`
  return new ApiError(message, 0, `${binding}: ${text}`)
}

/** Any thrown value as an ApiError, so the error banner always has a message and a detail. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (e instanceof Error) return new ApiError(`Something went wrong: ${e.message}`, 0, e.stack ?? e.message)
  return new ApiError('Something went wrong.', 0, typeof e === 'string' ? e : JSON.stringify(e))
}

// ---- the two transports

async function http<T>(method: string, path: string, body?: unknown, raw?: { body: Blob | ArrayBuffer; type: string }): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  const t = token()
  if (t) headers.Authorization = `Bearer ${t}`
  if (method !== 'GET' && method !== 'HEAD') {
    const c = csrf()
    if (c) headers['X-CSRF-Token'] = c
  }
  let payload: BodyInit | undefined
  if (raw) {
    headers['Content-Type'] = raw.type
    payload = raw.body as BodyInit
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' })
  } catch (e) {
    throw new ApiError('aisync is not reachable. Is it still running?', 0, `${method} ${path}: ${String(e)}`)
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = undefined
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = text
  }
  if (!res.ok) {
    const err = problemToError(res.status, data, res.statusText, res.headers.get('Retry-After'))
    err.detail = `${method} ${path}\n${err.detail}`
    if (res.status === 401 && path !== LOGIN_PATH && unauthorizedHandler) {
      setToken(null)
      unauthorizedHandler()
    }
    throw err
  }
  return data as T
}

async function call<T>(binding: string, args: unknown[], method: string, path: string, body?: unknown): Promise<T> {
  const app = wailsApp()
  if (app) {
    const fn = app[binding]
    if (typeof fn !== 'function') throw new ApiError('This action is not available in this version of the app.', 0, `desktop binding ${binding} is missing`)
    try {
      return (await fn(...args)) as T
    } catch (e) {
      throw desktopError(binding, e)
    }
  }
  return http<T>(method, path, body)
}

/** Drops empty values: Go's time.Time cannot decode "", and absent means "no filter". */
export function compact<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v) && v.length === 0) continue
    out[k] = v
  }
  return out as Partial<T>
}

function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(compact(params))) {
    if (Array.isArray(v)) for (const x of v) q.append(k, String(x))
    else q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** The query string of GET /api/v1/logs for a filter (levels repeat as level=…). */
export function logQuery(f: LogFilter): string {
  return query({ level: f.levels, client: f.client, event: f.event, since: f.since, until: f.until, q: f.q?.trim(), limit: f.limit, cursor: f.cursor })
}

/** The body of POST /api/v1/logs/export: the same filter, without paging. */
export function exportBody(f: LogFilter, format: ExportFormat): Record<string, unknown> {
  const { cursor: _c, limit: _l, ...rest } = f
  return { ...compact({ ...rest, q: rest.q?.trim() }), format }
}

// ---- authentication (browser)

const LOGIN_PATH = '/api/v1/auth/token'

export interface LoginResult {
  access_token: string
  expires_at: string
  csrf_token: string
}

export async function login(password: string): Promise<LoginResult> {
  const r = await http<LoginResult>('POST', LOGIN_PATH, { password })
  setToken(r.access_token)
  csrfToken = r.csrf_token
  return r
}

export async function logout(): Promise<void> {
  if (isDesktop()) return
  try {
    await http('POST', '/api/v1/auth/logout')
  } finally {
    setToken(null)
    csrfToken = ''
  }
}

/** Whether the browser already holds a working token or session cookie. */
export async function hasSession(): Promise<boolean> {
  if (isDesktop()) return true
  try {
    const s = await http<{ authenticated: boolean; csrf_token?: string }>('GET', '/api/v1/auth/session')
    if (s.csrf_token) csrfToken = s.csrf_token
    return s.authenticated
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return false
    throw e
  }
}

// ---- the service

export function version(): Promise<VersionInfo> {
  return call('Version', [], 'GET', '/api/v1/version')
}

export async function health(): Promise<boolean> {
  try {
    const r = await fetch('/healthz')
    return r.ok
  } catch {
    return false
  }
}

export function status(): Promise<StatusReport> {
  return call('Status', [], 'GET', '/api/v1/sync/status')
}

export function stats(): Promise<Stats> {
  return call('Stats', [], 'GET', '/api/v1/stats')
}

async function items<T>(p: Promise<T[] | { items: T[] } | null>): Promise<T[]> {
  const r = await p
  if (!r) return []
  return Array.isArray(r) ? r : (r.items ?? [])
}

export function clients(): Promise<ClientInfo[]> {
  return items(call('Clients', [], 'GET', '/api/v1/clients'))
}

export function client(id: string): Promise<ClientInfo> {
  return call('Client', [id], 'GET', `/api/v1/clients/${encodeURIComponent(id)}`)
}

export function updateClient(id: string, patch: ClientPatch): Promise<ClientInfo> {
  return call('UpdateClient', [id, patch], 'PATCH', `/api/v1/clients/${encodeURIComponent(id)}`, patch)
}

export async function triggerSync(clientIds: string[] = []): Promise<SyncResult> {
  const r = await call<SyncResult | { syncEventId: string; result: SyncResult }>('TriggerSync', [clientIds], 'POST', '/api/v1/sync/trigger', compact({ clients: clientIds }))
  return 'result' in r ? r.result : r
}

export async function setPaused(paused: boolean): Promise<void> {
  await call('SetPaused', [paused], 'POST', '/api/v1/sync/pause', { paused })
}

export function recentEvents(): Promise<EngineEvent[]> {
  // Over HTTP the event stream replays the remembered events itself (see subscribeEvents).
  return isDesktop() ? call<EngineEvent[] | null>('RecentEvents', [], 'GET', '').then((r) => r ?? []) : Promise.resolve([])
}

export function snapshots(f: SnapshotFilter = {}): Promise<Page<SnapshotMeta>> {
  const args = compact(f)
  return call<Page<SnapshotMeta>>('Snapshots', [args], 'GET', `/api/v1/config/snapshots${query(args)}`).then((p) => ({ ...p, items: p.items ?? [] }))
}

export function snapshot(id: string): Promise<SnapshotView> {
  return call('Snapshot', [id], 'GET', `/api/v1/config/snapshots/${encodeURIComponent(id)}`)
}

/** Compares a snapshot with its parent, or with `against`. */
export function diff(id: string, against = ''): Promise<SnapshotDiff> {
  return call('Diff', [id, against], 'GET', `/api/v1/config/snapshots/${encodeURIComponent(id)}/diff${query({ against })}`)
}

/** Applies a snapshot to clients (a rollback); dryRun only previews the per-file changes. */
export function apply(snapshotId: string, targets: string[], dryRun: boolean): Promise<ApplyResult> {
  return call('Apply', [snapshotId, targets, dryRun], 'POST', '/api/v1/config/apply', compact({ snapshotId, targets, dryRun }))
}

export function logs(f: LogFilter = {}): Promise<Page<LogEntry>> {
  return call<Page<LogEntry>>('Logs', [compact(f)], 'GET', `/api/v1/logs${logQuery(f)}`).then((p) => ({ ...p, items: p.items ?? [] }))
}

export function exportLogs(f: LogFilter, format: ExportFormat): Promise<ExportRecord> {
  const body = exportBody(f, format)
  const { format: _f, ...filter } = body
  return call('ExportLogs', [filter, format], 'POST', '/api/v1/logs/export', body)
}

export function exports(): Promise<ExportRecord[]> {
  return items(call('Exports', [], 'GET', '/api/v1/exports'))
}

/** The browser's download link of an export (the session cookie authenticates it). */
export function downloadUrl(id: string): string {
  return `/api/v1/exports/${encodeURIComponent(id)}/download`
}

export function conflicts(status: '' | 'pending' | 'resolved' = 'pending'): Promise<Conflict[]> {
  return items(call('Conflicts', [status], 'GET', `/api/v1/conflicts${query({ status })}`))
}

export function resolveConflict(id: string, r: Resolution): Promise<SyncResult> {
  return call('ResolveConflict', [id, r], 'POST', `/api/v1/conflicts/${encodeURIComponent(id)}/resolve`, r)
}

export function backup(): Promise<ExportRecord> {
  return call('Backup', [], 'POST', '/api/v1/backup')
}

/**
 * Restores a backup. In the desktop window the Go side asks for the file in a native dialog
 * (file is ignored); in a browser the chosen file is uploaded. False: the user cancelled.
 */
export async function restore(file?: Blob): Promise<boolean> {
  if (isDesktop()) return call<boolean>('Restore', [], 'POST', '')
  if (!file) return false
  await http('POST', '/api/v1/restore', undefined, { body: file, type: 'application/gzip' })
  return true
}

export function projects(): Promise<Project[]> {
  return items(call('Projects', [], 'GET', '/api/v1/projects'))
}

/** Registers a project folder; in the desktop window an empty path opens a folder picker. */
export function addProject(path: string): Promise<Project> {
  return call('AddProject', [path], 'POST', '/api/v1/projects', { path })
}

export async function removeProject(path: string): Promise<void> {
  await call('RemoveProject', [path], 'DELETE', `/api/v1/projects${query({ path })}`)
}

/** Whether files can be shown in the OS file manager (only the desktop window can). */
export function canOpenPaths(): boolean {
  return typeof wailsApp()?.OpenPath === 'function'
}

export async function openPath(path: string): Promise<void> {
  await call('OpenPath', [path], 'POST', '')
}

/** Shows a finished export in the OS file manager (desktop window). */
export async function revealExport(id: string): Promise<void> {
  const path = await call<string>('ExportPath', [id], 'GET', '')
  await openPath(path)
}

/** Whether the desktop app starts at login (desktop window only; false elsewhere). */
export async function autoStart(): Promise<boolean> {
  if (typeof wailsApp()?.AutoStart !== 'function') return false
  return call<boolean>('AutoStart', [], 'GET', '')
}

export function canAutoStart(): boolean {
  return typeof wailsApp()?.SetAutoStart === 'function'
}

export async function setAutoStart(on: boolean): Promise<void> {
  await call('SetAutoStart', [on], 'POST', '')
}

/**
 * The desktop app asks the window to show a screen (a tray item, a native conflict
 * notification) with the Wails event "aisync:navigate" and a route such as "/conflicts/ID".
 */
export function onNavigate(fn: (route: string) => void): () => void {
  const rt = wailsRuntime()
  if (!isDesktop() || !rt?.EventsOn) return () => {}
  const off = rt.EventsOn('aisync:navigate', (route) => typeof route === 'string' && fn(route))
  return () => {
    if (typeof off === 'function') off()
    else rt.EventsOff?.('aisync:navigate')
  }
}

// ---- realtime

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline'

/** Engine event types the SSE stream names (SSE only delivers named events to listeners). */
export const EVENT_TYPES = [
  'sync.started',
  'sync.finished',
  'sync.progress',
  'snapshot.created',
  'conflict.created',
  'conflict.resolved',
  'warning',
  'error',
  'client.changed',
  'file.written',
  'status.changed',
  'export.finished',
]

export interface SubscribeOptions {
  onEvent: (e: EngineEvent) => void
  onState?: (s: StreamState) => void
  /** Injected in tests. */
  EventSourceImpl?: new (url: string, init?: EventSourceInit) => EventSource
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (h: unknown) => void
  /** First reconnect delay; it doubles up to maxDelayMs. */
  minDelayMs?: number
  maxDelayMs?: number
  /** After this many failed attempts in a row the state reads "offline" (retries go on). */
  offlineAfter?: number
}

/**
 * Delivers engine events until the returned function is called. The desktop window gets
 * them as the Wails event "aisync:event"; a browser reads /api/v1/events. EventSource
 * reconnects by itself after a dropped connection, but gives up for good when the server
 * answers with an error (401, 429, a restart in progress): then this reconnects with
 * exponential backoff and asks for the events missed since the last one it saw.
 */
export function subscribeEvents(opts: SubscribeOptions): () => void {
  const state = (s: StreamState) => opts.onState?.(s)
  const rt = wailsRuntime()
  if (isDesktop() && rt?.EventsOn) {
    state('connecting')
    const off = rt.EventsOn('aisync:event', (e) => opts.onEvent(e as EngineEvent))
    state('live')
    return () => {
      if (typeof off === 'function') off()
      else rt.EventsOff?.('aisync:event')
    }
  }

  const ES = opts.EventSourceImpl ?? (globalThis as unknown as { EventSource?: SubscribeOptions['EventSourceImpl'] }).EventSource
  if (!ES) {
    state('offline')
    return () => {}
  }
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
  const clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>))
  const minDelay = opts.minDelayMs ?? 500
  const maxDelay = opts.maxDelayMs ?? 15000
  const offlineAfter = opts.offlineAfter ?? 3

  let es: EventSource | null = null
  let lastId = 0
  let delay = minDelay
  let failures = 0
  let timer: unknown = null
  let closed = false
  const seen = new Set<string>()

  const deliver = (ev: MessageEvent) => {
    let e: EngineEvent
    try {
      e = JSON.parse(ev.data)
    } catch {
      return
    }
    // After a reconnect the server replays from lastId; a restarted server starts its ids
    // again, so remember id+time rather than trusting the numbers alone.
    const key = `${e.id}@${e.time}`
    if (seen.has(key)) return
    seen.add(key)
    if (seen.size > 2000) seen.delete(seen.values().next().value as string)
    if (typeof e.id === 'number') lastId = e.id
    opts.onEvent(e)
  }

  const connect = () => {
    timer = null
    if (closed) return
    state(failures === 0 && lastId === 0 ? 'connecting' : failures >= offlineAfter ? 'offline' : 'reconnecting')
    const src = new ES(`/api/v1/events?lastEventId=${lastId}`, { withCredentials: true })
    es = src
    src.onopen = () => {
      failures = 0
      delay = minDelay
      state('live')
    }
    src.onmessage = deliver
    for (const t of EVENT_TYPES) {
      if (t === 'error') continue
      src.addEventListener(t, deliver as EventListener)
    }
    // "error" is both the engine's event type and EventSource's failure signal: an event
    // with data is the engine's, one without is the connection's.
    src.addEventListener('error', (ev: Event) => {
      if ((ev as MessageEvent).data) {
        deliver(ev as MessageEvent)
        return
      }
      if (closed || es !== src) return
      if (src.readyState === 2 /* CLOSED */) {
        failures++
        src.close()
        es = null
        state(failures >= offlineAfter ? 'offline' : 'reconnecting')
        timer = setTimer(connect, delay)
        delay = Math.min(delay * 2, maxDelay)
      } else {
        state('reconnecting') // the browser retries by itself, sending Last-Event-ID
      }
    })
  }
  connect()
  return () => {
    closed = true
    if (timer !== null) clearTimer(timer)
    es?.close()
    es = null
  }
}
