// End-to-end test of the web UI: the real `aisync serve` on a temporary HOME, driven by
// Debian's Chromium through playwright-core. It builds nothing: the binary comes from
// AISYNC_BIN (default ../build/bin/aisync). Every wait is bounded; any failure stops the run
// with a message naming the step, and the server is always stopped.
//
//   AISYNC_BIN=/path/to/aisync npm run e2e
//   E2E_SHOTS=/tmp/shots  (where screenshots go; default ../docs/screenshots)
//   E2E_KEEP=1            (keep the temporary HOME for inspection)

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const frontend = resolve(here, '..')
const BIN = resolve(frontend, process.env.AISYNC_BIN ?? '../build/bin/aisync')
const SHOTS = resolve(frontend, process.env.E2E_SHOTS ?? '../docs/screenshots')
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const PASSWORD = 'e2e-pass'
const TOKEN = 'e2e-token'
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 240_000)
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

// ---- small helpers

const started = Date.now()
const log = (...a) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`, ...a)

class StepError extends Error {}

let currentStep = 'setup'
async function step(name, fn) {
  currentStep = name
  const t = Date.now()
  log(`▶ ${name}`)
  await fn()
  log(`✔ ${name} (${Date.now() - t} ms)`)
}

/** Polls fn until it returns a truthy value; fails with msg after timeout ms. */
async function until(fn, msg, timeout = 10_000, every = 100) {
  const end = Date.now() + timeout
  let last
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > end) throw new StepError(`${msg} (waited ${timeout} ms)${last ? `: ${last.message}` : ''}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

function assert(cond, msg) {
  if (!cond) throw new StepError(msg)
}

const readJSON = (p) => JSON.parse(readFileSync(p, 'utf8'))
const writeJSON = (p, v) => writeFileSync(p, JSON.stringify(v, null, 2) + '\n')

// ---- the temporary world

const root = mkdtempSync(join(tmpdir(), 'aisync-e2e-'))
const home = join(root, 'home')
const dataDir = join(root, 'data')
const profile = join(root, 'chromium')
const files = {
  cursor: join(home, '.cursor', 'mcp.json'),
  windsurf: join(home, '.codeium', 'windsurf', 'mcp_config.json'),
  copilot: join(home, '.copilot', 'mcp-config.json'),
  codex: join(home, '.codex', 'config.toml'),
  gemini: join(home, '.gemini', 'settings.json'),
  claudeDir: join(home, '.claude'),
}

function makeHome() {
  for (const p of [files.cursor, files.windsurf, files.copilot, files.codex, files.gemini]) mkdirSync(dirname(p), { recursive: true })
  mkdirSync(files.claudeDir, { recursive: true })
  mkdirSync(join(home, '.config'), { recursive: true })
  mkdirSync(dataDir, { recursive: true })
  writeJSON(files.cursor, {
    mcpServers: {
      github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' } },
    },
  })
  writeJSON(files.windsurf, { mcpServers: {} })
  writeFileSync(files.codex, 'model = "gpt-5"\n\n[mcp_servers.github]\ncommand = "npx"\nargs = ["-y", "@modelcontextprotocol/server-github"]\n')
  writeJSON(files.gemini, { theme: 'Default', mcpServers: {} })
  writeFileSync(
    join(files.claudeDir, 'CLAUDE.md'),
    [
      '# My notes',
      '',
      '<!-- aisync:begin — managed by aisync; edit rules here and they sync to your other AI clients -->',
      '<!-- aisync:rule name="house-style" activation="always" description="How we work" -->',
      'Prefer small, focused changes.',
      'Run the tests before committing.',
      '<!-- aisync:end-rule -->',
      '<!-- aisync:end -->',
      '',
    ].join('\n'),
  )
  writeJSON(join(files.claudeDir, 'settings.json'), { permissions: { allow: ['Bash(npm run test:*)', 'mcp__github__get_issue'], deny: ['Bash(rm -rf:*)'] } })
}

// ---- the server

let server = null
let serverLog = ''

