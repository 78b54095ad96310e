// Browser test of meetings and follow-ups (督办), against a live
// `edugroup serve --demo`: the group admin records a meeting held ten days
// ago whose decision, due two days ago, goes to the principal's school;
// the school reports progress on its phone (390 px); the follow-up stays
// overdue and is a 督办 item on 督导's workbench and board.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, field, apiAs } from './lib.mjs'

useBrowser()

/** A date n days from today in China Standard Time, as YYYY-MM-DD. */
function day(n) {
  const t = new Date(Date.now() + 8 * 3600 * 1000 + n * 86400 * 1000)
  return t.toISOString().slice(0, 10)
}

async function pickDate(scope, testid, value) {
  const input = field(scope, testid)
  await input.click()
  await input.fill(value)
  await input.press('Enter')
}

test('a meeting decision followed up, reported and shown overdue to 督导', async (t) => {
  const pr = await apiAs('principal')
  const me = await pr.get('/api/v1/session')
  const school = me.grants.find((g) => g.scope_type === 'school').scope_id
  const schoolName = (await pr.get(`/api/v1/schools/${school}`)).name
  await pr.dispose()

  const { page: ga, assertClean: gaClean } = await openPage(t)
  await signIn(ga, 'groupadmin')
  await ga.goto(`${BASE}/meetings`)
  await ga.locator('[data-testid="meetings"][data-ready="true"]').waitFor()
  await ga.locator('[data-testid="meeting-create"]').click()
  const form = ga.locator('[data-testid="meeting-form"]')
  await field(form, 'meeting-title').fill('端到端校长联席会议')
  await pickDate(form, 'meeting-held-on', day(-10))
  await field(form, 'meeting-minutes').fill('研究端到端督办事项')
  const dec = form.locator('[data-testid="meeting-decision-0"]')
  await field(dec, 'decision-text').fill('端到端：完成课后服务调查问卷')
  await field(dec, 'decision-person').fill('教务主任')
  await pickDate(dec, 'decision-due', day(-2))
  await ga.locator('[data-testid="meeting-save"]').click()
  // The owner school is required and named under its field.
  await form.locator('.field-error', { hasText: /\S/ }).first().waitFor()
  await dec.locator('[data-testid="decision-school"]').click()
  await ga.locator('.el-select-dropdown__item:visible', { hasText: schoolName }).first().click()
  await ga.locator('[data-testid="meeting-save"]').click()
  await ga.waitForURL(/\/meetings\/\d+$/)
  await ga.locator('[data-testid="meeting-view"][data-ready="true"]').waitFor()
  const link = ga.locator('[data-testid="followup-link"]', { hasText: '端到端：完成课后服务调查问卷' })
  const href = await link.getAttribute('href')
  const followup = Number(href.split('/').pop())
  assert.equal(await ga.locator(`[data-testid="followup-status-${followup}"]`).getAttribute('data-status'), 'overdue')
  gaClean()

  // The owner school reports progress on its phone, from its to-do.
  const { page: phone, assertClean: phoneClean } = await openPage(t, { device: PHONE })
  await signIn(phone, 'principal')
  await phone.locator(`[data-testid="todo-item"][data-kind="followup.report"][data-link="/followups/${followup}"]`).waitFor()
  await phone.goto(`${BASE}/followups/${followup}`)
  await phone.locator('[data-testid="followup-view"][data-ready="true"]').waitFor()
  await field(phone, 'followup-progress').fill('问卷已发放，回收过半')
  await field(phone, 'followup-evidence').fill('问卷回收统计表')
  await phone.locator('[data-testid="followup-report"]').click()
  await phone.locator('[data-testid="followup-reports"]', { hasText: '问卷已发放，回收过半' }).waitFor()
  assert.equal(await phone.locator('[data-testid="followup-view"]').getAttribute('data-status'), 'overdue')
  const wide = await phone.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth + 1)
  assert.ok(!wide, 'the follow-up page scrolls sideways at 390 px')
  await phone.screenshot({ path: `${RESULTS}meetings-phone.png`, fullPage: true })
  phoneClean()

  // 督导 sees it as a 督办 item and on the board as overdue.
  const { page: du, assertClean: duClean } = await openPage(t)
  await signIn(du, 'dudao')
  await du.locator(`[data-testid="todo-item"][data-kind="followup.supervise"][data-link="/followups/${followup}"]`).waitFor()
  await du.goto(`${BASE}/followups`)
  await du.locator('[data-testid="followups-board"][data-ready="true"]').waitFor()
  assert.equal(await du.locator(`[data-testid="followup-status-${followup}"]`).getAttribute('data-status'), 'overdue')
  await du.screenshot({ path: `${RESULTS}meetings-board.png`, fullPage: true })
  duClean()
})
