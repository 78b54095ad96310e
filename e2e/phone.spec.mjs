// Browser tests on a phone (390 × 844 CSS px, 3 device pixels each, touch),
// run against a live `edugroup serve --demo` like login.spec.mjs.
//
//   EDUGROUP_URL             base URL of the running server (default http://127.0.0.1:18080)
//   EDUGROUP_DEMO_PASSWORD   password of the demo accounts (default Demo@2026)
//   CHROMIUM_PATH            system Chromium (default /usr/bin/chromium); no browser is downloaded
//
// The pages a teacher or a principal opens on a phone: none scrolls sideways,
// titles stay on one or two lines, the menu is a drawer opened from the
// header. A teacher applies for 支教 on the phone; the principal endorses it
// in a full-screen dialog, 基教股 reviews and 人事股 approves, each on a phone.
// Screenshots (phone-*.png) go to test-results for review.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, apiAs, field } from './lib.mjs'

useBrowser()

const DEMO_EXAM = '全县六年级上学期期中质量检测'

const pad = (n) => String(n).padStart(2, '0')
/** A local calendar date n days from today. */
function day(n) {
  const d = new Date()
  d.setDate(d.getDate() + n)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

const phone = (t) => openPage(t, { device: PHONE })

/** The whole page, or only the screen (a dialog or the drawer covers the screen, not the page). */
async function shot(page, name, { fullPage = true } = {}) {
  // From the top (the header is sticky), once fonts, charts and transitions settle.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  await page.waitForTimeout(350)
  await page.screenshot({ path: `${RESULTS}phone-${name}.png`, fullPage })
}

/**
 * The page does not scroll sideways; on failure the message names the
 * elements that stick out past the right edge (outside any scrolling box).
 */
async function assertNoSideScroll(page, what) {
  const r = await page.evaluate(() => {
    const iw = window.innerWidth
    const sw = document.scrollingElement.scrollWidth
    const out = []
    if (sw > iw) {
      for (const el of document.querySelectorAll('body *')) {
        const b = el.getBoundingClientRect()
        if (b.width === 0 || b.right <= iw + 1) continue
        let clipped = false
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const ox = getComputedStyle(p).overflowX
          if (ox !== 'visible' && p.getBoundingClientRect().right <= iw + 1) {
            clipped = true
            break
          }
        }
        if (!clipped) out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(b.right)}`)
        if (out.length >= 5) break
      }
    }
    return { iw, sw, out }
  })
  assert.ok(r.sw <= r.iw, `${what}: the page scrolls sideways (${r.sw} > ${r.iw}): ${r.out.join('; ')}`)
}

/** A title is one or two lines high and not squeezed to a few characters a line. */
async function assertTitleFits(locator, what) {
  await locator.waitFor()
  const m = await locator.evaluate((el) => {
    const cs = getComputedStyle(el)
    const fs = parseFloat(cs.fontSize)
    const lh = parseFloat(cs.lineHeight) || fs * 1.5
    const b = el.getBoundingClientRect()
    return { h: b.height, w: b.width, lh, fs, text: el.textContent.trim() }
  })
  assert.ok(m.h <= m.lh * 2.5, `${what}: "${m.text}" is ${Math.round(m.h / m.lh)} lines high`)
  assert.ok(m.w >= Math.min(m.fs * 8, m.text.length * m.fs * 0.5), `${what}: "${m.text}" is squeezed to ${Math.round(m.w)} px`)
}

/** The drawer is closed and out of sight (its slide-out finished). */
async function navClosed(page) {
  await page.locator('[data-testid="main-nav"][data-open="false"]').waitFor({ state: 'attached' })
  await page.waitForFunction(() => getComputedStyle(document.querySelector('[data-testid="main-nav"]')).visibility === 'hidden')
}

/** Opens the drawer from the header and taps a menu entry; the drawer closes on arrival. */
/** The element lies within the phone's 390 px width. */
async function assertFits(locator, what) {
  const b = await locator.boundingBox()
  assert.ok(b && b.x >= 0 && b.x + b.width <= 390 + 1, `${what} sticks out of the screen: ${JSON.stringify(b)}`)
}

async function navigate(page, key, path) {
  const nav = page.locator('[data-testid="main-nav"]')
  assert.equal(await nav.getAttribute('data-open'), 'false', 'the menu is open before the tap')
  await page.locator('[data-testid="menu-toggle"]').tap()
  await page.locator('[data-testid="main-nav"][data-open="true"]').waitFor()
  const entry = page.locator(`[data-testid="menu-${key}"]`)
  await entry.waitFor({ state: 'visible' })
  await entry.tap()
  await page.waitForURL(`${BASE}${path}`)
  await navClosed(page)
}

/** Opens an el-select by tap and picks the visible option containing text (the first one without). */
async function pick(page, testid, optionTestid, text) {
  await page.locator(`[data-testid="${testid}"]`).tap()
  const option = text
    ? page.locator(`[data-testid="${optionTestid}"]:visible`, { hasText: text }).first()
    : page.locator(`[data-testid="${optionTestid}"]:visible`).first()
  await option.waitFor()
  const name = (await option.innerText()).split('\n')[0].trim()
  await option.tap()
  return name
}

async function fillDate(page, testid, value) {
  const input = field(page, testid)
  await input.tap()
  await input.fill(value)
  await input.press('Enter')
  await page.keyboard.press('Escape').catch(() => {})
}

/** Runs one action on the open exchange through its dialog, which fills the screen. */
async function act(page, action, status, fill, name) {
  await page.locator('[data-testid="exchange-detail"]').waitFor()
  await page.locator(`[data-testid="action-${action}"]`).tap()
  const dialog = page.locator(`[data-testid="action-dialog"][data-action="${action}"]`)
  await dialog.waitFor()
  const box = await dialog.boundingBox()
  const vp = page.viewportSize()
  assert.ok(box && box.x <= 0.5 && box.width >= vp.width - 1 && box.height >= vp.height - 1, `the ${action} dialog is not full-screen: ${JSON.stringify(box)}`)
  const submit = dialog.locator('[data-testid="action-submit"]')
  const sb = await submit.boundingBox()
  assert.ok(sb && sb.y + sb.height <= vp.height + 1, `the ${action} button is below the screen`)
  if (fill) await fill(dialog)
  await assertNoSideScroll(page, `the ${action} dialog`)
  if (name) await shot(page, name, { fullPage: false })
  await submit.tap()
  const outcome = await page.waitForFunction(
    ({ action, status }) => {
      const d = document.querySelector(`[data-testid="action-dialog"][data-action="${action}"]`)
      const err = d?.querySelector('[data-testid="action-error"]')
      if (err) return `error: ${err.textContent.trim()}`
      const closed = !d || d.getClientRects().length === 0
      return closed && document.querySelector(`[data-testid="exchange-status"][data-status="${status}"]`) ? 'done' : false
    },
    { action, status },
  )
  assert.equal(await outcome.jsonValue(), 'done', action)
}

test('on a phone the sign-in and home pages fit, the menu is a drawer, and a teacher reads their own exam results', async (t) => {
  const { page, assertClean } = await phone(t)
  await page.goto(`${BASE}/login`)
  await page.locator('[data-testid="login-form"]').waitFor()
  await assertNoSideScroll(page, 'the sign-in page')
  const card = await page.locator('.login-card').boundingBox()
  assert.ok(card.x >= 0 && card.x + card.width <= 390, `the sign-in card sticks out: ${JSON.stringify(card)}`)
  await shot(page, 'login')

  await signIn(page, 'teacher')
  await page.waitForLoadState('networkidle').catch(() => {})
  await assertNoSideScroll(page, 'the home page')
  await assertTitleFits(page.locator('[data-testid="welcome"]'), 'the home page title')
  // The menu is out of sight until the header's button opens it.
  assert.equal(await page.locator('[data-testid="menu-exchangeLedger"]').isVisible(), false, 'the menu shows beside the page')
  const content = await page.locator('.content').boundingBox()
  assert.ok(content.x <= 1 && content.width >= 389, `the page does not take the width: ${JSON.stringify(content)}`)
  await shot(page, 'teacher-home')
  await page.locator('[data-testid="menu-toggle"]').tap()
  await page.locator('[data-testid="main-nav"][data-open="true"]').waitFor()
  await page.locator('[data-testid="menu-exchangeApply"]').waitFor({ state: 'visible' })
  await shot(page, 'menu-open', { fullPage: false })
  // The mask closes it again.
  await page.locator('[data-testid="menu-mask"]').tap({ position: { x: 370, y: 400 } })
  await navClosed(page)

  // The teacher's own exam results.
  await navigate(page, 'examList', '/exams')
  await page.locator('[data-testid="exams-count"][data-ready="true"]').waitFor()
  await assertNoSideScroll(page, 'the exam list')
  await shot(page, 'teacher-exams')
  await page.locator('[data-testid="exam-row"]', { hasText: DEMO_EXAM }).locator('[data-testid="exam-report"]').tap()
  await page.waitForURL(/\/exams\/\d+\/report/)
  await page.locator('[data-testid="exam-report"][data-ready="true"][data-scope="teacher"]').waitFor()
  await page.locator('[data-testid="class-tab"][data-ready="true"]').waitFor()
  await page.locator('[data-testid="class-heat"][data-rendered="true"] canvas').first().waitFor()
  await assertTitleFits(page.locator('[data-testid="report-title"]'), 'the report title')
  await assertNoSideScroll(page, 'the class tab of the report')
  await shot(page, 'teacher-exam-class')
  await page.locator('[data-testid="tab-students"]').tap()
  await page.locator('[data-testid="students-pager"][data-ready="true"]').waitFor()
  await assertNoSideScroll(page, 'the students tab of the report')
  await shot(page, 'teacher-exam-students')

  // In English (longer words) the header still holds the menu button, the language and the user.
  await page.locator('[data-testid="lang-switch"]').tap()
  await page.locator('[data-testid="lang-en"]').tap()
  await navigate(page, 'dashboard', '/')
  await page.locator('[data-testid="welcome"]').waitFor()
  await assertNoSideScroll(page, 'the home page in English')
  await assertTitleFits(page.locator('[data-testid="welcome"]'), 'the English home page title')
  for (const testid of ['menu-toggle', 'lang-switch', 'user-menu']) {
    const b = await page.locator(`[data-testid="${testid}"]`).boundingBox()
    assert.ok(b && b.x >= 0 && b.x + b.width <= 390 && b.y + b.height <= 60, `${testid} is not in the header: ${JSON.stringify(b)}`)
  }
  await shot(page, 'teacher-home-en')
  assertClean()
})

test('on phones a teacher applies for 支教, the principal endorses it, 基教股 reviews and 人事股 approves', async (t) => {
  const teacherApi = await apiAs('teacher')
  t.after(() => teacherApi.dispose())
  const me = (await teacherApi.get('/api/v1/staff')).items[0]
  assert.ok(me, 'the teacher has no staff record')
  // 支教 of a school year, after the workbench spec's (days 30 to 395), so
  // neither overlaps the other whichever runs first.
  const start = day(400)
  const end = day(400 + 370)
  const cover = 'e2e：支教期间语文课由教研组长统筹，班主任工作由副班主任负责'

  // 1. The teacher fills in the form on the phone.
  const teacher = await phone(t)
  let page = teacher.page
  await signIn(page, 'teacher')
  await navigate(page, 'exchangeApply', '/exchanges/new')
  await page.locator('[data-testid="apply-kind-support"]').tap()
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="apply-self"] input, input[data-testid="apply-self"]')
    return el && el.value.trim().length > 0
  })
  const host = await pick(page, 'apply-host', 'apply-host-option')
  await fillDate(page, 'apply-start', start)
  await fillDate(page, 'apply-end', end)
  // The live checks of these dates (not of the start date alone) have answered.
  await page.locator('[data-testid="apply-days"]', { hasText: '371' }).waitFor()
  await page
    .locator('[data-testid="apply-checks"][data-state="done"] [data-testid="rule-check"][data-rule="duration_min"] [data-testid="rule-message"]', { hasText: '371' })
    .waitFor()
  const checks = await page.locator('[data-testid="apply-checks"] [data-testid="rule-check"]').evaluateAll((els) => els.map((e) => ({ rule: e.dataset.rule, result: e.dataset.result })))
  assert.ok(checks.length > 0, 'no live checks')
  assert.deepEqual(checks.filter((c) => c.result === 'fail'), [], `the application fails a rule (host ${host})`)
  await field(page, 'apply-purpose').fill('e2e：到成员校支教一学年，承担九年级语文教学')
  await page.keyboard.press('Tab')
  // Labels sit above their fields: the purpose box starts at the card's left edge.
  const purpose = await field(page, 'apply-purpose').boundingBox()
  assert.ok(purpose.x < 60 && purpose.width > 280, `the form does not stack: ${JSON.stringify(purpose)}`)
  await assertTitleFits(page.locator('[data-testid="exchange-apply"] .page-title'), 'the application title')
  await assertNoSideScroll(page, 'the application form')
  await shot(page, 'teacher-apply')
  await page.locator('[data-testid="apply-submit"]').tap()
  await page.waitForURL(/\/exchanges\/\d+$/)
  await page.locator('[data-testid="exchange-status"][data-status="submitted"]').waitFor()
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  await assertNoSideScroll(page, 'the exchange detail (teacher)')
  await shot(page, 'teacher-exchange-submitted')
  // The teacher's workbench on the phone shows it waiting on others.
  await navigate(page, 'dashboard', '/')
  const waiting = page.locator(`[data-testid="workbench-waiting"] [data-testid="waiting-item"][data-link="/exchanges/${id}"]`)
  await waiting.waitFor()
  await assertFits(waiting, 'the waiting application')
  await assertNoSideScroll(page, 'the teacher\'s workbench')
  await shot(page, 'teacher-workbench')
  teacher.assertClean()

  // 2. The principal finds it in the to-do list and endorses it with the cover arrangement.
  const principal = await phone(t)
  page = principal.page
  await signIn(page, 'principal')
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="inbox-badge"]')?.dataset.count || 0) > 0)
  // The workbench on the phone: the endorsement is a to-do, and the bell
  // tells of it in a list that keeps to the screen.
  const todo = page.locator(`[data-testid="workbench-todo"] [data-testid="todo-item"][data-link="/exchanges/${id}"]`)
  await todo.waitFor()
  await assertFits(todo, 'the endorsement to-do')
  await assertNoSideScroll(page, 'the principal\'s workbench')
  await shot(page, 'principal-workbench')
  await page.locator('[data-testid="bell"]').tap()
  const told = page.locator(`[data-testid="notification-item"][data-kind="exchange.to_act"][data-link="/exchanges/${id}"]`)
  await told.waitFor()
  await assertFits(page.locator('[data-testid="bell-list"]'), 'the bell\'s list')
  await shot(page, 'principal-bell', { fullPage: false })
  await page.locator('[data-testid="bell"]').tap()
  await told.waitFor({ state: 'hidden' })
  await navigate(page, 'exchangeInbox', '/exchanges/inbox')
  await page.locator('[data-testid="inbox-table"][data-ready="true"]').waitFor()
  await assertNoSideScroll(page, 'the to-do list')
  await assertTitleFits(page.locator('.page-title'), 'the to-do list title')
  await shot(page, 'principal-inbox')
  await page.locator(`[data-testid="inbox-link"][data-id="${id}"]`).tap()
  await page.waitForURL(`${BASE}/exchanges/${id}`)
  await assertTitleFits(page.locator('[data-testid="exchange-title"]'), 'the exchange title')
  await assertNoSideScroll(page, 'the exchange detail (principal)')
  await shot(page, 'principal-exchange')
  await act(page, 'endorse_home', 'submitted', (d) => field(d, 'action-cover').fill(cover), 'principal-endorse-dialog')
  assert.equal((await page.locator('[data-testid="exchange-cover"]').innerText()).trim(), cover)
  assert.equal(await page.locator('[data-testid="action-endorse_home"]').count(), 0, 'the home school can endorse twice')
  principal.assertClean()

  // 3. The host school consents (not on a phone: the group admin at a desk).
  const groupadmin = await apiAs('groupadmin')
  t.after(() => groupadmin.dispose())
  const x = await groupadmin.get(`/api/v1/exchanges/${id}`)
  const consent = await groupadmin.post(`/api/v1/exchanges/${id}/endorse`, { party: 'host', note: '', version: x.version })
  assert.equal(consent.status, 200, `host consent: ${JSON.stringify(consent.body)}`)

  // 4. 基教股 reviews on a phone, 5. 人事股 approves on a phone.
  for (const [user, action, status] of [
    ['jijiao', 'review', 'reviewed'],
    ['renshi', 'approve', 'approved'],
  ]) {
    const section = await phone(t)
    await signIn(section.page, user)
    await section.page.goto(`${BASE}/exchanges/${id}`)
    await section.page.locator('[data-testid="exchange-info"]').waitFor()
    await assertNoSideScroll(section.page, `the exchange detail (${user})`)
    await act(section.page, action, status, action === 'review' ? (d) => field(d, 'action-note').fill('e2e：同意') : null, `${user}-${action}-dialog`)
    await shot(section.page, `${user}-exchange-${status}`)
    section.assertClean()
  }

  // 6. The teacher's bell on the phone tells of the approval; one tap opens it.
  const back = await phone(t)
  page = back.page
  await signIn(page, 'teacher')
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="bell"]')?.dataset.unread || 0) > 0)
  await page.locator('[data-testid="bell"]').tap()
  const approved = page.locator(`[data-testid="notification-item"][data-kind="exchange.approved"][data-link="/exchanges/${id}"]`)
  await approved.waitFor()
  await assertFits(page.locator('[data-testid="bell-list"]'), 'the teacher\'s bell list')
  await shot(page, 'teacher-bell', { fullPage: false })
  await approved.tap()
  await page.waitForURL(`${BASE}/exchanges/${id}`)
  await page.locator('[data-testid="exchange-status"][data-status="approved"]').waitFor()
  back.assertClean()
})

test('on a phone the staff and school lists read as cards', async (t) => {
  const { page, assertClean } = await phone(t)
  await signIn(page, 'principal')
  for (const [key, path, pager, table] of [
    ['staff', '/staff', 'staff-pager', 'staff-table'],
    ['schools', '/schools', 'schools-pager', 'schools-table'],
  ]) {
    await navigate(page, key, path)
    await page.locator(`[data-testid="${pager}"][data-ready="true"]`).waitFor()
    await assertTitleFits(page.locator('.page-title'), `the ${key} title`)
    await assertNoSideScroll(page, `the ${key} list`)
    // The table keeps to the screen, each row a card of labelled lines.
    const box = await page.locator(`[data-testid="${table}"]`).boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the ${key} table sticks out: ${JSON.stringify(box)}`)
    const rows = await page.locator(`[data-testid="${table}"] .el-table__body tr`).count()
    assert.ok(rows > 0, `the ${key} list is empty`)
    const card = await page.locator(`[data-testid="${table}"] .el-table__body tr`).first().evaluate((tr) => ({
      head: document.querySelector('.el-table__header-wrapper')?.getBoundingClientRect().height ?? 0,
      labels: [...tr.cells].map((td) => td.dataset.label),
      width: tr.getBoundingClientRect().width,
      cells: [...tr.cells].map((td) => Math.round(td.getBoundingClientRect().width)),
    }))
    assert.equal(card.head, 0, `the ${key} list still shows its header row`)
    assert.ok(card.labels.length > 3 && card.labels.every((l) => l), `the ${key} cells are not labelled: ${card.labels}`)
    assert.ok(card.cells.every((w) => w >= card.width - 2), `the ${key} cells are not lines of the card: ${card.cells}`)
    await shot(page, `principal-${key}`)
  }
  assertClean()
})