function startServer() {
  return new Promise((resolveUrl, reject) => {
    assert(existsSync(BIN), `aisync binary not found at ${BIN}; build it (cd .. && make build) or set AISYNC_BIN`)
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      AISYNC_DATA_DIR: dataDir,
      AISYNC_ENV_FILE: '',
      AISYNC_SECRETS_BACKEND: 'file',
      AISYNC_ADMIN_PASSWORD: PASSWORD,
      AISYNC_API_TOKEN: TOKEN,
      AISYNC_CONFLICT_POLICY: 'manual',
      AISYNC_DEBOUNCE_MS: '20',
      AISYNC_LOG_FORMAT: 'text',
    }
    server = spawn(BIN, ['serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const timer = setTimeout(() => reject(new StepError(`aisync serve printed no URL within 20 s. Output:\n${serverLog}`)), 20_000)
    const onData = (d) => {
      serverLog += d.toString()
      if (serverLog.length > 200_000) serverLog = serverLog.slice(-100_000)
      const m = /aisync serving on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(serverLog)
      if (m) {
        clearTimeout(timer)
        resolveUrl(m[1])
      }
    }
    server.stdout.on('data', onData)
    server.stderr.on('data', onData)
    server.on('exit', (code) => {
      clearTimeout(timer)
      if (currentStep !== 'teardown') reject(new StepError(`aisync serve exited early (code ${code}). Output:\n${serverLog.slice(-4000)}`))
    })
  })
}

function stopServer() {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM')
    const s = server
    setTimeout(() => s.exitCode === null && s.kill('SIGKILL'), 3000).unref()
  }
}

let base = ''
async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (!res.ok) throw new StepError(`${method} ${path} → ${res.status}: ${text}`)
  return text ? JSON.parse(text) : undefined
}

// ---- the run

let context = null
const pageErrors = []

async function shot(page, name) {
  // Toasts are transient: clear them so they do not cover the screen being recorded.
  await page.evaluate(() => document.querySelectorAll('.toast button').forEach((b) => b.click()))
  await page.mouse.move(1, 799)
  await page.waitForTimeout(250) // let transitions settle
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
  log(`  screenshot ${name}.png`)
}

