import { render } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { ClientInfo } from '../lib/api'
import ClientCard from './ClientCard.svelte'

const now = Date.parse('2026-03-01T12:00:00Z')

function client(over: Partial<ClientInfo> = {}, status: Partial<ClientInfo['status']> = {}): ClientInfo {
  return {
    id: 'cursor',
    name: 'Cursor',
    detected: true,
    enabled: true,
    priority: 90,
    capabilities: { servers: true, rules: true, permissions: true, projectScope: true, transports: ['stdio'], envSyntax: '${env:VAR}', lossy: [] },
    endpoints: [],
    ...over,
    status: { clientId: 'cursor', state: 'ok', servers: 3, rules: 2, permissions: 1, lastSync: '2026-03-01T11:55:00Z', ...status },
  }
}

describe('ClientCard', () => {
  it('shows name, state, counts and last sync, and links to the detail', () => {
    const { getByText, getByTestId, container } = render(ClientCard, { client: client(), now })
    expect(getByText('Cursor')).toBeTruthy()
    expect(getByText('In sync')).toBeTruthy()
    expect(getByTestId('servers').textContent).toBe('3')
    expect(getByTestId('rules').textContent).toBe('2')
    expect(getByText(/Last sync 5 minutes ago/)).toBeTruthy()
    expect(container.querySelector('a')!.getAttribute('href')).toBe('#/clients/cursor')
  })

  it('shows the error of a failing client', () => {
    const { getByText, container } = render(ClientCard, { client: client({}, { state: 'error', lastError: 'permission denied: ~/.cursor/mcp.json' }), now })
    expect(getByText('Error')).toBeTruthy()
    expect(getByText('permission denied: ~/.cursor/mcp.json')).toBeTruthy()
    expect(container.querySelector('[data-state="error"]')).toBeTruthy()
  })

  it('shows the first warning and how many more there are', () => {
    const { getByText } = render(ClientCard, { client: client({}, { state: 'warning', warnings: ['SSE is written as HTTP', 'cwd is dropped'] }), now })
    expect(getByText('Warning')).toBeTruthy()
    expect(getByText('SSE is written as HTTP (+1 more)')).toBeTruthy()
  })

  it('explains a client that is not installed, without counts', () => {
    const { getByText, queryByTestId, container } = render(ClientCard, { client: client({ detected: false }, { state: 'not-detected' }), now })
    expect(getByText('Not installed')).toBeTruthy()
    expect(getByText(/Not found on this computer/)).toBeTruthy()
    expect(queryByTestId('servers')).toBeNull()
    expect(container.querySelector('.inactive')).toBeTruthy()
  })

  it('reads as disabled when syncing is off, whatever the engine state', () => {
    const { getByText, container } = render(ClientCard, { client: client({ enabled: false }, { state: 'ok' }), now })
    expect(getByText('Disabled')).toBeTruthy()
    expect(container.querySelector('[data-state="disabled"]')).toBeTruthy()
  })

  it('never shows a sync time as in the future', () => {
    const { getByText } = render(ClientCard, { client: client({}, { lastSync: '2026-03-01T12:00:05Z' }), now })
    expect(getByText('Last sync just now')).toBeTruthy()
  })
})
