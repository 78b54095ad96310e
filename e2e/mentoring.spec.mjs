// Browser tests of 教师结对, against a live `edugroup serve --demo`.
//
// The demo county has a pair waiting for the demo teacher (as mentor) and
// for the schools: the teacher's workbench shows the confirmation, one click
// opens the pair, the teacher confirms; the group pairs a new teacher of a
// member school with a mentor of the lead school; the agreement prints; the
// group admin's workbench lists the new teachers still without a mentor and
// the coverage page counts them, also on a 390 px phone; on a phone the
// teacher confirms the lesson the mentee logged and logs one of their own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, apiAs } from './lib.mjs'

useBrowser()

test('the teacher confirms the pair waiting on them from the workbench', async (t) => {
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher')
  const item = page.locator('[data-testid="todo-item"][data-kind="mentoring.confirm"]').first()
  await item.waitFor()
  const link = await item.getAttribute('data-link')
  await item.click()
  await page.waitForURL(`${BASE}${link}`)
  const detail = page.locator('[data-testid="mentoring-detail"]')
  await detail.waitFor()
  await page.locator('[data-testid="pair-confirm_mentor"]').click()
  await page.locator('[data-testid="pair-parties"] [data-party="mentor"][data-done="true"]').waitFor()
  assert.equal(await detail.getAttribute('data-status'), 'proposed', 'the schools have not confirmed yet')
  await page.locator('[data-testid="pair-print"]').click()
  await page.locator('[data-testid="mentoring-print"][data-ready="true"]').waitFor()
  assert.match(await page.locator('[data-testid="print-title"]').innerText(), /教师结对协议书/)
  assert.match(await page.locator('[data-testid="print-duties"]').innerText(), /≥ 8/)
  await page.screenshot({ path: `${RESULTS}mentoring-agreement.png`, fullPage: true })
  assertClean()
})

test('the group pairs a member school\'s new teacher with a lead-school mentor', async (t) => {
  const ga = await apiAs('groupadmin')
  let pairId
  try {
    const cov = await ga.get('/api/v1/mentoring/coverage?unpaired=true')
    const lead = cov.schools.find((s) => s.role === 'lead')
    const mentee = cov.teachers.find((n) => n.school_id !== lead.school_id) || cov.teachers[0]
    assert.ok(mentee, 'the demo leaves new teachers without a mentor')
    const mentors = await ga.get(`/api/v1/mentoring/candidates?role=mentor&school_id=${lead.school_id}`)
    const mentor = mentors.items.find((c) => c.eligible)
    const r = await ga.post('/api/v1/mentoring/pairs', {
      mentor_staff_id: mentor.staff_id,
      mentee_staff_id: mentee.staff_id,
      kind: 'intro',
      start_term: '2026-2027-1',
      end_term: '2027-2028-2',
      goals: '站稳讲台',
    })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    pairId = r.body.id
  } finally {
    await ga.dispose()
  }
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'groupadmin')
  await page.locator('[data-testid="todo-item"][data-kind="mentoring.unpaired"]').first().waitFor()
  await page.goto(`${BASE}/mentoring/pairs`)
  await page.locator(`[data-testid="mentoring-link"][href="/mentoring/pairs/${pairId}"]`).waitFor()
  await page.goto(`${BASE}/mentoring/coverage`)
  await page.locator('[data-testid="coverage-schools"] [data-testid="coverage-school"]').first().waitFor()
  assertClean()
})

test('coverage and pairs fit a 390 px phone', async (t) => {
  const { page, assertClean } = await openPage(t, { device: PHONE })
  await signIn(page, 'groupadmin')
  for (const path of ['/mentoring/coverage', '/mentoring/pairs']) {
    await page.goto(`${BASE}${path}`)
    await page.locator('[data-testid="coverage-school"], [data-testid="mentoring-link"]').first().waitFor()
    await page.waitForTimeout(300)
    const over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
    assert.ok(over <= 1, `${path} scrolls sideways by ${over}px`)
    await page.screenshot({ path: `${RESULTS}phone-mentoring${path.replace(/\//g, '-')}.png`, fullPage: true })
  }
  assertClean()
})

test('on a phone, the mentor confirms the mentee\'s logged lesson and logs one of their own', async (t) => {
  const { page, assertClean } = await openPage(t, { device: PHONE })
  await signIn(page, 'teacher')
  const item = page.locator('[data-testid="todo-item"][data-kind="mentoring.activity_confirm"]').first()
  await item.waitFor()
  const link = await item.getAttribute('data-link')
  await item.click()
  await page.waitForURL(`${BASE}${link}`)
  await page.locator('[data-testid="pair-duties"]').waitFor()
  const pending = page.locator('[data-testid="pair-activity"][data-status="pending"]').first()
  const kind = await pending.getAttribute('data-kind')
  const progress = page.locator('[data-testid="pair-progress"]').first()
  const before = Number(await progress.locator(`[data-kind="${kind}"]`).getAttribute('data-confirmed'))
  await pending.locator('[data-testid="activity-confirm"]').click()
  await progress.locator(`[data-kind="${kind}"][data-confirmed="${before + 1}"]`).waitFor()

  // The mentor logs a lesson of the mentee's they observed; it waits on the mentee.
  const waiting = await page.locator('[data-testid="pair-activity"][data-status="pending"]').count()
  await page.locator('[data-testid="activity-new"]').click()
  const dialog = page.locator('[data-testid="activity-dialog"]')
  await dialog.locator('[data-testid="activity-kind"]').click()
  await page.locator('.el-select-dropdown__item', { hasText: '导师听徒弟课' }).click()
  await dialog.locator('[data-testid="activity-topic"]').fill('《春》第二课时')
  await dialog.locator('[data-testid="activity-save"]').click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="pair-activity"][data-status="pending"]').length === n + 1, waiting)
  const over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
  assert.ok(over <= 1, `the pair page scrolls sideways by ${over}px`)
  await page.screenshot({ path: `${RESULTS}phone-mentoring-duties.png`, fullPage: true })
  assertClean()
})
