// How times, sizes and names read on screen.

const rtf = typeof Intl !== 'undefined' ? new Intl.RelativeTimeFormat('en', { numeric: 'auto' }) : null

/** "just now", "3 min ago", "yesterday"; "never" for an absent or zero time. */
export function ago(iso: string | undefined | null, now: number = Date.now()): string {
  if (!iso) return 'never'
  const t = Date.parse(iso)
  if (!Number.isFinite(t) || t <= 0) return 'never'
  // A time a little ahead of this clock (the server's clock, a stale `now`) is still now.
  const s = Math.min(0, Math.round((t - now) / 1000))
  const abs = Math.abs(s)
  if (abs < 10) return 'just now'
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 30],
    ['month', 12],
    ['year', Infinity],
  ]
  let v = s
  for (const [unit, size] of units) {
    if (Math.abs(v) < size) return rtf ? rtf.format(Math.round(v), unit) : `${Math.abs(Math.round(v))} ${unit}s ago`
    v /= size
  }
  return iso
}

/** A full local date and time for tooltips and tables. */
export function when(iso: string | undefined | null): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

export function clock(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—'
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

export function percent(x: number): string {
  if (!Number.isFinite(x)) return '—'
  return `${Math.round(x * 1000) / 10}%`
}

export function shortId(id: string | undefined): string {
  if (!id) return ''
  return id.length > 12 ? id.slice(-8) : id
}

/** "project:/home/me/app" → "app (project)"; "user" → "Your home". */
export function scopeLabel(scope: string | undefined): string {
  if (!scope || scope === 'user') return 'User (home folder)'
  if (scope.startsWith('project:')) {
    const p = scope.slice('project:'.length)
    const name = p.split(/[\\/]/).filter(Boolean).pop() ?? p
    return `Project ${name}`
  }
  return scope
}

/** datetime-local input value ↔ RFC 3339. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

export function fromLocalInput(v: string): string | undefined {
  if (!v) return undefined
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

const stateLabels: Record<string, string> = {
  idle: 'Idle',
  syncing: 'Syncing',
  ok: 'In sync',
  warning: 'Warning',
  error: 'Error',
  disabled: 'Disabled',
  'not-detected': 'Not installed',
}

export function stateLabel(state: string): string {
  return stateLabels[state] ?? state
}

/** The colour family of a client state or log level: ok, warn, err, muted, info. */
export function tone(stateOrLevel: string): 'ok' | 'warn' | 'err' | 'muted' | 'info' {
  switch (stateOrLevel) {
    case 'ok':
    case 'succeeded':
    case 'success':
      return 'ok'
    case 'warning':
    case 'warn':
    case 'partial':
      return 'warn'
    case 'error':
    case 'failed':
      return 'err'
    case 'syncing':
    case 'info':
    case 'running':
      return 'info'
    default:
      return 'muted'
  }
}

/**
 * The home folder behind the user-scope client files: most of them live in a dot folder of
 * it (~/.cursor, ~/.codex, …), so it is the most common part before the first "/.".
 */
export function guessHome(paths: string[]): string {
  const counts = new Map<string, number>()
  for (const p of paths) {
    const m = /^(.+?)[\\/]\.[^\\/]/.exec(p)
    if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1)
  }
  let best = ''
  let n = 0
  for (const [k, v] of counts) if (v > n || (v === n && k.length < best.length)) [best, n] = [k, v]
  return n >= 2 ? best : ''
}

/** Writes paths inside the home folder as ~/… so messages stay short. */
export function tildify(text: string, home: string): string {
  if (!home || !text) return text
  return text.split(home + '/').join('~/').split(home + '\\').join('~\\')
}
