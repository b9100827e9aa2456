// The arithmetic of the dashboard charts: scales, tick values and SVG paths. Pure, so the
// chart components stay small and the numbers are tested on their own.

export type Scale = ((v: number) => number) & { domain: [number, number]; range: [number, number] }

/** A linear map from domain to range; an empty domain maps everything to the range's middle. */
export function scaleLinear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain
  const [r0, r1] = range
  const f = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0))) as Scale
  f.domain = domain
  f.range = range
  return f
}

/** A step of 1, 2 or 5 times a power of ten giving about `count` intervals over span. */
export function niceStep(span: number, count = 4): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1
  const raw = span / Math.max(1, count)
  const mag = Math.pow(10, Math.floor(Math.log10(raw)))
  const norm = raw / mag
  const m = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10
  return m * mag
}

/** Rounds max up to a tick so a chart's top line is a round number; never below 1. */
export function niceMax(max: number, count = 4): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1
  const step = niceStep(max, count)
  return Math.max(step, Math.ceil(max / step) * step)
}

/** Tick values from 0 to niceMax(max). */
export function ticks(max: number, count = 4): number[] {
  const top = niceMax(max, count)
  const step = niceStep(top, count)
  const out: number[] = []
  for (let v = 0; v <= top + step / 1e6; v += step) out.push(Math.round(v * 1e6) / 1e6)
  return out
}

export interface Point {
  x: number
  y: number
}

/** An SVG path through the points ("M x y L x y …"); empty for no points. */
export function linePath(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)} ${round(p.y)}`).join(' ')
}

/** The area under a line down to baseline y. */
export function areaPath(points: Point[], baseline: number): string {
  if (points.length === 0) return ''
  const first = points[0]
  const last = points[points.length - 1]
  return `${linePath(points)} L${round(last.x)} ${round(baseline)} L${round(first.x)} ${round(baseline)} Z`
}

/** The stroke-dasharray that draws `fraction` of a circle of radius r. */
export function ringDash(fraction: number, r: number): string {
  const c = 2 * Math.PI * r
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
  return `${round(c * f)} ${round(c)}`
}

/** A compact label for a tick: 1500 → "1.5k", 2_000_000 → "2M". */
export function shortNumber(v: number): string {
  if (Math.abs(v) >= 1e6) return `${trim(v / 1e6)}M`
  if (Math.abs(v) >= 1e3) return `${trim(v / 1e3)}k`
  return trim(v)
}

function trim(v: number): string {
  return String(Math.round(v * 10) / 10)
}

function round(v: number): number {
  return Math.round(v * 100) / 100
}
