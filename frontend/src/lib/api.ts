// The one module that talks to the Go side. Inside the Wails window it calls the bound Go
// methods (window.go.main.App.*) and listens to Wails events; in a browser it calls the
// local HTTP API under /api/v1 with a bearer token and listens to Server-Sent Events.
// Both transports reach the same service layer, so every screen works the same in both.

export type Json = Record<string, unknown>

export class ApiError extends Error {
  status: number
  detail: string
  constructor(message: string, status = 0, detail = '') {
    super(message)
    this.status = status
    this.detail = detail
  }
}

type WailsApp = Record<string, (...args: unknown[]) => Promise<unknown>>

function wailsApp(): WailsApp | undefined {
  const w = globalThis as unknown as { go?: { main?: { App?: WailsApp } } }
  return w.go?.main?.App
}

/** True inside the desktop window, where the user is already trusted. */
export function isDesktop(): boolean {
  return wailsApp() !== undefined
}

const TOKEN_KEY = 'aisync.token'

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY)
}

export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t)
  else sessionStorage.removeItem(TOKEN_KEY)
}

async function http<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const t = token()
  if (t) headers.Authorization = `Bearer ${t}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (e) {
    throw new ApiError('aisync is not reachable. Is it running?', 0, String(e))
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
    const p = (data ?? {}) as { title?: string; detail?: string; errors?: { location?: string; message?: string }[] }
    const fields = (p.errors ?? []).map((e) => `${e.location ?? ''} ${e.message ?? ''}`.trim()).join('; ')
    throw new ApiError(p.detail || p.title || res.statusText, res.status, fields || text)
  }
  return data as T
}

async function call<T>(binding: string, args: unknown[], method: string, path: string, body?: unknown): Promise<T> {
  const app = wailsApp()
  if (app) {
    const fn = app[binding]
    if (!fn) throw new ApiError(`desktop binding ${binding} is missing`)
    try {
      return (await fn(...args)) as T
    } catch (e) {
      throw new ApiError(String(e))
    }
  }
  return http<T>(method, path, body)
}

export interface VersionInfo {
  version: string
  commit: string
  goVersion: string
}

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
