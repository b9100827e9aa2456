import { describe, expect, it } from 'vitest'
import { href, parseHash } from './router.svelte'

describe('parseHash', () => {
  it.each([
    ['', 'dashboard'],
    ['#/', 'dashboard'],
    ['#/clients', 'clients'],
    ['#/snapshots?client=cursor', 'snapshots'],
    ['#/conflicts', 'conflicts'],
    ['#/logs', 'logs'],
    ['#/exports', 'exports'],
    ['#/settings', 'settings'],
    ['#/login', 'login'],
    ['#/conflicts/0199-abc', 'conflicts'],
    ['#/nope', 'notfound'],
  ])('%s → %s', (hash, name) => {
    expect(parseHash(hash).name).toBe(name)
  })

  it('decodes path parameters and keeps the query', () => {
    const r = parseHash('#/clients/claude%20code?tab=files')
    expect(r).toMatchObject({ name: 'client', params: { id: 'claude code' } })
    expect(r.query.get('tab')).toBe('files')
  })

  it('names the conflict a desktop notification points at', () => {
    expect(parseHash('#/conflicts/0199-abc').params).toEqual({ id: '0199-abc' })
  })

  it('builds links without empty parameters', () => {
    expect(href('/snapshots', { client: 'cursor', scope: undefined, since: '' })).toBe('#/snapshots?client=cursor')
  })
})
