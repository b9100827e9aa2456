import { afterEach, describe, expect, it, vi } from 'vitest'
import { live, staleBy } from './live.svelte'

describe('the live store', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
    live.events = []
  })

  it('knows what an event makes stale', () => {
    expect(staleBy('conflict.created')).toMatchObject({ conflicts: true, status: true })
    expect(staleBy('sync.finished').stats).toBe(true)
    expect(staleBy('file.written').stats).toBe(false)
  })

  it('puts new events first, once, and refreshes the status once per burst', async () => {
    vi.useFakeTimers()
    const fetchSpy = vi.fn().mockImplementation((url: string) =>
      Promise.resolve(new Response(JSON.stringify(url.includes('status') ? { paused: false, pendingConflicts: 1, clients: [] } : { items: [{ id: 'cursor' }] }), { status: 200 })),
    )
    vi.stubGlobal('fetch', fetchSpy)
    const v = live.eventVersion
    live.receive({ id: 1, type: 'file.written', time: 't1' })
    live.receive({ id: 2, type: 'conflict.created', time: 't2' })
    live.receive({ id: 2, type: 'conflict.created', time: 't2' })
    expect(live.events.map((e) => e.id)).toEqual([2, 1])
    expect(live.eventVersion).toBe(v + 2)
    await vi.advanceTimersByTimeAsync(200)
    expect(fetchSpy.mock.calls.map((c) => c[0])).toEqual(['/api/v1/sync/status', '/api/v1/clients'])
    expect(live.pendingConflicts).toBe(1)
    expect(live.clients.map((c) => c.id)).toEqual(['cursor'])
  })
})