test('on a phone no page of the principal\'s, the bureau leader\'s or the admin\'s menu scrolls sideways', async (t) => {
  for (const user of ['principal', 'leader', 'sysadmin']) {
    const { page, assertClean } = await phone(t)
    await signIn(page, user)
    const entries = await page.locator('[data-testid="main-menu"] .el-menu-item').evaluateAll((els) => els.map((e) => e.dataset.testid))
    assert.ok(entries.length > 3, `${user} has a short menu: ${entries}`)
    const wide = []
    for (const testid of entries) {
      await page.locator('[data-testid="menu-toggle"]').tap()
      await page.locator('[data-testid="main-nav"][data-open="true"]').waitFor()
      await page.locator(`[data-testid="${testid}"]`).tap()
      await navClosed(page)
      await page.waitForLoadState('networkidle').catch(() => {})
      await page.waitForTimeout(300)
      try {
        await assertNoSideScroll(page, `${testid} (${new URL(page.url()).pathname})`)
        await assertTitleFits(page.locator('.page-title').first(), `the title of ${testid}`)
      } catch (e) {
        wide.push(e.message)
      }
      await shot(page, `page-${user}-${testid.replace(/^menu-/, '')}`)
    }
    assert.deepEqual(wide, [], `${user}: pages that do not fit a phone`)
    assertClean()
  }
})
