import { describe, expect, it } from 'vitest'
import { areaPath, linePath, niceMax, niceStep, ringDash, scaleLinear, shortNumber, ticks } from './chart'

describe('scaleLinear', () => {
  it('maps the domain onto the range, also inverted (SVG y grows downwards)', () => {
    const y = scaleLinear([0, 200], [180, 20])
    expect(y(0)).toBe(180)
    expect(y(200)).toBe(20)
    expect(y(100)).toBe(100)
  })
  it('puts everything in the middle when the domain is a single value', () => {
    const x = scaleLinear([5, 5], [0, 100])
    expect(x(5)).toBe(50)
  })
})

describe('nice numbers', () => {
  it.each([
    [0, 1],
    [-3, 1],
    [1, 1],
    [7, 8],
    [37, 40],
    [145, 150],
    [980, 1000],
    [0.3, 0.3],
    [NaN, 1],
  ])('niceMax(%s) = %s', (max, want) => {
    expect(niceMax(max)).toBeCloseTo(want)
  })
  it('steps are 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(100)).toBe(50)
    expect(niceStep(37)).toBe(10)
    expect(niceStep(8)).toBe(2)
  })
  it('ticks run from 0 to the nice max', () => {
    expect(ticks(145)).toEqual([0, 50, 100, 150])
    expect(ticks(0)).toEqual([0, 0.5, 1])
  })
})

describe('paths', () => {
  it('draws a line through the points', () => {
    expect(linePath([])).toBe('')
    expect(linePath([{ x: 0, y: 10 }, { x: 5.555, y: 2 }])).toBe('M0 10 L5.56 2')
  })
  it('closes the area down to the baseline', () => {
    expect(areaPath([{ x: 0, y: 10 }, { x: 10, y: 5 }], 20)).toBe('M0 10 L10 5 L10 20 L0 20 Z')
  })
  it('draws a share of a ring and clamps it', () => {
    const c = 2 * Math.PI * 10
    expect(ringDash(0.5, 10)).toBe(`${Math.round((c / 2) * 100) / 100} ${Math.round(c * 100) / 100}`)
    expect(ringDash(2, 10).split(' ')[0]).toBe(ringDash(1, 10).split(' ')[0])
    expect(ringDash(NaN, 10).startsWith('0 ')).toBe(true)
  })
  it('shortens big numbers', () => {
    expect(shortNumber(1500)).toBe('1.5k')
    expect(shortNumber(2_000_000)).toBe('2M')
    expect(shortNumber(42)).toBe('42')
  })
})
