// Browser tests of the registry pages (groups, members, timeline, staff
// scope), run against a live `edugroup serve --demo` like login.spec.mjs.
//
//   EDUGROUP_URL             base URL of the running server (default http://127.0.0.1:18080)
//   EDUGROUP_DEMO_PASSWORD   password of the demo accounts (default Demo@2026)
//   CHROMIUM_PATH            system Chromium (default /usr/bin/chromium); no browser is downloaded
//
// Each test looks up what it needs at run time (a school in no group, another
// school's staff member), so they do not depend on each other's writes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, RESULTS, useBrowser, openPage, signIn, apiAs } from './lib.mjs'


useBrowser()

/** Waits for the list behind `pager` to answer and returns its total. */
async function listTotal(page, pager) {
  const el = page.locator(`[data-testid="${pager}"][data-ready="true"]`)
  await el.waitFor()
  await page.waitForTimeout(100)
  return Number(await el.getAttribute('data-total'))
}

/**
 * After submitting the join dialog: 'saved' (it closed), 'warning' (a scale
 * limit asks for a reason) or 'error: …' (the server refused).
 */
async function joinOutcome(page, reasonGiven = false) {
  const h = await page.waitForFunction((reasonGiven) => {
    const d = document.querySelector('[data-testid="join-dialog"]')
    if (!d || d.getClientRects().length === 0) return 'saved'
    const err = d.querySelector('[data-testid="join-error"]')
    if (err) return `error: ${err.textContent.trim()}`
    if (!reasonGiven && d.querySelector('[data-testid="scale-warning"]')) return 'warning'
    return false
  }, reasonGiven)
  return h.jsonValue()
}

test('group admin adds a school that is in no group and sees it on the members table and the timeline', async (t) => {
  // A school in no group today, found as the bureau leader (county view).
  const leader = await apiAs('leader')
  t.after(() => leader.dispose())
  const { items } = await leader.get('/api/v1/schools?page_size=200')
  const free = items.filter((s) => s.group_id === null && (s.status ?? 'active') === 'active')
  assert.ok(free.length > 0, 'the demo county has no school outside the groups')
  const school = free[0]

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'groupadmin')
  const groupName = ((await page.locator('[data-testid="active-grant"]').getAttribute('data-scope-name')) || '').trim()
  assert.ok(groupName, 'no group in the header')

  // Their group from the list.
  await page.locator('[data-testid="menu-groups"]').click()
  await page.waitForURL(`${BASE}/groups`)
  await listTotal(page, 'groups-pager')
  await page.locator('[data-testid="group-link"]', { hasText: groupName }).first().click()
  await page.waitForURL(/\/groups\/\d+$/)
  await page.locator('[data-testid="members-table"]').waitFor()
  assert.equal((await page.locator('[data-testid="group-title"]').innerText()).trim(), groupName)
  await page.locator('[data-testid="group-timeline"][data-ready="true"]').waitFor()
  const before = await page.locator('[data-testid="member-name"]').allInnerTexts()
  assert.ok(!before.map((s) => s.trim()).includes(school.name), `${school.name} is already a member`)

  // Join dialog: pick the school by name, keep today's date and 成员校.
  await page.locator('[data-testid="member-add"]').click()
  const dialog = page.locator('[data-testid="join-dialog"]')
  await dialog.waitFor()
  await dialog.locator('[data-testid="join-school"]').click()
  await dialog.locator('[data-testid="join-school"] input').fill(school.name)
  // The remote search may replace the options while one is being clicked
  // (a slow machine): pick again until the choice has taken.
  const submit = dialog.locator('[data-testid="join-submit"]')
  for (let i = 0; i < 5 && !(await submit.isEnabled()); i++) {
    const option = page.locator('[data-testid="join-school-option"]:visible', { hasText: school.name }).first()
    await option.waitFor()
    await option.click()
    await page.waitForTimeout(300)
    if (!(await submit.isEnabled())) await dialog.locator('[data-testid="join-school"]').click()
  }
  await submit.click()

  // Over a scale limit the server asks for a reason; give one and submit again.
  const outcome = await joinOutcome(page)
  if (outcome === 'warning') {
    assert.ok((await dialog.locator('[data-testid="scale-message"]').count()) > 0, 'scale warning without the limits')
    await page.screenshot({ path: `${RESULTS}groupadmin-join-scale.png` })
    await dialog.locator('[data-testid="scale-reason"]').fill('e2e：县教体局同意扩容')
    await dialog.locator('[data-testid="join-submit"]').click()
    assert.equal(await joinOutcome(page, true), 'saved')
  } else {
    assert.equal(outcome, 'saved')
  }

  // The school is on the members table …
  await page.locator('[data-testid="member-row"] [data-testid="member-name"]', { hasText: school.name }).waitFor()
  // … and on the timeline as a join.
  await page
    .locator(`[data-testid="group-timeline"] [data-testid="timeline-item"][data-kind="joined"][data-school-id="${school.id}"]`)
    .waitFor()
  await page.screenshot({ path: `${RESULTS}groupadmin-group-detail.png`, fullPage: true })

  // The server agrees.
  const now = await leader.get(`/api/v1/schools/${school.id}`)
  assert.equal(now.group_name, groupName)
  assertClean()
})

test('teacher sees exactly one staff row and another school\'s staff address shows not-found', async (t) => {
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher')

  await page.locator('[data-testid="menu-staff"]').click()
  await page.waitForURL(`${BASE}/staff`)
  assert.equal(await listTotal(page, 'staff-pager'), 1)
  assert.equal(await page.locator('[data-testid="staff-row"]').count(), 1)

  // Their own row opens their page.
  await page.locator('[data-testid="staff-row"] [data-testid="staff-name"]').click()
  await page.waitForURL(/\/staff\/\d+$/)
  await page.locator('[data-testid="staff-title"]').waitFor()
  const ownId = Number(new URL(page.url()).pathname.split('/').pop())
  const own = await (await page.request.get(`${BASE}/api/v1/staff/${ownId}`)).json()

  // Someone at another school, found as the bureau leader.
  const leader = await apiAs('leader')
  t.after(() => leader.dispose())
  const list = await leader.get('/api/v1/staff?page_size=50')
  const other = list.items.find((s) => s.school_id !== own.school_id)
  assert.ok(other, 'no staff member at another school')

  await page.goto(`${BASE}/staff/${other.id}`)
  await page.locator('[data-testid="not-found"]').waitFor()
  assert.equal(await page.locator('[data-testid="staff-detail"]').count(), 0)
  assert.equal(await page.getByText(other.name, { exact: true }).count(), 0, 'the other person\'s name is on the page')
  await page.screenshot({ path: `${RESULTS}teacher-staff-not-found.png` })
  assertClean()
})
