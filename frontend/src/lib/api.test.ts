import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as api from './api'
import { ApiError, desktopError, exportBody, logQuery, problemToError } from './api'

type G = { go?: unknown; runtime?: unknown }
const g = globalThis as unknown as G

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  })
}

describe('transport selection', () => {
  afterEach(() => {
    delete g.go
    vi.unstubAllGlobals()
    sessionStorage.clear()
    document.cookie = 'aisync_csrf=; max-age=0'
  })

  it('calls the bound Go method inside the desktop window', async () => {
    const Status = vi.fn().mockResolvedValue({ paused: false, pendingConflicts: 2 })
    const Clients = vi.fn().mockResolvedValue([{ id: 'cursor' }])
    g.go = { main: { App: { Status, Clients } } }
    const fetchSpy = vi.fn()
    vi.stubGlobal('fetch', fetchSpy)

    expect(api.isDesktop()).toBe(true)
    expect((await api.status()).pendingConflicts).toBe(2)
    expect(await api.clients()).toEqual([{ id: 'cursor' }])
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('passes arguments to bindings in Go order and drops empty filter fields', async () => {
    const Logs = vi.fn().mockResolvedValue({ items: [] })
    const Apply = vi.fn().mockResolvedValue({ diffs: [] })
    const ResolveConflict = vi.fn().mockResolvedValue({ filesWritten: 2 })
    g.go = { main: { App: { Logs, Apply, ResolveConflict } } }

    await api.logs({ levels: ['warn'], q: '', since: undefined, limit: 50 })
    expect(Logs).toHaveBeenCalledWith({ levels: ['warn'], limit: 50 })
    await api.apply('snap-1', ['cursor'], true)
    expect(Apply).toHaveBeenCalledWith('snap-1', ['cursor'], true)
    await api.resolveConflict('c1', { choice: 'client', client: 'windsurf' })
    expect(ResolveConflict).toHaveBeenCalledWith('c1', { choice: 'client', client: 'windsurf' })
  })

  it('turns a rejected binding into a friendly ApiError', async () => {
    g.go = { main: { App: { Client: vi.fn().mockRejectedValue('client "zed": not found') } } }
    const err = await api.client('zed').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.message).toMatch(/no longer exists/)
    expect(err.detail).toContain('client "zed": not found')
  })

  it('says so when a binding is missing', async () => {
    g.go = { main: { App: {} } }
    const err = await api.stats().catch((e) => e)
    expect(err.message).toMatch(/not available/)
    expect(err.detail).toContain('Stats')
  })

  it('uses HTTP with the bearer token in a browser', async () => {
    api.setToken('tok-123')
    const fetchSpy = vi.fn().mockResolvedValue(jsonResponse(200, { items: [{ id: 'cursor' }] }))
    vi.stubGlobal('fetch', fetchSpy)

    expect(api.isDesktop()).toBe(false)
    expect(await api.clients()).toEqual([{ id: 'cursor' }])
    const [url, init] = fetchSpy.mock.calls[0]
    expect(url).toBe('/api/v1/clients')
    expect(init.method).toBe('GET')
    expect(init.headers.Authorization).toBe('Bearer tok-123')
  })

  it('sends JSON bodies and the CSRF token on unsafe requests', async () => {
    document.cookie = 'aisync_csrf=csrf-abc'
    const fetchSpy = vi.fn().mockResolvedValue(jsonResponse(200, { syncEventId: 'e1', result: { filesWritten: 3 } }))
    vi.stubGlobal('fetch', fetchSpy)

    const r = await api.triggerSync(['cursor'])
    expect(r.filesWritten).toBe(3) // the HTTP envelope is unwrapped
    const [url, init] = fetchSpy.mock.calls[0]
    expect(url).toBe('/api/v1/sync/trigger')
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body)).toEqual({ clients: ['cursor'] })
    expect(init.headers['X-CSRF-Token']).toBe('csrf-abc')
    expect(init.headers['Content-Type']).toBe('application/json')
  })

  it('builds the snapshot and diff URLs', async () => {
    const fetchSpy = vi.fn().mockImplementation(() => Promise.resolve(jsonResponse(200, { items: [] })))
    vi.stubGlobal('fetch', fetchSpy)
    await api.snapshots({ client: 'cursor', limit: 20, scope: '' })
    expect(fetchSpy.mock.calls[0][0]).toBe('/api/v1/config/snapshots?client=cursor&limit=20')
    await api.diff('a b', 'x')
    expect(fetchSpy.mock.calls[1][0]).toBe('/api/v1/config/snapshots/a%20b/diff?against=x')
    await api.diff('s1')
    expect(fetchSpy.mock.calls[2][0]).toBe('/api/v1/config/snapshots/s1/diff')
  })

  it('maps a problem+json answer to a friendly message with the detail kept', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        jsonResponse(422, { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.targets[0]', message: 'unknown client id', value: 'zed' }] }),
      ),
    )
    const err: ApiError = await api.apply('s', ['zed'], true).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.message).toBe('That request was not accepted: body.targets[0]: unknown client id.')
    expect(err.detail).toContain('POST /api/v1/config/apply')
    expect(err.detail).toContain('HTTP 422 Unprocessable Entity')
    expect(err.fields).toEqual([{ location: 'body.targets[0]', message: 'unknown client id' }])
  })

  it('reports an unreachable server', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    const err: ApiError = await api.status().catch((e) => e)
    expect(err.message).toMatch(/not reachable/)
    expect(err.detail).toContain('Failed to fetch')
  })

  it('signals an ended session once and forgets the token', async () => {
    api.setToken('old')
    const onGone = vi.fn()
    api.onUnauthorized(onGone)
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(401, { title: 'Unauthorized', status: 401, detail: 'invalid or expired token' })))
    const err: ApiError = await api.status().catch((e) => e)
    expect(err.message).toMatch(/session has ended/)
    expect(onGone).toHaveBeenCalledTimes(1)
    expect(api.token()).toBeNull()
    api.onUnauthorized(null)
  })

  it('logs in: keeps the token, and a wrong password is not a session loss', async () => {
    const onGone = vi.fn()
    api.onUnauthorized(onGone)
    const fetchSpy = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(401, { title: 'Unauthorized', status: 401, detail: 'wrong password' }))
      .mockResolvedValueOnce(jsonResponse(200, { access_token: 'new-tok', expires_at: '2030-01-01T00:00:00Z', csrf_token: 'c' }))
    vi.stubGlobal('fetch', fetchSpy)
    const err: ApiError = await api.login('nope').catch((e) => e)
    expect(err.message).toBe('Wrong password. Try again.')
    expect(onGone).not.toHaveBeenCalled()
    await api.login('right')
    expect(api.token()).toBe('new-tok')
    expect(JSON.parse(fetchSpy.mock.calls[1][1].body)).toEqual({ password: 'right' })
    api.onUnauthorized(null)
  })
})

