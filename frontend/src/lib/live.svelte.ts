// The app's live picture of the engine: status, clients and recent events. Engine events
// (Wails events in the window, SSE in a browser) land in the timeline at once and schedule a
// refresh of whatever they touch, so every screen reflects a change within a second.

import * as api from './api'
import { guessHome } from './format'
import type { ClientInfo, EngineEvent, StatusReport, StreamState } from './api'
import { notices } from './notices.svelte'

const KEEP = 200

/** Which data an event makes stale. */
export function staleBy(type: string): { status: boolean; clients: boolean; conflicts: boolean; stats: boolean } {
  return {
    status: true,
    clients: type !== 'sync.progress',
    conflicts: type.startsWith('conflict.') || type === 'sync.finished' || type === 'status.changed',
    stats: type === 'sync.finished' || type === 'status.changed',
  }
}

class Live {
  status: StatusReport | null = $state(null)
  clients: ClientInfo[] = $state([])
  events: EngineEvent[] = $state([])
  stream: StreamState = $state('connecting')
  /** Bumped when something the charts show changed; screens watch it to reload. */
  statsVersion = $state(0)
  /** Bumped on every event; screens with their own data (logs, snapshots) watch it. */
  eventVersion = $state(0)
  loaded = $state(false)
  /** The user's home folder as the client paths reveal it, for writing paths as ~/…. */
  home = $derived(guessHome(this.clients.flatMap((c) => (c.endpoints ?? []).filter((e) => e.scope === 'user').map((e) => e.path))))

  private stop: (() => void) | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private pending = { status: false, clients: false }

  get pendingConflicts(): number {
    return this.status?.pendingConflicts ?? 0
  }

  async start(): Promise<void> {
    this.stopStream()
    this.stop = api.subscribeEvents({ onEvent: (e) => this.receive(e), onState: (s) => (this.stream = s) })
    if (api.isDesktop()) {
      try {
        for (const e of await api.recentEvents()) this.receive(e, false)
      } catch (e) {
        notices.error(e, 'Could not load recent events')
      }
    }
    await this.refresh()
  }

  stopStream(): void {
    this.stop?.()
    this.stop = null
  }

  async refresh(): Promise<void> {
    const [s, c] = await Promise.allSettled([api.status(), api.clients()])
    if (s.status === 'fulfilled') this.status = s.value
    if (c.status === 'fulfilled') this.clients = c.value
    this.loaded = true
    const failed = s.status === 'rejected' ? s.reason : c.status === 'rejected' ? c.reason : null
    if (failed) notices.error(failed, 'Could not load the sync status')
  }

  receive(e: EngineEvent, live = true): void {
    if (this.events.some((x) => x.id === e.id && x.time === e.time)) return
    this.events = [e, ...this.events].slice(0, KEEP)
    if (!live) return
    this.eventVersion++
    const s = staleBy(e.type)
    if (s.stats) this.statsVersion++
    this.pending.status ||= s.status
    this.pending.clients ||= s.clients
    if (e.type === 'sync.finished' && e.data && Number(e.data.conflicts) > 0) notices.toast(e.message ?? 'New conflict', 'info')
    this.schedule()
  }

  /** Coalesces a burst of events (a sync writes several files) into one refresh. */
  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(async () => {
      this.timer = null
      const { status, clients } = this.pending
      this.pending = { status: false, clients: false }
      try {
        if (status) this.status = await api.status()
        if (clients) this.clients = await api.clients()
      } catch {
        /* a refresh that fails is retried by the next event; the stream state shows trouble */
      }
    }, 150)
  }

  setPaused(paused: boolean): void {
    if (this.status) this.status = { ...this.status, paused }
  }
}

export const live = new Live()
