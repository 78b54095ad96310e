// What every browser spec shares: the server address and demo password, one
// system Chromium per spec file, pages that fail the test on script errors
// and CSP violations, signing in, and API sessions for looking things up.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, request } from 'playwright-core'

export const BASE = (process.env.EDUGROUP_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '')
export const PASSWORD = process.env.EDUGROUP_DEMO_PASSWORD || 'Demo@2026'
export const RESULTS = fileURLToPath(new URL('./test-results/', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
/** A step's time limit; a loaded machine may need E2E_TIMEOUT raised. */
export const TIMEOUT = Number(process.env.E2E_TIMEOUT) || 20_000

let browser

/** Starts the system Chromium before the spec's tests and closes it after. */
export function useBrowser() {
  before(async () => {
    mkdirSync(RESULTS, { recursive: true })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })
  after(async () => {
    await browser?.close()
  })
}

/** A phone: 390 × 844 CSS px at 3 device pixels each, touch, mobile viewport. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true }

/**
 * A fresh browser context (no cookies, Chinese UI, downloads allowed) closed
 * when test t ends; assertClean fails the test if the page reported script
 * errors or Content-Security-Policy violations. `device` (e.g. PHONE)
 * replaces the desktop viewport.
 */
export async function openPage(t, { height = 1000, device = null } = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height }, locale: 'zh-CN', acceptDownloads: true, ...(device || {}) })
  const page = await context.newPage()
  page.setDefaultTimeout(TIMEOUT)
  const problems = []
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (msg) => {
    const text = msg.text()
    if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|evaluate)/i.test(text)) problems.push(`CSP: ${text}`)
  })
  t.after(async () => {
    await context.close()
  })
  return {
    page,
    assertClean() {
      assert.deepEqual(problems, [], 'the page reported errors')
    },
  }
}

/** Fills in and submits the sign-in form. */
export async function login(page, username, password = PASSWORD) {
  await page.goto(`${BASE}/login`)
  await page.locator('[data-testid="login-username"]').fill(username)
  await page.locator('[data-testid="login-password"]').fill(password)
  await page.locator('[data-testid="login-submit"]').click()
}

/** Signs in as a demo user and waits for the dashboard. */
export async function signIn(page, username) {
  await login(page, username)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  assert.ok(!new URL(page.url()).pathname.startsWith('/password'), `${username} was sent to the forced password change`)
  await page.locator('[data-testid="welcome"]').waitFor()
}

/**
 * An API session of its own (no browser page), for looking things up as
 * another user: get asserts 200 and returns the JSON; post sends the CSRF
 * token and returns the status and body; ctx is the raw request context.
 */
export async function apiAs(username) {
  const ctx = await request.newContext({ baseURL: BASE })
  // The server takes a JSON body only when it says so (415 otherwise).
  const json = { 'Content-Type': 'application/json' }
  const res = await ctx.post('/api/v1/session', { data: { username, password: PASSWORD }, headers: json })
  assert.equal(res.status(), 200, `API sign-in of ${username}`)
  const { csrf_token: csrf } = await res.json()
  return {
    ctx,
    async get(path) {
      const r = await ctx.get(path)
      assert.equal(r.status(), 200, `GET ${path}`)
      return r.json()
    },
    async post(path, data) {
      const r = await ctx.post(path, { data, headers: { ...json, 'X-CSRF-Token': csrf } })
      return { status: r.status(), body: await r.json().catch(() => null) }
    },
    dispose: () => ctx.dispose(),
  }
}

/** The input of an Element Plus field marked with data-testid (on the input or its wrapper). */
export function field(scope, testid) {
  return scope
    .locator(`input[data-testid="${testid}"], textarea[data-testid="${testid}"], [data-testid="${testid}"] input, [data-testid="${testid}"] textarea`)
    .first()
}
