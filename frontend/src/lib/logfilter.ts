// The log viewer's filter as it sits in the address bar (#/logs?level=warn,error&q=github),
// so a filtered view can be bookmarked and Back restores it.

import type { LogFilter } from './types'

export function filterFromQuery(q: URLSearchParams): LogFilter {
  const levels = (q.get('level') ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean)
  return {
    levels: levels.length ? levels : undefined,
    client: q.get('client') || undefined,
    event: q.get('event') || undefined,
    q: q.get('q') || undefined,
    since: q.get('since') || undefined,
    until: q.get('until') || undefined,
  }
}

export function filterToQuery(f: LogFilter): Record<string, string | undefined> {
  return { level: f.levels?.length ? f.levels.join(',') : undefined, client: f.client, event: f.event, q: f.q, since: f.since, until: f.until }
}

export function isFiltered(f: LogFilter): boolean {
  return !!(f.levels?.length || f.client || f.event || f.q || f.since || f.until)
}
