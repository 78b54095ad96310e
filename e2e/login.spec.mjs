// Browser test of sign-in and role-based navigation, run against a live
// `edugroup serve --demo` (the Makefile / CI start it and pass its address).
//
//   EDUGROUP_URL             base URL of the running server (default http://127.0.0.1:18080)
//   EDUGROUP_DEMO_PASSWORD   password of the demo accounts (default Demo@2026)
//   CHROMIUM_PATH            system Chromium (default /usr/bin/chromium); no browser is downloaded
//
// Run: cd e2e && npm ci && node --test login.spec.mjs
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PASSWORD, RESULTS, useBrowser, openPage, login } from './lib.mjs'


// Menu entries and the permission of the active grant each needs (none: always shown).
const MENU = {
  dashboard: null,
  schools: 'registry.read',
  groups: 'registry.read',
  staff: 'staff.read',
  exchanges: 'exchanges.read',
  users: 'users.read',
  policy: 'policy.read',
  audit: 'audit.read',
  tokens: 'tokens.self',
}
const MENU_KEYS = Object.keys(MENU)

useBrowser()

/** Signs in and waits for the dashboard; takes the home-page screenshot. */
async function loginHome(page, username) {
  await login(page, username)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  assert.ok(!new URL(page.url()).pathname.startsWith('/password'), `${username} was sent to the forced password change`)
  await page.locator('[data-testid="main-menu"]').waitFor()
  await page.locator('[data-testid="welcome"]').waitFor()
  // Let the dashboard cards arrive before the picture.
  await page.waitForLoadState('networkidle').catch(() => {})
  await page.screenshot({ path: `${RESULTS}${username}-home.png`, fullPage: true })
}

async function visibleMenus(page) {
  const seen = []
  for (const key of MENU_KEYS) {
    if (await page.locator(`[data-testid="menu-${key}"]`).isVisible()) seen.push(key)
  }
  return seen
}

/** Waits for the list behind `pager` to answer and returns its total. */
async function listTotal(page, pager) {
  const el = page.locator(`[data-testid="${pager}"][data-ready="true"]`)
  await el.waitFor()
  // Rows are marked for tests just after they render.
  await page.waitForTimeout(100)
  return Number(await el.getAttribute('data-total'))
}

/** The session as the server sees it, through the page's own cookies. */
async function session(page) {
  const res = await page.request.get(`${BASE}/api/v1/session`)
  assert.equal(res.status(), 200, 'GET /api/v1/session after sign-in')
  return res.json()
}

/** The menu must show exactly the entries the active grant's permissions allow. */
async function assertMenuFollowsPermissions(page) {
  const perms = new Set((await session(page)).permissions)
  const want = MENU_KEYS.filter((k) => MENU[k] === null || perms.has(MENU[k]))
  assert.deepEqual(await visibleMenus(page), want, `menu does not follow the permissions ${[...perms]}`)
}

async function menuText(page, key) {
  return (await page.locator(`[data-testid="menu-${key}"]`).innerText()).trim()
}

test('bureau leader sees the county registry and policy but not users or audit', async (t) => {
  const { page, assertClean } = await openPage(t)
  await loginHome(page, 'leader')
  await assertMenuFollowsPermissions(page)

  const menus = await visibleMenus(page)
  for (const key of ['dashboard', 'schools', 'groups', 'staff', 'policy']) {
    assert.ok(menus.includes(key), `menu ${key} missing; saw ${menus}`)
  }
  for (const key of ['users', 'audit']) {
    assert.ok(!menus.includes(key), `menu ${key} shown to the bureau leader`)
  }
  assert.equal(await menuText(page, 'dashboard'), '工作台')
  assert.equal(await menuText(page, 'schools'), '学校')
  assert.equal(await menuText(page, 'groups'), '教育集团')
  assert.equal(await menuText(page, 'staff'), '教职工')
  assert.equal(await menuText(page, 'policy'), '政策设置')

  await page.locator('[data-testid="menu-schools"]').click()
  await page.waitForURL(`${BASE}/schools`)
  const total = await listTotal(page, 'schools-pager')
  assert.ok(total > 40, `schools total ${total}, want > 40`)
  const rows = await page.locator('[data-testid="school-row"]').count()
  assert.ok(rows > 0 && rows <= total, `rows on the first page: ${rows}`)
  assertClean()
})

test('audit admin sees the audit log with earlier sign-ins and no registry', async (t) => {
  // Make sure there is an earlier sign-in of someone else to find.
  {
    const { page } = await openPage(t)
    await loginHome(page, 'leader')
  }
  const { page, assertClean } = await openPage(t)
  await loginHome(page, 'auditadmin')
  await assertMenuFollowsPermissions(page)

  const menus = await visibleMenus(page)
  assert.ok(menus.includes('audit'), `menu audit missing; saw ${menus}`)
  assert.equal(await menuText(page, 'audit'), '审计日志')
  assert.ok(!menus.includes('schools'), 'menu schools shown to the audit admin')

  await page.locator('[data-testid="menu-audit"]').click()
  await page.waitForURL(`${BASE}/admin/audit`)
  assert.ok((await listTotal(page, 'audit-pager')) > 0, 'audit log is empty')

  await page.locator('[data-testid="audit-user"]').fill('leader')
  await page.locator('[data-testid="audit-search"]').click()
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('[data-testid="audit-username"]')]
    return cells.length > 0 && cells.every((c) => c.textContent.trim() === 'leader')
  })
  await listTotal(page, 'audit-pager')
  const users = await page.locator('[data-testid="audit-username"]').allInnerTexts()
  assert.ok(users.length > 0, 'no audit rows for leader')
  assert.ok(users.every((u) => u.trim() === 'leader'), `filter by user leaked: ${users}`)
  const actions = await page.locator('[data-testid="audit-action-cell"]').allInnerTexts()
  assert.ok(actions.some((a) => a.trim() === '登录'), `no sign-in of leader listed: ${actions}`)
  assertClean()
})

