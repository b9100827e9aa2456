// Light and dark: the system's choice by default (prefers-color-scheme), or the user's, kept
// in localStorage. The choice is an attribute on <html>; app.css does the rest.

export type ThemeChoice = 'system' | 'light' | 'dark'
const KEY = 'aisync.theme'

class Theme {
  choice: ThemeChoice = $state('system')
  systemDark = $state(false)

  get dark(): boolean {
    return this.choice === 'dark' || (this.choice === 'system' && this.systemDark)
  }

  start(): () => void {
    try {
      const saved = localStorage.getItem(KEY)
      if (saved === 'light' || saved === 'dark') this.choice = saved
    } catch {
      /* no storage: follow the system */
    }
    const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null
    this.systemDark = mq?.matches ?? false
    const onChange = (e: MediaQueryListEvent) => (this.systemDark = e.matches)
    mq?.addEventListener?.('change', onChange)
    this.apply()
    return () => mq?.removeEventListener?.('change', onChange)
  }

  set(choice: ThemeChoice): void {
    this.choice = choice
    try {
      if (choice === 'system') localStorage.removeItem(KEY)
      else localStorage.setItem(KEY, choice)
    } catch {
      /* ignore */
    }
    this.apply()
  }

  /** Flips between light and dark (from the system's current look). */
  toggle(): void {
    this.set(this.dark ? 'light' : 'dark')
  }

  private apply(): void {
    const root = document.documentElement
    if (this.choice === 'system') delete root.dataset.theme
    else root.dataset.theme = this.choice
  }
}

export const theme = new Theme()
