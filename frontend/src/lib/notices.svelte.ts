// What the user is told: errors (kept until dismissed, with a detail toggle) and short
// confirmations (toasts that fade). The global handlers send every uncaught failure here,
// so a broken promise becomes a sentence on screen instead of a blank page.

import { ApiError, toApiError } from './api'

export interface Notice {
  id: number
  kind: 'error' | 'success' | 'info'
  message: string
  detail?: string
  time: Date
}

let seq = 0

class Notices {
  errors: Notice[] = $state([])
  toasts: Notice[] = $state([])

  /** Shows an error; the same message twice in a row is shown once. */
  error(e: unknown, context = ''): ApiError {
    const err = toApiError(e)
    const message = context ? `${context}: ${err.message}` : err.message
    if (this.errors[0]?.message !== message) {
      this.errors = [{ id: ++seq, kind: 'error' as const, message, detail: err.detail, time: new Date() }, ...this.errors].slice(0, 5)
    }
    return err
  }

  dismiss(id: number): void {
    this.errors = this.errors.filter((n) => n.id !== id)
    this.toasts = this.toasts.filter((n) => n.id !== id)
  }

  clearErrors(): void {
    this.errors = []
  }

  toast(message: string, kind: 'success' | 'info' = 'success', ms = 4000): void {
    const n: Notice = { id: ++seq, kind, message, time: new Date() }
    this.toasts = [...this.toasts, n].slice(-4)
    setTimeout(() => this.dismiss(n.id), ms)
  }
}

export const notices = new Notices()

/** Routes uncaught errors and rejected promises to the error banner. */
export function installGlobalErrorHandler(target: Window = window): () => void {
  const onError = (ev: ErrorEvent) => {
    // Resource load errors and cross-origin script errors carry no error object.
    if (!ev.error && !ev.message) return
    notices.error(ev.error ?? ev.message)
  }
  const onRejection = (ev: PromiseRejectionEvent) => {
    notices.error(ev.reason)
    ev.preventDefault()
  }
  target.addEventListener('error', onError)
  target.addEventListener('unhandledrejection', onRejection)
  return () => {
    target.removeEventListener('error', onError)
    target.removeEventListener('unhandledrejection', onRejection)
  }
}

/** Runs an action, showing its failure in the banner; returns undefined when it failed. */
export async function attempt<T>(fn: () => Promise<T>, context = ''): Promise<T | undefined> {
  try {
    return await fn()
  } catch (e) {
    notices.error(e, context)
    return undefined
  }
}
