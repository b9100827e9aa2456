import { describe, expect, it } from 'vitest'
import { ago, bytes, guessHome, scopeLabel, tildify } from './format'

describe('ago', () => {
  const now = Date.parse('2026-03-01T12:00:00Z')
  it.each([
    [undefined, 'never'],
    ['0001-01-01T00:00:00Z', 'never'],
    ['2026-03-01T11:59:55Z', 'just now'],
    ['2026-03-01T12:00:30Z', 'just now'],
    ['2026-03-01T11:58:00Z', '2 minutes ago'],
    ['2026-03-01T09:00:00Z', '3 hours ago'],
    ['2026-02-28T12:00:00Z', 'yesterday'],
  ])('%s → %s', (iso, want) => {
    expect(ago(iso, now)).toBe(want)
  })
})

describe('labels', () => {
  it('names scopes and sizes for people', () => {
    expect(scopeLabel('user')).toBe('User (home folder)')
    expect(scopeLabel('project:/home/ana/app')).toBe('Project app')
    expect(bytes(404)).toBe('404 B')
    expect(bytes(2048)).toBe('2.0 KB')
  })
})

describe('home paths', () => {
  it('finds the home folder behind client files and shortens paths in it', () => {
    const home = guessHome(['/home/ana/.cursor/mcp.json', '/home/ana/.codex/config.toml', '/work/x/.vscode/mcp.json'])
    expect(home).toBe('/home/ana')
    expect(tildify('updated /home/ana/.cursor/mcp.json', home)).toBe('updated ~/.cursor/mcp.json')
  })
  it('does not guess from a single path', () => {
    expect(guessHome(['/home/ana/.cursor/mcp.json'])).toBe('')
    expect(tildify('x /a/b', '')).toBe('x /a/b')
  })
  it('understands Windows paths', () => {
    expect(guessHome(['C:\\Users\\ana\\.cursor\\mcp.json', 'C:\\Users\\ana\\.codex\\config.toml'])).toBe('C:\\Users\\ana')
  })
})
