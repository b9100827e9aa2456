import { fireEvent, render } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import type { Conflict } from '../lib/api'
import ConflictCompare from './ConflictCompare.svelte'

const conflict: Conflict = {
  id: 'c1',
  scope: 'user',
  itemKey: 'servers/github',
  kind: 'server',
  status: 'pending',
  base: { transport: 'stdio', command: 'npx', args: ['-y', 'gh'] },
  sides: [
    { client_id: 'cursor', value: { transport: 'stdio', command: 'npx', args: ['-y', 'gh', '--read-only'] }, mtime: '2026-03-01T10:00:00Z' },
    { client_id: 'windsurf', value: { transport: 'stdio', command: 'npx', args: ['-y', 'gh', '--repos'], cwd: '/w' }, mtime: '2026-03-01T10:00:05Z' },
  ],
  createdAt: '2026-03-01T10:00:06Z',
}
const clients = [
  { id: 'cursor', name: 'Cursor' },
  { id: 'windsurf', name: 'Windsurf' },
] as never

describe('ConflictCompare', () => {
  it('puts the base and both sides side by side, field by field', () => {
    const { container, getByText } = render(ConflictCompare, { conflict, clients, onresolve: () => {} })
    const head = [...container.querySelectorAll('thead th')].map((th) => th.firstChild?.textContent?.trim())
    expect(head).toEqual(['Field', 'Base', 'Cursor', 'Windsurf'])
    const rows = [...container.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent?.trim()))
    expect(rows).toEqual([
      ['transport', 'stdio', 'stdio', 'stdio'],
      ['command', 'npx', 'npx', 'npx'],
      ['args', '["-y","gh"]', '["-y","gh","--read-only"]', '["-y","gh","--repos"]'],
      ['cwd', '—', '—', '/w'],
    ])
    expect(getByText('servers/', { exact: false })).toBeTruthy()
  })

  it('marks what each side changed, and what both changed differently', () => {
    const { container } = render(ConflictCompare, { conflict, clients, onresolve: () => {} })
    const rows = [...container.querySelectorAll('tbody tr')]
    expect(rows[2].classList.contains('contested')).toBe(true)
    expect(rows[2].querySelectorAll('td.changed')).toHaveLength(2)
    expect(rows[3].classList.contains('contested')).toBe(false)
    expect(rows[3].querySelectorAll('td.changed')).toHaveLength(1)
    expect(rows[0].querySelectorAll('td.changed')).toHaveLength(0)
  })

  it('keeps one side', async () => {
    const onresolve = vi.fn()
    const { getByRole } = render(ConflictCompare, { conflict, clients, onresolve })
    await fireEvent.click(getByRole('button', { name: 'Keep Windsurf' }))
    expect(onresolve).toHaveBeenCalledWith({ choice: 'client', client: 'windsurf' })
    await fireEvent.click(getByRole('button', { name: 'Keep base' }))
    expect(onresolve).toHaveBeenLastCalledWith({ choice: 'base' })
  })

  it('merges: one-sided changes combined, the newest side wins a contested field, editable', async () => {
    const onresolve = vi.fn()
    const { getByRole, getByLabelText, getByText } = render(ConflictCompare, { conflict, clients, onresolve })
    await fireEvent.click(getByRole('button', { name: /Merge/ }))
    expect(getByText(/Both sides changed args/)).toBeTruthy()
    const box = getByLabelText('Value as JSON') as HTMLTextAreaElement
    expect(JSON.parse(box.value)).toEqual({ transport: 'stdio', command: 'npx', args: ['-y', 'gh', '--repos'], cwd: '/w' })
    await fireEvent.input(box, { target: { value: '{"command": "npx", "args": ["-y", "gh", "--read-only", "--repos"]}' } })
    await fireEvent.click(getByRole('button', { name: 'Save and resync' }))
    expect(onresolve).toHaveBeenCalledWith({ choice: 'value', value: { command: 'npx', args: ['-y', 'gh', '--read-only', '--repos'] } })
  })

  it('refuses invalid JSON in the editor', async () => {
    const onresolve = vi.fn()
    const { getByRole, getByLabelText, findByRole } = render(ConflictCompare, { conflict, clients, onresolve })
    await fireEvent.click(getByRole('button', { name: /Edit/ }))
    await fireEvent.input(getByLabelText('Value as JSON'), { target: { value: '{ nope' } })
    await fireEvent.click(getByRole('button', { name: 'Save and resync' }))
    expect((await findByRole('alert')).textContent).toMatch(/not valid JSON/)
    expect(onresolve).not.toHaveBeenCalled()
  })

  it('shows a deleted side as deleted', () => {
    const deleted = { ...conflict, sides: [conflict.sides[0], { client_id: 'windsurf', value: null, mtime: '2026-03-01T10:00:05Z' }] }
    const { container } = render(ConflictCompare, { conflict: deleted, clients, onresolve: () => {} })
    expect(container.querySelectorAll('td.gone em')[0].textContent).toBe('deleted')
  })

  it('offers confirm or restore for a file that lost all its entries', async () => {
    const onresolve = vi.fn()
    const suspicious = { ...conflict, kind: 'suspicious', itemKey: 'file', base: undefined, sides: [{ client_id: 'cursor', value: null, mtime: '2026-03-01T10:00:00Z' }] }
    const { getByRole, queryByRole } = render(ConflictCompare, { conflict: suspicious, clients, onresolve })
    expect(queryByRole('button', { name: /Merge/ })).toBeNull()
    await fireEvent.click(getByRole('button', { name: 'Restore the synced entries' }))
    expect(onresolve).toHaveBeenCalledWith({ choice: 'restore' })
  })

  it('shows how a resolved conflict ended, without actions', () => {
    const done = { ...conflict, status: 'resolved', resolvedBy: 'user', resolvedAt: '2026-03-01T10:01:00Z', resolution: { choice: 'client', client: 'cursor' } }
    const { queryByRole, getByText } = render(ConflictCompare, { conflict: done, clients, onresolve: () => {} })
    expect(queryByRole('button', { name: /Keep/ })).toBeNull()
    expect(getByText(/by user/)).toBeTruthy()
  })
})
