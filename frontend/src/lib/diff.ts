// Line diffs for display: computing one in the browser (two snapshots' JSON, two sides of a
// conflict), pairing removed and added lines for the side-by-side view, and folding long
// unchanged stretches. The engine's own diffs (rollback previews) use the same DiffLine.

import type { DiffLine } from './types'

/** JSON with sorted keys and two-space indentation, so equal values print equally. */
export function pretty(value: unknown): string {
  if (value === undefined) return ''
  return JSON.stringify(sortKeys(value), null, 2)
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k])
    return out
  }
  return v
}

function splitLines(s: string): string[] {
  if (s === '') return []
  const lines = s.split(/\r?\n/)
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** The line diff from a to b (longest common subsequence); removals come before additions. */
export function lineDiff(a: string, b: string): DiffLine[] {
  const x = splitLines(a)
  const y = splitLines(b)
  const n = x.length
  const m = y.length
  // Trim the common head and tail so the table stays small for typical edits.
  let head = 0
  while (head < n && head < m && x[head] === y[head]) head++
  let tail = 0
  while (tail < n - head && tail < m - head && x[n - 1 - tail] === y[m - 1 - tail]) tail++
  const xs = x.slice(head, n - tail)
  const ys = y.slice(head, m - tail)
  const ops: ('=' | '-' | '+')[] = []
  if (xs.length * ys.length > 4_000_000) {
    xs.forEach(() => ops.push('-'))
    ys.forEach(() => ops.push('+'))
  } else {
    const w = ys.length + 1
    const lcs = new Uint32Array((xs.length + 1) * w)
    for (let i = xs.length - 1; i >= 0; i--)
      for (let j = ys.length - 1; j >= 0; j--)
        lcs[i * w + j] = xs[i] === ys[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1])
    let i = 0
    let j = 0
    while (i < xs.length || j < ys.length) {
      if (i < xs.length && j < ys.length && xs[i] === ys[j]) {
        ops.push('=')
        i++
        j++
      } else if (j >= ys.length || (i < xs.length && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        ops.push('-')
        i++
      } else {
        ops.push('+')
        j++
      }
    }
  }
  const out: DiffLine[] = []
  let o = 0
  let nw = 0
  for (let k = 0; k < head; k++) out.push({ op: ' ', text: x[o], oldLine: ++o, newLine: ++nw })
  let xi = head
  let yi = head
  for (const op of ops) {
    if (op === '=') {
      out.push({ op: ' ', text: x[xi++], oldLine: ++o, newLine: ++nw })
      yi++
    } else if (op === '-') out.push({ op: '-', text: x[xi++], oldLine: ++o })
    else out.push({ op: '+', text: y[yi++], newLine: ++nw })
  }
  for (let k = 0; k < tail; k++) out.push({ op: ' ', text: x[xi++], oldLine: ++o, newLine: ++nw })
  return groupChanges(out)
}

/** Within each run of changed lines, removals first: the order people read diffs in. */
export function groupChanges(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = []
  let run: DiffLine[] = []
  const flush = () => {
    out.push(...run.filter((l) => l.op === '-'), ...run.filter((l) => l.op === '+'))
    run = []
  }
  for (const l of lines) {
    if (l.op === ' ') {
      flush()
      out.push(l)
    } else run.push(l)
  }
  flush()
  return out
}

/** The same diff read the other way round (b to a). */
export function invert(lines: DiffLine[]): DiffLine[] {
  return groupChanges(
    lines.map((l) => ({
      ...l,
      op: l.op === '+' ? '-' : l.op === '-' ? '+' : ' ',
      oldLine: l.newLine,
      newLine: l.oldLine,
    })),
  )
}

export interface SideRow {
  left?: DiffLine
  right?: DiffLine
}

/** Pairs removed with added lines so a change reads across one row. */
export function sideBySide(lines: DiffLine[]): SideRow[] {
  const rows: SideRow[] = []
  let del: DiffLine[] = []
  let add: DiffLine[] = []
  const flush = () => {
    for (let i = 0; i < Math.max(del.length, add.length); i++) rows.push({ left: del[i], right: add[i] })
    del = []
    add = []
  }
  for (const l of lines) {
    if (l.op === '-') del.push(l)
    else if (l.op === '+') add.push(l)
    else {
      flush()
      rows.push({ left: l, right: l })
    }
  }
  flush()
  return rows
}

export type Folded<T> = { kind: 'lines'; items: T[] } | { kind: 'skip'; count: number; items: T[] }

/**
 * Folds unchanged stretches longer than 2*context+1 lines, keeping `context` lines around
 * each change. `changed` says whether an item is a change.
 */
export function fold<T>(items: T[], changed: (t: T) => boolean, context = 3): Folded<T>[] {
  const keep = new Array(items.length).fill(false)
  items.forEach((t, i) => {
    if (changed(t)) for (let k = Math.max(0, i - context); k <= Math.min(items.length - 1, i + context); k++) keep[k] = true
  })
  const out: Folded<T>[] = []
  let i = 0
  while (i < items.length) {
    const start = i
    const k = keep[i]
    while (i < items.length && keep[i] === k) i++
    const slice = items.slice(start, i)
    if (k || slice.length <= 2) out.push({ kind: 'lines', items: slice })
    else out.push({ kind: 'skip', count: slice.length, items: slice })
  }
  return out
}

export function countChanges(lines: DiffLine[]): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const l of lines) {
    if (l.op === '+') added++
    else if (l.op === '-') removed++
  }
  return { added, removed }
}
