import { fireEvent, render } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { lineDiff } from '../lib/diff'
import DiffView from './DiffView.svelte'

const before = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n')
const after = before.replace('line 15', 'line fifteen')

describe('DiffView', () => {
  it('shows a change side by side, old left and new right, with counts', () => {
    const { container, getByText } = render(DiffView, { lines: lineDiff(before, after), oldLabel: 'Snapshot', newLabel: 'Current file' })
    expect(getByText('Snapshot')).toBeTruthy()
    expect(getByText('Current file')).toBeTruthy()
    const del = container.querySelector('td.del')!
    const add = container.querySelector('td.add')!
    expect(del.textContent).toBe('line 15')
    expect(add.textContent).toBe('line fifteen')
    // Removed and added lines share a row.
    expect(del.parentElement).toBe(add.parentElement)
    expect(getByText('+1')).toBeTruthy()
    expect(getByText('−1')).toBeTruthy()
  })

  it('folds unchanged lines and unfolds them on request', async () => {
    const { container, getAllByText } = render(DiffView, { props: { lines: lineDiff(before, after), mode: 'unified', context: 2 } })
    const buttons = getAllByText(/Show \d+ unchanged lines/)
    expect(buttons.map((b) => b.textContent)).toEqual(['Show 12 unchanged lines', 'Show 13 unchanged lines'])
    expect(container.querySelectorAll('tbody tr:not(.skip)')).toHaveLength(6)
    await fireEvent.click(buttons[0])
    expect(container.querySelectorAll('tbody tr:not(.skip)')).toHaveLength(18)
  })

  it('marks lines with + and − in the unified view', async () => {
    const { container, getByRole } = render(DiffView, { lines: lineDiff('a\nb', 'a\nc') })
    await fireEvent.click(getByRole('button', { name: 'Unified' }))
    expect(container.querySelector('[data-mode="unified"]')).toBeTruthy()
    const rows = [...container.querySelectorAll('tbody tr')].map((r) => [r.classList.contains('add') ? 'add' : r.classList.contains('del') ? 'del' : '', r.querySelector('.sign')?.textContent, r.querySelector('.code')?.textContent])
    expect(rows).toEqual([
      ['', ' ', 'a'],
      ['del', '−', 'b'],
      ['add', '+', 'c'],
    ])
  })

  it('says when there is nothing to show', () => {
    expect(render(DiffView, { lines: lineDiff('same', 'same') }).getByText('No differences.')).toBeTruthy()
  })
})