describe('problemToError', () => {
  it.each([
    [404, { title: 'Not Found', detail: 'get snapshot "x": not found' }, /no longer exists/],
    [409, { title: 'Conflict', detail: 'conflict already resolved' }, /already changed/],
    [500, { title: 'Internal Server Error', detail: 'database is locked' }, /internal error/],
    [403, { title: 'Forbidden', detail: 'missing or wrong X-CSRF-Token' }, /refused/],
    [400, { title: 'Bad Request', detail: 'unexpected end of JSON input' }, /not accepted: unexpected end of JSON input/],
  ])('HTTP %i reads as a sentence', (status, body, want) => {
    const e = problemToError(status, { ...body, status })
    expect(e.message).toMatch(want)
    expect(e.detail).toContain(body.detail)
  })

  it('says how long to wait after too many attempts', () => {
    expect(problemToError(429, { title: 'Too Many Requests' }, '', '30').message).toBe('Too many attempts. Try again in 30 seconds.')
    expect(problemToError(429, {}, '', null).message).toBe('Too many attempts. Try again shortly.')
  })

  it('copes with a body that is not a problem', () => {
    const e = problemToError(502, '<html>bad gateway</html>', 'Bad Gateway')
    expect(e.message).toMatch(/internal error/)
    expect(e.detail).toContain('bad gateway')
  })
})

describe('desktopError', () => {
  it('recognises validation errors', () => {
    expect(desktopError('UpdateClient', 'invalid request: conflictPolicy must be one of priority').message).toBe(
      'That request was not accepted: conflictPolicy must be one of priority',
    )
  })
})

describe('log filter query', () => {
  it('repeats level and drops empty fields', () => {
    expect(logQuery({ levels: ['warn', 'error'], q: '  github  ', client: '', limit: 50 })).toBe('?level=warn&level=error&q=github&limit=50')
  })
  it('is empty without a filter', () => {
    expect(logQuery({})).toBe('')
  })
  it('encodes times and cursors', () => {
    expect(logQuery({ since: '2026-01-02T03:04:05Z', cursor: 'a+b/c' })).toBe('?since=2026-01-02T03%3A04%3A05Z&cursor=a%2Bb%2Fc')
  })
  it('exports the same filter without paging', () => {
    expect(exportBody({ levels: ['warn'], q: 'x', cursor: 'c', limit: 10, client: '' }, 'csv')).toEqual({ levels: ['warn'], q: 'x', format: 'csv' })
  })
})

describe('exportLogs', () => {
  beforeEach(() => sessionStorage.clear())
  afterEach(() => {
    delete g.go
    vi.unstubAllGlobals()
  })
  it('posts the filter and format over HTTP', async () => {
    const fetchSpy = vi.fn().mockResolvedValue(jsonResponse(201, { id: 'x1', format: 'csv', rowCount: 3 }))
    vi.stubGlobal('fetch', fetchSpy)
    await api.exportLogs({ levels: ['warn'], q: 'conflict' }, 'csv')
    expect(fetchSpy.mock.calls[0][0]).toBe('/api/v1/logs/export')
    expect(JSON.parse(fetchSpy.mock.calls[0][1].body)).toEqual({ levels: ['warn'], q: 'conflict', format: 'csv' })
  })
  it('passes filter and format separately to the binding', async () => {
    const ExportLogs = vi.fn().mockResolvedValue({ id: 'x1' })
    g.go = { main: { App: { ExportLogs } } }
    await api.exportLogs({ levels: ['warn'] }, 'json')
    expect(ExportLogs).toHaveBeenCalledWith({ levels: ['warn'] }, 'json')
  })
})
