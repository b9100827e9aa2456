// Hash routing without a dependency: "#/clients/cursor?tab=files" names the screen and its
// parameters, so every screen has a link, Back works, and the desktop window (which serves
// one page) needs nothing from the server.

export interface Route {
  /** dashboard, clients, client, snapshots, conflicts, logs, exports, settings, login */
  name: string
  /** Path parameters, e.g. { id: "cursor" } for #/clients/cursor. */
  params: Record<string, string>
  query: URLSearchParams
}

const screens: { pattern: RegExp; name: string; keys: string[] }[] = [
  { pattern: /^\/?$/, name: 'dashboard', keys: [] },
  { pattern: /^\/dashboard$/, name: 'dashboard', keys: [] },
  { pattern: /^\/login$/, name: 'login', keys: [] },
  { pattern: /^\/clients$/, name: 'clients', keys: [] },
  { pattern: /^\/clients\/([^/]+)$/, name: 'client', keys: ['id'] },
  { pattern: /^\/snapshots$/, name: 'snapshots', keys: [] },
  { pattern: /^\/conflicts$/, name: 'conflicts', keys: [] },
  { pattern: /^\/conflicts\/([^/]+)$/, name: 'conflicts', keys: ['id'] },
  { pattern: /^\/logs$/, name: 'logs', keys: [] },
  { pattern: /^\/exports$/, name: 'exports', keys: [] },
  { pattern: /^\/settings$/, name: 'settings', keys: [] },
]

/** Parses a location hash ("#/clients/cursor?x=1") into a route; unknown paths are "notfound". */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '')
  const [path, qs = ''] = raw.split('?', 2)
  const query = new URLSearchParams(qs)
  for (const s of screens) {
    const m = s.pattern.exec(path)
    if (m) {
      const params: Record<string, string> = {}
      s.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])))
      return { name: s.name, params, query }
    }
  }
  return { name: 'notfound', params: { path }, query }
}

/** Builds a hash link: href('/clients/' + id, { tab: 'files' }). */
export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v)
  const s = q.toString()
  return `#${path}${s ? `?${s}` : ''}`
}

class Router {
  route: Route = $state(parseHash(typeof location === 'undefined' ? '' : location.hash))

  start(): () => void {
    const update = () => (this.route = parseHash(location.hash))
    window.addEventListener('hashchange', update)
    update()
    return () => window.removeEventListener('hashchange', update)
  }

  go(path: string, query: Record<string, string | undefined> = {}): void {
    const h = href(path, query)
    if (location.hash === h) return
    location.hash = h
  }

  /** Goes to a route given as one string, e.g. "/logs?level=error" (from the desktop app). */
  open(route: string): void {
    const h = `#${route.startsWith('/') ? route : `/${route}`}`
    if (location.hash !== h) location.hash = h
  }

  /** Changes the query of the current screen without adding a history entry. */
  replaceQuery(query: Record<string, string | undefined>): void {
    const raw = location.hash.replace(/^#/, '').split('?')[0] || '/'
    history.replaceState(history.state, '', href(raw, query))
    this.route = parseHash(location.hash)
  }
}

export const router = new Router()
