import { render } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { EngineEvent } from '../lib/api'
import EventTimeline, { condense, describe as describeEvent } from './EventTimeline.svelte'

const ev = (id: number, type: string, extra: Partial<EngineEvent> = {}): EngineEvent => ({ id, type, time: `2026-03-01T10:00:${String(id).padStart(2, '0')}Z`, ...extra })

describe('EventTimeline', () => {
  it('hides progress chatter and idle passes, folds repeats', () => {
    const items = condense([
      ev(9, 'client.changed', { client: 'roo', message: 'client settings changed' }),
      ev(8, 'client.changed', { client: 'kiro', message: 'client settings changed' }),
      ev(7, 'sync.finished', { message: 'nothing to sync' }),
      ev(6, 'sync.started'),
      ev(5, 'sync.finished', { message: 'sync succeeded: 2 files written', data: { filesWritten: 2 } }),
      ev(4, 'conflict.created', { message: 'conflict on servers/github' }),
    ])
    expect(items.map((i) => [i.event.type, i.count, i.clients])).toEqual([
      ['client.changed', 2, ['roo', 'kiro']],
      ['sync.finished', 1, []],
      ['conflict.created', 1, []],
    ])
  })

  it('colours events by what they mean', () => {
    expect(describeEvent(ev(1, 'conflict.created')).tone).toBe('warn')
    expect(describeEvent(ev(1, 'error')).tone).toBe('err')
    expect(describeEvent(ev(1, 'sync.finished', { data: { status: 'failed' } })).tone).toBe('err')
    expect(describeEvent(ev(1, 'sync.finished', { data: { filesWritten: 1 } })).tone).toBe('ok')
  })

  it('renders newest first with messages and client badges', () => {
    // "events" is also a Svelte mount option, so the props go under props.
    const { container, getByText } = render(EventTimeline, {
      props: { events: [ev(2, 'file.written', { client: 'windsurf', message: 'updated mcp_config.json' }), ev(1, 'snapshot.created', { message: 'added servers/fetch' })] },
    })
    const items = [...container.querySelectorAll('li')]
    expect(items.map((li) => li.dataset.type)).toEqual(['file.written', 'snapshot.created'])
    expect(getByText('windsurf')).toBeTruthy()
    expect(getByText('updated mcp_config.json')).toBeTruthy()
  })

  it('has a friendly empty state', () => {
    expect(render(EventTimeline, { props: { events: [] } }).getByText('Nothing has happened yet')).toBeTruthy()
  })
})
