// Browser tests of the workbench (工作台) and the bell, against a live
// `edugroup serve --demo` like the other specs.
//
// The demo teacher applies for 支教 (no cooldown after the exchange the
// exchange spec walks through, so the order of the specs does not matter);
// the teacher's workbench shows the application waiting on others; the
// principal's shows the endorsement to do, and one click opens it; once the
// chain has run and 人事股 approves, the teacher's bell shows the approval.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, RESULTS, useBrowser, openPage, signIn, apiAs } from './lib.mjs'

useBrowser()

const pad = (n) => String(n).padStart(2, '0')
/** A local calendar date n days from today. */
function day(n) {
  const d = new Date()
  d.setDate(d.getDate() + n)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

let exchangeId = 0

/** The application all three tests follow, made once by the teacher through the API. */
async function application() {
  if (exchangeId) return exchangeId
  const teacher = await apiAs('teacher')
  try {
    const me = (await teacher.get('/api/v1/staff')).items[0]
    const school = await teacher.get(`/api/v1/schools/${me.school_id}`)
    const group = await teacher.get(`/api/v1/groups/${school.group_id}`)
    const body = { kind: 'support', staff_id: me.id, host_school_id: group.lead_school_id, start_on: day(30), end_on: day(30 + 365), purpose: '支教：初中语文' }
    const created = await teacher.post('/api/v1/exchanges', body)
    assert.equal(created.status, 201, `apply: ${JSON.stringify(created.body)}`)
    const sent = await teacher.post(`/api/v1/exchanges/${created.body.id}/submit`, { version: created.body.version })
    assert.equal(sent.status, 200, `submit: ${JSON.stringify(sent.body)}`)
    exchangeId = created.body.id
    return exchangeId
  } finally {
    await teacher.dispose()
  }
}

/** Takes one step of the chain as user, with the current version. */
async function act(user, action, body) {
  const api = await apiAs(user)
  try {
    const d = await api.get(`/api/v1/exchanges/${exchangeId}`)
    const r = await api.post(`/api/v1/exchanges/${exchangeId}/${action}`, { ...body, version: d.version })
    assert.equal(r.status, 200, `${user} ${action}: ${JSON.stringify(r.body)}`)
  } finally {
    await api.dispose()
  }
}

test('the teacher\'s workbench shows the application waiting on others', async (t) => {
  const id = await application()
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher')
  const item = page.locator(`[data-testid="workbench-waiting"] [data-testid="waiting-item"][data-link="/exchanges/${id}"]`)
  await item.waitFor()
  assert.equal(await item.getAttribute('data-kind'), 'exchange.waiting.submitted')
  assert.match(await item.innerText(), /等待学校与集团签署意见/)
  // No registry counts for a teacher (学校数 1 …).
  assert.equal(await page.locator('[data-testid="figure-schools"], [data-testid="figure-staff"]').count(), 0, 'a teacher sees the registry counts')
  await page.screenshot({ path: `${RESULTS}workbench-teacher.png`, fullPage: true })
  await item.click()
  await page.waitForURL(`${BASE}/exchanges/${id}`)
  assertClean()
})

test('the principal\'s workbench shows the endorsement to do, and one click opens it', async (t) => {
  const id = await application()
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'principal')
  const todo = page.locator(`[data-testid="workbench-todo"] [data-testid="todo-item"][data-link="/exchanges/${id}"]`)
  await todo.waitFor()
  assert.equal(await todo.getAttribute('data-kind'), 'exchange.endorse')
  assert.match(await todo.innerText(), /签署交流申请意见/)
  // The menu's count is the workbench's.
  const total = Number(await page.locator('[data-testid="workbench-todo"]').getAttribute('data-count'))
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="todo-badge"]')?.dataset.count || 0) === n, total)
  // The principal was told the application reached them.
  const bell = page.locator('[data-testid="bell"]')
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="bell"]')?.dataset.unread || 0) > 0)
  await page.screenshot({ path: `${RESULTS}workbench-principal.png`, fullPage: true })
  await todo.click()
  await page.waitForURL(`${BASE}/exchanges/${id}`)
  await page.locator('[data-testid="action-endorse_home"]').waitFor()
  assert.ok(await bell.isVisible())
  assertClean()
})

test('the bell shows the teacher the approval after 人事股 approves', async (t) => {
  const id = await application()
  await act('principal', 'endorse', { party: 'home', cover_arrangement: '由同年级王老师代课' })
  await act('groupadmin', 'endorse', { party: 'host', note: '同意接收' })
  await act('jijiao', 'review', {})
  await act('renshi', 'approve', { note: '同意' })

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher')
  const bell = page.locator('[data-testid="bell"]')
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="bell"]')?.dataset.unread || 0) > 0)
  const before = Number(await bell.getAttribute('data-unread'))
  await bell.click()
  const notice = page.locator(`[data-testid="notification-item"][data-kind="exchange.approved"][data-link="/exchanges/${id}"]`)
  await notice.waitFor()
  assert.equal(await notice.getAttribute('data-read'), 'false')
  assert.match(await notice.innerText(), /您的交流申请已批准/)
  await page.screenshot({ path: `${RESULTS}workbench-bell.png` })
  await notice.click()
  await page.waitForURL(`${BASE}/exchanges/${id}`)
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="bell"]')?.dataset.unread ?? n) < n, before)
  // The exchange now starts in 30 days: it is on the teacher's upcoming list.
  await page.goto(`${BASE}/`)
  await page.locator(`[data-testid="upcoming-item"][data-link="/exchanges/${id}"][data-kind="exchange.starts"]`).waitFor()
  // Mark all read empties the count (and has nothing to do once it is empty).
  await bell.click()
  const readAll = page.locator('[data-testid="bell-read-all"]')
  if ((await bell.getAttribute('data-unread')) !== '0') await readAll.click()
  await page.waitForFunction(() => document.querySelector('[data-testid="bell"]')?.dataset.unread === '0')
  assert.ok(await readAll.isDisabled(), 'mark all read is still offered with nothing unread')
  assertClean()
})
