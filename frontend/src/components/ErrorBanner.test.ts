import { fireEvent, render, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import { problemToError } from '../lib/api'
import { installGlobalErrorHandler, notices } from '../lib/notices.svelte'
import ErrorBanner from './ErrorBanner.svelte'

describe('the global error handler', () => {
  afterEach(() => notices.clearErrors())

  it('turns an unhandled rejection into a friendly message with a details toggle', async () => {
    const uninstall = installGlobalErrorHandler(window)
    const { getByText, getByRole, queryByText } = render(ErrorBanner)
    const ev = new Event('unhandledrejection') as PromiseRejectionEvent
    Object.assign(ev, { reason: problemToError(500, { title: 'Internal Server Error', status: 500, detail: 'database is locked' }) })
    window.dispatchEvent(ev)
    await waitFor(() => getByText(/aisync hit an internal error/))
    expect(queryByText(/database is locked/)).toBeNull()
    await fireEvent.click(getByRole('button', { name: 'Details' }))
    expect(getByText(/database is locked/)).toBeTruthy()
    await fireEvent.click(getByRole('button', { name: 'Hide details' }))
    expect(queryByText(/database is locked/)).toBeNull()
    uninstall()
  })

  it('turns an uncaught exception into a message too, and can be dismissed', async () => {
    const uninstall = installGlobalErrorHandler(window)
    const { getByText, getByRole, queryByRole } = render(ErrorBanner)
    window.dispatchEvent(new ErrorEvent('error', { error: new TypeError("Cannot read properties of undefined (reading 'x')"), message: 'boom' }))
    await waitFor(() => getByText(/Something went wrong: Cannot read properties/))
    await fireEvent.click(getByRole('button', { name: 'Dismiss' }))
    expect(queryByRole('alert')).toBeNull()
    uninstall()
  })

  it('shows the same failure once, not once per retry', () => {
    notices.error(new Error('x'))
    notices.error(new Error('x'))
    expect(notices.errors).toHaveLength(1)
  })

  it('prefixes the context of a failed action', () => {
    notices.error(problemToError(404, { detail: 'nope' }), 'Could not load the client')
    expect(notices.errors[0].message).toBe('Could not load the client: That item no longer exists. It may have been removed or replaced.')
  })
})
