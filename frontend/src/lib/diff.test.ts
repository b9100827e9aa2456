import { describe, expect, it } from 'vitest'
import { countChanges, fold, groupChanges, invert, lineDiff, pretty, sideBySide } from './diff'
import type { DiffLine } from './types'

describe('lineDiff', () => {
  it('numbers both sides and puts removals first', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual([
      { op: ' ', text: 'a', oldLine: 1, newLine: 1 },
      { op: '-', text: 'b', oldLine: 2 },
      { op: '+', text: 'B', newLine: 2 },
      { op: ' ', text: 'c', oldLine: 3, newLine: 3 },
      { op: '+', text: 'd', newLine: 4 },
    ])
  })
  it('handles empty sides', () => {
    expect(lineDiff('', 'x')).toEqual([{ op: '+', text: 'x', newLine: 1 }])
    expect(lineDiff('x', '')).toEqual([{ op: '-', text: 'x', oldLine: 1 }])
    expect(lineDiff('', '')).toEqual([])
  })
  it('finds the common lines in the middle', () => {
    const d = lineDiff('1\n2\n3\n4\n5', '0\n2\n3\n4\n6')
    expect(d.filter((l) => l.op === ' ').map((l) => l.text)).toEqual(['2', '3', '4'])
    expect(countChanges(d)).toEqual({ added: 2, removed: 2 })
  })
})

describe('pretty', () => {
  it('sorts keys so equal values print equally', () => {
    expect(pretty({ b: 1, a: { d: 2, c: [3] } })).toBe(pretty({ a: { c: [3], d: 2 }, b: 1 }))
  })
})

describe('sideBySide', () => {
  it('pairs removed with added lines and pads the shorter side', () => {
    const rows = sideBySide(lineDiff('a\nb\nc', 'a\nx\ny\nc'))
    expect(rows.map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['a', 'a'],
      ['b', 'x'],
      [null, 'y'],
      ['c', 'c'],
    ])
  })
})

describe('invert', () => {
  it('reads the diff the other way round', () => {
    const lines: DiffLine[] = [
      { op: ' ', text: 'a', oldLine: 1, newLine: 1 },
      { op: '-', text: 'old', oldLine: 2 },
      { op: '+', text: 'new', newLine: 2 },
    ]
    expect(invert(lines)).toEqual([
      { op: ' ', text: 'a', oldLine: 1, newLine: 1 },
      { op: '-', text: 'new', oldLine: 2, newLine: undefined },
      { op: '+', text: 'old', newLine: 2, oldLine: undefined },
    ])
  })
  it('groupChanges keeps each run removals-first', () => {
    expect(groupChanges([{ op: '+', text: 'b' }, { op: '-', text: 'a' }]).map((l) => l.op)).toEqual(['-', '+'])
  })
})

describe('fold', () => {
  it('keeps context around changes and folds the rest', () => {
    const items = Array.from({ length: 20 }, (_, i) => (i === 10 ? 'X' : '.'))
    const f = fold(items, (x) => x === 'X', 2)
    expect(f.map((b) => [b.kind, b.items.length])).toEqual([
      ['skip', 8],
      ['lines', 5],
      ['skip', 7],
    ])
  })
  it('does not fold tiny stretches', () => {
    const f = fold(['.', 'X', '.'], (x) => x === 'X', 0)
    expect(f.every((b) => b.kind === 'lines')).toBe(true)
  })
})