async function main() {
  mkdirSync(SHOTS, { recursive: true })
  makeHome()
  await step('start aisync serve', async () => {
    base = await startServer()
    log(`  ${base} (HOME=${home})`)
    await until(async () => (await fetch(base + '/healthz')).ok, 'healthz never answered OK')
  })

  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    acceptDownloads: true,
    timeout: 30_000,
  })
  context.setDefaultTimeout(10_000)
  const page = context.pages()[0] ?? (await context.newPage())
  page.on('pageerror', (e) => pageErrors.push(e.message))
  const requests = []
  page.on('request', (r) => requests.push({ url: new URL(r.url()).pathname, at: Date.now() }))
  page.on('console', (m) => m.type() === 'error' && !/401|Unauthorized|Failed to load resource/.test(m.text()) && pageErrors.push(`console: ${m.text()}`))

  await step('log in', async () => {
    await page.goto(base + '/')
    await page.getByLabel('Admin password').waitFor()
    await shot(page, 'login')
    await page.getByLabel('Admin password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Wrong password. Try again.').waitFor()
    await page.getByLabel('Admin password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
  })

  await step('see the clients', async () => {
    for (const id of ['cursor', 'windsurf']) await page.locator(`[data-testid="client-card"][data-client="${id}"]`).waitFor()
    // The first sync copied GitHub into Windsurf.
    await until(() => readJSON(files.windsurf).mcpServers?.github, 'the startup sync did not copy the github server into Windsurf')
    await page.locator('[data-testid="latency-chart"], [data-testid="success-ring"]').first().waitFor()
    await page.locator('[data-testid="timeline"] li').first().waitFor()
    await shot(page, 'dashboard')
  })

  await step('edit ~/.cursor/mcp.json and watch the dashboard update live', async () => {
    await page.evaluate(() => ((window).__noReload = true))
    const card = page.locator('[data-testid="client-card"][data-client="cursor"] [data-testid="servers"]')
    const before = Number(await card.textContent())
    const timelineBefore = await page.locator('[data-testid="timeline"] li').count()
    const c = readJSON(files.cursor)
    c.mcpServers.fetch = { command: 'uvx', args: ['mcp-server-fetch'] }
    writeJSON(files.cursor, c)
    const t = Date.now()
    await until(async () => Number(await card.textContent()) === before + 1, `the Cursor card did not show ${before + 1} servers`, 8000)
    log(`  card updated ${Date.now() - t} ms after the edit`)
    await until(async () => (await page.locator('[data-testid="timeline"] li').count()) > timelineBefore || (await page.locator('[data-testid="timeline"] li').first().textContent()).includes('sync'), 'the timeline did not gain an event', 8000)
    assert(await page.evaluate(() => (window).__noReload === true), 'the page reloaded')
    await until(() => readJSON(files.windsurf).mcpServers?.fetch, 'the new server did not reach Windsurf')
  })

  await step('client detail: pause, edit, compare with the last snapshot, sync', async () => {
    // Paused, the engine leaves the edit alone, so the detail shows it against the snapshot.
    await page.getByTestId('pause').click()
    await page.getByTestId('global-status').getByText('Paused').waitFor()
    await until(async () => (await api('GET', '/api/v1/sync/status')).paused, 'the server is not paused')
    const c = readJSON(files.cursor)
    c.mcpServers.fetch.args = ['mcp-server-fetch', '--ignore-robots-txt']
    writeJSON(files.cursor, c)
    await page.locator('[data-testid="client-card"][data-client="cursor"]').click()
    await page.getByRole('heading', { name: 'Cursor', level: 1 }).waitFor()
    await page.locator('[data-testid="client-files"]').getByText(files.cursor).waitFor()
    await page.getByRole('heading', { name: 'What syncs' }).waitFor()
    const compare = page.locator('[data-testid="client-compare"]')
    await compare.locator('[data-testid="diff-view"]').waitFor()
    await compare.getByText('--ignore-robots-txt').first().waitFor()
    assert(!JSON.stringify(readJSON(files.windsurf)).includes('--ignore-robots-txt'), 'the edit was synced while paused')
    await shot(page, 'client-detail')
    // Syncing this one client records its edit in a new snapshot.
    await page.getByTestId('client-sync').click()
    await page.getByText(/Cursor synced/).waitFor()
    await compare.getByText('exactly what the last snapshot says').waitFor()
    // Resuming catches up: the edit reaches the other clients.
    await page.getByTestId('pause').click()
    await page.getByTestId('global-status').getByText(/All in sync|In sync/).waitFor()
    await until(async () => !(await api('GET', '/api/v1/sync/status')).paused, 'the server did not resume')
    await until(() => JSON.stringify(readJSON(files.windsurf)).includes('--ignore-robots-txt'), 'after resuming, the edit did not reach Windsurf')
  })

  await step('client detail lists the files read with an endpoint', async () => {
    // The Copilot CLI keeps switched-off servers in settings.json, next to mcp-config.json.
    await page.goto(base + '/#/')
    await page.locator('[data-testid="client-card"][data-client="copilot-cli"]').click()
    const list = page.locator('[data-testid="client-files"]')
    await list.getByText(files.copilot).waitFor()
    await list.locator('[data-testid="companion"]').getByText(join(dirname(files.copilot), 'settings.json')).waitFor()
    await list.locator('[data-testid="companion"]').getByText('(not there)').waitFor()
  })

  await step('create a conflict and resolve it from the UI', async () => {
    await page.goto(base + '/#/')
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    const cur = readJSON(files.cursor)
    const ws = readJSON(files.windsurf)
    cur.mcpServers.github.args = ['-y', '@modelcontextprotocol/server-github', '--read-only']
    ws.mcpServers.github.args = ['-y', '@modelcontextprotocol/server-github', '--toolsets', 'repos']
    writeJSON(files.cursor, cur)
    writeJSON(files.windsurf, ws)
    // The warning banner and the sidebar badge appear without a reload.
    const t0 = Date.now()
    await page.locator('[data-testid="warning-banner"]').getByText(/conflict/).waitFor({ timeout: 15_000 })
    log(`  conflict banner shown ${Date.now() - t0} ms after the edits`)
    await page.getByRole('link', { name: /Conflicts/ }).click()
    const conflict = page.locator('[data-testid="conflict"][data-key="servers/github"]')
    await conflict.waitFor()
    await conflict.getByText('--read-only').first().waitFor()
    await conflict.getByText('repos').first().waitFor()
    await shot(page, 'conflicts')
    const t1 = Date.now()
    await conflict.locator('[data-testid="keep-side"][data-client="windsurf"]').click()
    await page.getByText(/servers\/github: kept/).waitFor()
    log(`  resolved in ${Date.now() - t1} ms`)
    const want = JSON.stringify(ws.mcpServers.github.args)
    await until(
      () => JSON.stringify(readJSON(files.cursor).mcpServers.github.args) === want && JSON.stringify(readJSON(files.windsurf).mcpServers.github.args) === want,
      `Cursor and Windsurf did not converge on ${want}: cursor=${JSON.stringify(readJSON(files.cursor).mcpServers.github.args)}`,
    )
    await page.getByText('No conflicts').waitFor()
  })

  await step('roll back a snapshot with a dry-run preview first', async () => {
    await page.getByRole('link', { name: /Snapshots/ }).click()
    const list = page.locator('[data-testid="snapshot-list"] li')
    await list.first().waitFor()
    // The oldest snapshot: Cursor with only the github server.
    const oldest = list.last()
    await oldest.locator('button.pick').click()
    await page.locator('[data-testid="snapshot-diff"]').waitFor()
    // Compare it with the newest to show a real diff between any two snapshots.
    if ((await list.count()) > 1) {
      await list.first().getByRole('button', { name: 'Compare' }).click()
      await page.getByText(/compared with the snapshot of/).waitFor()
      await page.locator('[data-testid="diff-view"] td.add, [data-testid="diff-view"] td.del').first().waitFor()
    }
    await shot(page, 'snapshots')
    // Escape closes the dialog without doing anything.
    await page.getByTestId('rollback').click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await page.getByTestId('rollback').click()
    await dialog.waitFor()
    assert(readJSON(files.cursor).mcpServers.fetch, 'precondition: Cursor should have the fetch server before the rollback')
    await dialog.getByTestId('rollback-preview-btn').click()
    await dialog.getByTestId('rollback-preview').waitFor()
    await dialog.getByText(/would change/).waitFor()
    // The dry run wrote nothing.
    assert(readJSON(files.cursor).mcpServers.fetch, 'the dry run changed ~/.cursor/mcp.json')
    await shot(page, 'rollback-preview')
    await dialog.getByTestId('rollback-apply').click()
    await dialog.waitFor({ state: 'detached' })
    await until(() => !readJSON(files.cursor).mcpServers.fetch, 'the rollback did not remove the fetch server from ~/.cursor/mcp.json')
    await until(() => JSON.stringify(readJSON(files.cursor).mcpServers.github.args) === JSON.stringify(['-y', '@modelcontextprotocol/server-github']), 'the rollback did not restore github args')
  })

  await step('filter the logs and export them as CSV', async () => {
    // Keyboard: "g" then "l" opens the logs.
    await page.locator('body').click({ position: { x: 5, y: 790 } })
    await page.keyboard.press('g')
    await page.keyboard.press('l')
    await page.getByRole('heading', { name: 'Logs' }).waitFor()
    await page.locator('[data-testid="log-table"] tbody tr').first().waitFor()
    await page.getByTestId('level-warn').check()
    await until(async () => {
      const levels = await page.locator('[data-testid="log-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')))
      return levels.length > 0 && levels.every((l) => l === 'warn')
    }, 'the level filter did not leave only warn entries')
    assert(page.url().includes('level=warn'), `the filter is not in the address: ${page.url()}`)
    await page.getByTestId('log-search').fill('conflict')
    await until(async () => {
      const texts = await page.locator('[data-testid="log-table"] tbody tr').allTextContents()
      return texts.length > 0 && texts.every((t) => /conflict/i.test(t))
    }, 'the search did not narrow the entries to "conflict"')
    await shot(page, 'logs')
    await page.getByTestId('export-format').selectOption('csv')
    await page.getByTestId('export-logs').click()
    await page.getByRole('heading', { name: 'Export Center' }).waitFor()
    const row = page.locator('[data-testid="export-table"] tbody tr[data-kind="logs"][data-format="csv"]').first()
    await row.waitFor()
    // A backup joins the history too.
    await page.getByRole('button', { name: 'Back up now' }).click()
    const backupRow = page.locator('[data-testid="export-table"] tbody tr[data-kind="backup"]').first()
    await backupRow.waitFor()
    const gz = await page.evaluate(async (h) => {
      const r = await fetch(h)
      const b = new Uint8Array(await r.arrayBuffer())
      return { status: r.status, magic: [b[0], b[1]] }
    }, await backupRow.getByTestId('download').getAttribute('href'))
    assert(gz.status === 200 && gz.magic[0] === 0x1f && gz.magic[1] === 0x8b, `the backup download is not a gzip archive: ${JSON.stringify(gz)}`)
    await shot(page, 'exports')
    const href = await row.getByTestId('download').getAttribute('href')
    assert(href, 'the export has no download link')
    const csv = await page.evaluate(async (h) => {
      const r = await fetch(h)
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() }
    }, href)
    assert(csv.status === 200, `the download link answered ${csv.status}`)
    assert(csv.text.startsWith('timestamp,level'), `the download is not the CSV: ${csv.text.slice(0, 200)}`)
    const lines = csv.text.trim().split('\n').slice(1)
    assert(lines.length > 0 && lines.every((l) => l.includes(',warn,')), `the CSV holds other levels than warn:\n${csv.text.slice(0, 600)}`)
  })

  await step('settings: reorder client priorities', async () => {
    await page.getByRole('link', { name: /Settings/ }).click()
    await page.getByTestId('client-manager').waitFor()
    await shot(page, 'settings')
    const rows = page.locator('[data-testid="client-manager"] li')
    const second = await rows.nth(1).getAttribute('data-client')
    await rows.nth(1).getByRole('button', { name: /up$/ }).click()
    await until(async () => (await rows.first().getAttribute('data-client')) === second, 'the row did not move up')
    await until(async () => {
      const list = (await api('GET', '/api/v1/clients')).items
      const top = [...list].sort((a, b) => b.priority - a.priority)[0]
      return top.id === second
    }, `the server did not record ${second} as the highest priority`)
    // Dragging works too: the last row dropped on the first goes to the top.
    await page.getByText('Priorities updated').first().waitFor()
    const last = await rows.last().getAttribute('data-client')
    await rows.last().dragTo(rows.first())
    await until(async () => (await rows.first().getAttribute('data-client')) === last, `dragging ${last} to the top did not reorder the list`)
    await until(async () => {
      const list = (await api('GET', '/api/v1/clients')).items
      return [...list].sort((a, b) => b.priority - a.priority)[0].id === last
    }, `the server did not record ${last} as the highest priority after the drag`)
  })

  await step('settings: restore the backup', async () => {
    const backup = (await api('GET', '/api/v1/exports')).items.find((x) => x.kind === 'backup' && x.status === 'succeeded')
    assert(backup, 'no backup in the export history')
    const res = await fetch(`${base}/api/v1/exports/${backup.id}/download`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    const buffer = Buffer.from(await res.arrayBuffer())
    await page.locator('input[type="file"]').setInputFiles({ name: 'aisync-backup.tar.gz', mimeType: 'application/gzip', buffer })
    const dialog = page.getByRole('dialog', { name: 'Restore from this backup?' })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Replace and restore' }).click()
    await page.getByText('State restored from the backup').waitFor()
  })

  await step('dark and narrow dashboards', async () => {
    await page.goto(base + '/#/')
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.locator('[data-testid="latency-chart"]').first().waitFor()
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    assert(bg !== 'rgb(245, 246, 250)', `dark mode did not change the background (${bg})`)
    await shot(page, 'dashboard-dark')
    await page.emulateMedia({ colorScheme: 'light' })
    await page.setViewportSize({ width: 700, height: 900 })
    await page.waitForTimeout(200)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert(overflow <= 1, `the narrow dashboard scrolls sideways by ${overflow}px`)
    await shot(page, 'dashboard-narrow')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  await step('quiet when idle: one event stream, no polling', async () => {
    const streams = requests.filter((r) => r.url === '/api/v1/events').length
    assert(streams === 1, `the UI opened ${streams} event streams (want 1: it must not reconnect on navigation)`)
    await page.waitForTimeout(2500)
    const since = Date.now() - 2000
    const recent = requests.filter((r) => r.at >= since && r.url.startsWith('/api/'))
    assert(recent.length <= 2, `the idle dashboard made ${recent.length} API requests in 2 s: ${recent.map((r) => r.url).join(', ')}`)
  })

  await step('no uncaught errors in the page', async () => {
    assert(pageErrors.length === 0, `the page reported errors:\n${pageErrors.join('\n')}`)
  })
}

const watchdog = setTimeout(() => {
  console.error(`\n✘ e2e timed out after ${TOTAL_TIMEOUT_MS / 1000} s in step "${currentStep}"`)
  cleanup()
  process.exit(2)
}, TOTAL_TIMEOUT_MS)

let cleaned = false
function cleanup() {
  if (cleaned) return
  cleaned = true
  currentStep = 'teardown'
  stopServer()
  if (!process.env.E2E_KEEP) {
    try {
      rmSync(root, { recursive: true, force: true })
    } catch {
      /* best effort */
    }
  } else log(`kept ${root}`)
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))
process.on('SIGTERM', () => process.exit(143))

try {
  await main()
  log('all steps passed')
  await context?.close().catch(() => {})
  clearTimeout(watchdog)
  cleanup()
  process.exit(0)
} catch (e) {
  console.error(`\n✘ e2e failed in step "${currentStep}": ${e instanceof StepError ? e.message : (e?.stack ?? e)}`)
  if (context) {
    const page = context.pages()[0]
    if (page) {
      await page.screenshot({ path: join(tmpdir(), 'aisync-e2e-failure.png') }).catch(() => {})
      console.error(`  page: ${page.url()}; screenshot of the failure: ${join(tmpdir(), 'aisync-e2e-failure.png')}`)
    }
  }
  if (pageErrors.length) console.error(`  page errors:\n  ${pageErrors.join('\n  ')}`)
  console.error(`  last server output:\n${serverLog.split('\n').slice(-25).join('\n')}`)
  await context?.close().catch(() => {})
  clearTimeout(watchdog)
  cleanup()
  process.exit(1)
}
