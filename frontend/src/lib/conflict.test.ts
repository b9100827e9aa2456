import { describe, expect, it } from 'vitest'
import { autoMerge, fieldRows, splitKey } from './conflict'
import type { Conflict } from './types'

const base = (sides: Conflict['sides'], b: unknown = { command: 'npx', args: ['a'] }): Conflict => ({
  id: 'c',
  scope: 'user',
  itemKey: 'servers/x',
  kind: 'server',
  status: 'pending',
  base: b,
  sides,
  createdAt: '',
})

describe('conflicts field by field', () => {
  it('merges changes made on one side only', () => {
    const c = base([
      { client_id: 'a', value: { command: 'npx', args: ['a'], env: { K: '1' } }, mtime: '2026-01-01T00:00:00Z' },
      { client_id: 'b', value: { command: 'uvx', args: ['a'] }, mtime: '2026-01-01T00:00:01Z' },
    ])
    expect(autoMerge(c)).toEqual({ value: { command: 'uvx', args: ['a'], env: { K: '1' } }, contested: [] })
  })

  it('lets the newest side win a field both changed, and says so', () => {
    const c = base([
      { client_id: 'a', value: { command: 'npx', args: ['b'] }, mtime: '2026-01-01T00:00:09Z' },
      { client_id: 'b', value: { command: 'npx', args: ['c'] }, mtime: '2026-01-01T00:00:01Z' },
    ])
    expect(autoMerge(c)).toEqual({ value: { command: 'npx', args: ['b'] }, contested: ['args'] })
    expect(fieldRows(c).find((r) => r.field === 'args')!.contested).toBe(true)
  })

  it('is not contested when both sides made the same change', () => {
    const c = base([
      { client_id: 'a', value: { command: 'npx', args: ['z'] }, mtime: '' },
      { client_id: 'b', value: { command: 'npx', args: ['z'] }, mtime: '' },
    ])
    expect(fieldRows(c).find((r) => r.field === 'args')!.contested).toBe(false)
  })

  it('drops a field a side removed', () => {
    const c = base([
      { client_id: 'a', value: { command: 'npx' }, mtime: '' },
      { client_id: 'b', value: { command: 'npx', args: ['a'] }, mtime: '' },
    ])
    expect(autoMerge(c).value).toEqual({ command: 'npx' })
  })

  it('treats non-object values (a permission, a rule body) as one field', () => {
    const c = base(
      [
        { client_id: 'a', value: 'allow', mtime: '2026-01-01T00:00:00Z' },
        { client_id: 'b', value: 'deny', mtime: '2026-01-01T00:00:05Z' },
      ],
      'ask',
    )
    expect(fieldRows(c).map((r) => r.field)).toEqual(['value'])
    expect(autoMerge(c)).toEqual({ value: 'deny', contested: ['value'] })
  })

  it('orders familiar server fields first', () => {
    const c = base([{ client_id: 'a', value: { zeta: 1, url: 'u', transport: 'http' }, mtime: '' }], {})
    expect(fieldRows(c).map((r) => r.field)).toEqual(['transport', 'url', 'zeta'])
  })

  it('splits item keys', () => {
    expect(splitKey('servers/github')).toEqual({ section: 'servers', name: 'github' })
    expect(splitKey('permissions/shell:git status')).toEqual({ section: 'permissions', name: 'shell:git status' })
  })
})
