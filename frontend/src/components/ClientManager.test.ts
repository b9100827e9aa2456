import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ClientInfo } from '../lib/api'
import ClientManager from './ClientManager.svelte'

const mk = (id: string, name: string, priority: number, detected = true): ClientInfo => ({
  id,
  name,
  detected,
  enabled: true,
  priority,
  capabilities: { servers: true, rules: true, permissions: true, projectScope: true, transports: [], envSyntax: '', lossy: [] },
  endpoints: [],
  status: { clientId: id, state: detected ? 'ok' : 'not-detected', servers: 0, rules: 0, permissions: 0 },
})

describe('ClientManager', () => {
  afterEach(() => vi.unstubAllGlobals())

  function stubPatch() {
    const calls: { id: string; body: unknown }[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        calls.push({ id: url.split('/').pop()!, body: JSON.parse(String(init.body)) })
        return Promise.resolve(new Response('{}', { status: 200 }))
      }),
    )
    return calls
  }

  it('lists installed clients by priority and folds the others away', async () => {
    const { container, getByRole } = render(ClientManager, { clients: [mk('b', 'Bee', 10), mk('a', 'Ay', 50), mk('z', 'Zed', 30, false)] })
    const ids = () => [...container.querySelectorAll('li')].map((li) => li.dataset.client)
    expect(ids()).toEqual(['a', 'b'])
    await fireEvent.click(getByRole('button', { name: /Show 1 client that is not installed/ }))
    expect(ids()).toEqual(['a', 'z', 'b'])
  })

  it('moving a client up gives the list new priorities, top first', async () => {
    const calls = stubPatch()
    const { getByRole, container } = render(ClientManager, { clients: [mk('a', 'Ay', 50), mk('z', 'Zed', 30, false), mk('b', 'Bee', 10)] })
    await fireEvent.click(getByRole('button', { name: 'Move Bee up' }))
    expect([...container.querySelectorAll('li')].map((li) => li.dataset.client)).toEqual(['b', 'a'])
    // The hidden client keeps its place in the order: b, z, a → 30, 20, 10.
    await waitFor(() => expect(calls).toHaveLength(3))
    expect(calls).toEqual([
      { id: 'b', body: { priority: 30 } },
      { id: 'z', body: { priority: 20 } },
      { id: 'a', body: { priority: 10 } },
    ])
  })

  it('sets a priority, a policy and whether a client syncs', async () => {
    const calls = stubPatch()
    const onchanged = vi.fn()
    const { getAllByRole, getByRole } = render(ClientManager, { clients: [mk('a', 'Ay', 50)], onchanged })
    const prio = getAllByRole('spinbutton')[0] as HTMLInputElement
    await fireEvent.change(prio, { target: { value: '2000' } })
    await fireEvent.change(getAllByRole('combobox')[0], { target: { value: 'newest' } })
    await fireEvent.click(getByRole('switch', { name: 'Sync Ay' }))
    await waitFor(() => expect(calls).toHaveLength(3))
    expect(calls.map((c) => c.body)).toEqual([{ priority: 1000 }, { conflictPolicy: 'newest' }, { enabled: false }])
    await waitFor(() => expect(onchanged).toHaveBeenCalledTimes(3))
  })
})
