import { afterEach, describe, expect, it, vi } from 'vitest'
import { onNavigate, subscribeEvents, type EngineEvent, type StreamState } from './api'

/** An EventSource that the test drives by hand. */
class FakeEventSource {
  static all: FakeEventSource[] = []
  url: string
  withCredentials: boolean
  readyState = 0
  onopen: ((e: Event) => void) | null = null
  onmessage: ((e: MessageEvent) => void) | null = null
  listeners = new Map<string, ((e: Event) => void)[]>()
  closed = false
  constructor(url: string, init?: EventSourceInit) {
    this.url = url
    this.withCredentials = !!init?.withCredentials
    FakeEventSource.all.push(this)
  }
  addEventListener(type: string, fn: (e: Event) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn])
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
  // ---- test controls
  open() {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }
  emit(type: string, e: Partial<EngineEvent>) {
    const ev = new MessageEvent(type, { data: JSON.stringify({ time: '2026-01-01T00:00:00Z', ...e, type }) })
    if (type === 'message') this.onmessage?.(ev)
    for (const fn of this.listeners.get(type) ?? []) fn(ev)
  }
  /** The server answered with an error status: EventSource gives up (CLOSED). */
  fail() {
    this.readyState = 2
    for (const fn of this.listeners.get('error') ?? []) fn(new Event('error'))
  }
  /** The connection dropped: the browser retries by itself (CONNECTING). */
  drop() {
    this.readyState = 0
    for (const fn of this.listeners.get('error') ?? []) fn(new Event('error'))
  }
}

function setup(opts: { offlineAfter?: number } = {}) {
  FakeEventSource.all = []
  const events: EngineEvent[] = []
  const states: StreamState[] = []
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = []
  const stop = subscribeEvents({
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    EventSourceImpl: FakeEventSource as unknown as new (url: string, init?: EventSourceInit) => EventSource,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false }
      timers.push(t)
      return t
    },
    clearTimer: (h) => ((h as { cleared: boolean }).cleared = true),
    minDelayMs: 100,
    maxDelayMs: 400,
    ...opts,
  })
  const fire = () => {
    const t = timers.shift()
    if (!t) throw new Error('no reconnect scheduled')
    t.fn()
    return t
  }
  return { events, states, timers, stop, fire, es: () => FakeEventSource.all[FakeEventSource.all.length - 1] }
}

describe('subscribeEvents over SSE', () => {
  afterEach(() => vi.restoreAllMocks())

  it('connects with credentials and asks for the remembered events', () => {
    const { es, states } = setup()
    expect(es().url).toBe('/api/v1/events?lastEventId=0')
    expect(es().withCredentials).toBe(true)
    expect(states).toEqual(['connecting'])
    es().open()
    expect(states.at(-1)).toBe('live')
  })

  it('delivers named engine events, including the engine\'s own "error" type', () => {
    const { es, events, states } = setup()
    es().open()
    es().emit('sync.finished', { id: 1, message: 'ok' })
    es().emit('conflict.created', { id: 2 })
    es().emit('error', { id: 3, message: 'write failed' })
    expect(events.map((e) => [e.id, e.type])).toEqual([
      [1, 'sync.finished'],
      [2, 'conflict.created'],
      [3, 'error'],
    ])
    expect(states.at(-1)).toBe('live') // an engine "error" is not a connection problem
  })

  it('drops an event it has already seen (a replay after reconnecting)', () => {
    const { es, events } = setup()
    es().open()
    es().emit('warning', { id: 5 })
    es().emit('warning', { id: 5 })
    expect(events).toHaveLength(1)
  })

  it('leaves a dropped connection to the browser', () => {
    const { es, states, timers } = setup()
    es().open()
    es().drop()
    expect(states.at(-1)).toBe('reconnecting')
    expect(timers).toHaveLength(0)
    expect(FakeEventSource.all).toHaveLength(1)
  })

  it('reconnects with backoff after the server refuses, resuming after the last event', () => {
    const { es, events, states, timers, fire } = setup({ offlineAfter: 3 })
    es().open()
    es().emit('sync.finished', { id: 41 })
    es().fail()
    expect(es().closed).toBe(true)
    expect(states.at(-1)).toBe('reconnecting')
    expect(timers.map((t) => t.ms)).toEqual([100])
    fire()
    expect(FakeEventSource.all).toHaveLength(2)
    expect(es().url).toBe('/api/v1/events?lastEventId=41')
    es().fail()
    expect(timers[0].ms).toBe(200)
    fire()
    es().fail()
    expect(timers[0].ms).toBe(400)
    expect(states.at(-1)).toBe('offline') // third failure in a row
    fire()
    es().fail()
    expect(timers[0].ms).toBe(400) // capped
    fire()
    es().open()
    expect(states.at(-1)).toBe('live')
    es().emit('snapshot.created', { id: 42 })
    expect(events.map((e) => e.id)).toEqual([41, 42])
    es().fail()
    expect(timers[0].ms).toBe(100) // a good connection resets the backoff
  })

  it('stops for good when unsubscribed', () => {
    const { es, timers, stop } = setup()
    es().fail()
    expect(timers).toHaveLength(1)
    stop()
    expect(timers[0].cleared).toBe(true)
    timers[0].fn() // even a timer that fires late does not reconnect
    expect(FakeEventSource.all).toHaveLength(1)
  })

  it('ignores malformed data', () => {
    const { es, events } = setup()
    es().open()
    for (const fn of es().listeners.get('warning') ?? []) fn(new MessageEvent('warning', { data: 'not json' }))
    expect(events).toHaveLength(0)
  })
})

describe('subscribeEvents in the desktop window', () => {
  afterEach(() => {
    const g = globalThis as unknown as { go?: unknown; runtime?: unknown }
    delete g.go
    delete g.runtime
  })

  it('listens to the Wails event and unsubscribes', () => {
    const g = globalThis as unknown as { go?: unknown; runtime?: unknown }
    let handler: ((e: unknown) => void) | null = null
    const off = vi.fn()
    g.go = { main: { App: {} } }
    g.runtime = {
      EventsOn: vi.fn((name: string, cb: (e: unknown) => void) => {
        expect(name).toBe('aisync:event')
        handler = cb
        return off
      }),
    }
    const events: EngineEvent[] = []
    const states: StreamState[] = []
    const stop = subscribeEvents({ onEvent: (e) => events.push(e), onState: (s) => states.push(s), EventSourceImpl: FakeEventSource as never })
    handler!({ id: 1, type: 'file.written', time: 't' })
    expect(events).toHaveLength(1)
    expect(states.at(-1)).toBe('live')
    stop()
    expect(off).toHaveBeenCalled()
  })
})

describe('onNavigate', () => {
  afterEach(() => {
    const g = globalThis as unknown as { go?: unknown; runtime?: unknown }
    delete g.go
    delete g.runtime
  })

  it('does nothing in a browser', () => {
    const fn = vi.fn()
    onNavigate(fn)()
    expect(fn).not.toHaveBeenCalled()
  })

  it('follows the desktop app to a route', () => {
    const g = globalThis as unknown as { go?: unknown; runtime?: unknown }
    let handler: ((r: unknown) => void) | null = null
    g.go = { main: { App: {} } }
    g.runtime = { EventsOn: (name: string, cb: (r: unknown) => void) => ((handler = name === 'aisync:navigate' ? cb : handler), () => {}) }
    const fn = vi.fn()
    onNavigate(fn)
    handler!('/conflicts/c1')
    expect(fn).toHaveBeenCalledWith('/conflicts/c1')
  })
})