test('teacher sees no administration and exactly their own staff record', async (t) => {
  const { page, assertClean } = await openPage(t)
  await loginHome(page, 'teacher')
  await assertMenuFollowsPermissions(page)

  const menus = await visibleMenus(page)
  for (const key of ['dashboard', 'staff']) assert.ok(menus.includes(key), `menu ${key} missing; saw ${menus}`)
  for (const key of ['users', 'audit']) assert.ok(!menus.includes(key), `menu ${key} shown to a teacher`)

  await page.locator('[data-testid="menu-staff"]').click()
  await page.waitForURL(`${BASE}/staff`)
  assert.equal(await listTotal(page, 'staff-pager'), 1)
  assert.equal(await page.locator('[data-testid="staff-row"]').count(), 1)
  const me = (await session(page)).user.display_name
  assert.equal((await page.locator('[data-testid="staff-row"] [data-testid="staff-name"]').innerText()).trim(), me)

  // Typing the address of an admin page shows no user list.
  await page.goto(`${BASE}/admin/users`)
  await page.locator('[data-testid="forbidden"]').waitFor()
  assert.equal(await page.locator('[data-testid="users-table"]').count(), 0)
  assert.equal(await page.locator('[data-testid="user-row"]').count(), 0)
  // And the API itself refuses, whatever the client shows.
  const res = await page.request.get(`${BASE}/api/v1/users`)
  assert.ok([403, 404].includes(res.status()), `GET /api/v1/users answered ${res.status()} to the teacher`)
  assertClean()
})

test('group admin sees only the schools of their own group', async (t) => {
  const { page, assertClean } = await openPage(t)
  await loginHome(page, 'groupadmin')
  await assertMenuFollowsPermissions(page)

  const grant = page.locator('[data-testid="active-grant"]')
  const label = (await grant.innerText()).trim()
  const groupName = ((await grant.getAttribute('data-scope-name')) || label.split(' · ').pop() || '').trim()
  assert.ok(groupName, `no group name in the header (${label})`)
  assert.ok(label.includes(groupName), `header shows "${label}"`)

  const menus = await visibleMenus(page)
  assert.ok(menus.includes('schools'), `menu schools missing; saw ${menus}`)
  await page.locator('[data-testid="menu-schools"]').click()
  await page.waitForURL(`${BASE}/schools`)
  const total = await listTotal(page, 'schools-pager')
  assert.ok(total > 0, 'the group admin sees no school')
  assert.ok(total < 40, `the group admin sees ${total} schools, more than one group has`)

  const groups = await page.locator('[data-testid="school-row"] [data-testid="school-group"]').allInnerTexts()
  assert.equal(groups.length, await page.locator('[data-testid="school-row"]').count())
  for (const g of groups) assert.equal(g.trim(), groupName)
  assertClean()
})

test('a wrong password gets the same generic error as an unknown user', async (t) => {
  const { page, assertClean } = await openPage(t)

  await login(page, 'leader', `${PASSWORD}-wrong`)
  const err = page.locator('[data-testid="login-error"]')
  await err.waitFor()
  const wrongPassword = (await err.innerText()).trim()
  assert.ok(wrongPassword.length > 0, 'empty error message')
  assert.ok(new URL(page.url()).pathname.startsWith('/login'), 'left the login page')
  assert.equal(await page.locator('[data-testid="login-password"]').inputValue(), '', 'password kept in the form')

  await login(page, 'no-such-user-e2e', `${PASSWORD}-wrong`)
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="login-error"]')
    return el && el.textContent.trim().length > 0
  })
  const unknownUser = (await err.innerText()).trim()
  assert.equal(unknownUser, wrongPassword, 'unknown user and wrong password must read the same')
  assertClean()
})

// The first screen of a fresh visitor: what crosses the wire (compressed
// bodies plus headers, from the browser's own resource timing) and which
// chunks it fetched. The charts and the 质量分析 pages load only when opened.
const LOGIN_BUDGET = 400 * 1024

test('the login screen stays under its transfer budget and loads no charts', async (t) => {
  const { page, assertClean } = await openPage(t)
  const urls = []
  page.on('request', (req) => urls.push(new URL(req.url()).pathname))
  await page.goto(`${BASE}/login`)
  await page.locator('[data-testid="login-submit"]').waitFor()
  await page.waitForLoadState('networkidle').catch(() => {})
  const entries = await page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => ({
      name: new URL(e.name).pathname,
      transfer: e.transferSize,
      body: e.decodedBodySize,
    })),
  )
  const transferred = entries.reduce((n, e) => n + e.transfer, 0)
  const decoded = entries.reduce((n, e) => n + e.body, 0)
  t.diagnostic(`login screen: ${entries.length} requests, ${transferred} bytes transferred, ${decoded} bytes decoded`)
  for (const e of entries) t.diagnostic(`  ${String(e.transfer).padStart(7)} ${String(e.body).padStart(8)}  ${e.name}`)
  assert.ok(transferred > 0, 'the browser reported no transfer sizes')
  assert.ok(transferred <= LOGIN_BUDGET, `the login screen transferred ${transferred} bytes, over the ${LOGIN_BUDGET} budget`)
  const unneeded = urls.filter((p) => /echart|exam|gaptrend|studenttrend|layout/i.test(p))
  assert.deepEqual(unneeded, [], 'the login screen fetched chunks it does not need')
  assertClean()
})
