// Reading a conflict field by field: which fields each side changed against the common
// base, and a starting point for a merge that takes every one-sided change.

import type { Conflict } from './types'

export interface FieldCell {
  value: unknown
  /** The field differs from the base. */
  changed: boolean
  present: boolean
}

export interface FieldRow {
  field: string
  base: FieldCell
  sides: FieldCell[]
  /** More than one side changed this field, to different values. */
  contested: boolean
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b))
}

function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon)
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
  return v
}

/** The conflict as rows of fields; a value that is not an object is one row named "value". */
export function fieldRows(c: Conflict): FieldRow[] {
  const values = [c.base, ...c.sides.map((s) => s.value)]
  const objects = values.every((v) => v === undefined || v === null || isObject(v))
  if (!objects) {
    const base: FieldCell = { value: c.base, changed: false, present: c.base !== undefined }
    const sides = c.sides.map((s) => ({ value: s.value, changed: !same(s.value, c.base), present: true }))
    return [{ field: 'value', base, sides, contested: contested(sides) }]
  }
  const fields = new Set<string>()
  for (const v of values) if (isObject(v)) Object.keys(v).forEach((k) => fields.add(k))
  const order = ['transport', 'command', 'args', 'url', 'env', 'headers', 'cwd']
  const sorted = [...fields].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b))
  return sorted.map((field) => {
    const get = (v: unknown) => (isObject(v) && field in v ? v[field] : undefined)
    const baseVal = get(c.base)
    const base: FieldCell = { value: baseVal, changed: false, present: baseVal !== undefined }
    const sides = c.sides.map((s) => {
      const v = get(s.value)
      return { value: v, changed: s.value !== null && !same(v, baseVal), present: v !== undefined }
    })
    return { field, base, sides, contested: contested(sides) }
  })
}

function contested(sides: FieldCell[]): boolean {
  const changed = sides.filter((s) => s.changed)
  return changed.length > 1 && changed.some((s) => !same(s.value, changed[0].value))
}

/**
 * A merge proposal: the base with every field a side changed; where sides disagree, the
 * most recently modified side wins and the field is listed in `contested` for the user.
 */
export function autoMerge(c: Conflict): { value: unknown; contested: string[] } {
  const rows = fieldRows(c)
  const newestFirst = c.sides.map((s, i) => ({ i, t: Date.parse(s.mtime) || 0 })).sort((a, b) => b.t - a.t)
  if (rows.length === 1 && rows[0].field === 'value' && !isObject(c.base) && !c.sides.some((s) => isObject(s.value))) {
    const pick = newestFirst.find(({ i }) => rows[0].sides[i].changed)
    return { value: pick ? c.sides[pick.i].value : c.base, contested: rows[0].contested ? ['value'] : [] }
  }
  const out: Record<string, unknown> = isObject(c.base) ? { ...c.base } : {}
  const contestedFields: string[] = []
  for (const r of rows) {
    const pick = newestFirst.find(({ i }) => r.sides[i].changed)
    if (!pick) continue
    const v = r.sides[pick.i].value
    if (v === undefined) delete out[r.field]
    else out[r.field] = v
    if (r.contested) contestedFields.push(r.field)
  }
  return { value: out, contested: contestedFields }
}

/** "servers/github" → { section: "servers", name: "github" }. */
export function splitKey(key: string): { section: string; name: string } {
  const i = key.indexOf('/')
  return i < 0 ? { section: '', name: key } : { section: key.slice(0, i), name: key.slice(i + 1) }
}
