import { describe, expect, it } from 'vitest'
import { logQuery } from './api'
import { filterFromQuery, filterToQuery, isFiltered } from './logfilter'
import { href } from './router.svelte'

describe('the log filter in the address', () => {
  it('reads levels, words and times from the hash query', () => {
    const f = filterFromQuery(new URLSearchParams('level=warn,error&q=github%20conflict&client=cursor&since=2026-01-01T00:00:00Z'))
    expect(f).toEqual({ levels: ['warn', 'error'], q: 'github conflict', client: 'cursor', since: '2026-01-01T00:00:00Z', event: undefined, until: undefined })
    expect(isFiltered(f)).toBe(true)
  })

  it('round-trips through the address and becomes the API query', () => {
    const f = { levels: ['warn'], q: 'conflict' }
    const link = href('/logs', filterToQuery(f))
    expect(link).toBe('#/logs?level=warn&q=conflict')
    const back = filterFromQuery(new URLSearchParams(link.split('?')[1]))
    expect(logQuery({ ...back, limit: 50 })).toBe('?level=warn&q=conflict&limit=50')
  })

  it('an empty address is no filter', () => {
    const f = filterFromQuery(new URLSearchParams(''))
    expect(isFiltered(f)).toBe(false)
    expect(logQuery(f)).toBe('')
  })
})
