// Browser test of the group rulebook (制度共建) main path, against a live
// `edugroup serve --demo`: the group admin drafts a rule and publishes it,
// the principal's school confirms adoption on a phone (390 px) from its
// workbench to-do, and the group sees the school's confirmation while the
// other schools are still shown as not yet confirmed; and a member school
// reports its month on a phone, which the group accepts with guidance.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, field, apiAs } from './lib.mjs'

useBrowser()

test('a rule version published, confirmed by a school on a phone, seen by the group', async (t) => {
  const { page: ga, assertClean: gaClean } = await openPage(t)
  await signIn(ga, 'groupadmin')
  // The demo's objection waits for the group's answer.
  await ga.locator('[data-testid="todo-item"][data-kind="rulebook.objection"]').waitFor()

  await ga.goto(`${BASE}/rules`)
  await ga.locator('[data-testid="rules"][data-ready="true"]').waitFor()
  await ga.locator('[data-testid="rule-create"]').click()
  const form = ga.locator('[data-testid="rule-form"]')
  await field(form, 'rule-title').fill('端到端集团财务报销制度')
  await ga.locator('[data-testid="rule-save"]').click()
  // An empty article is named under its field.
  await form.locator('.field-error').first().waitFor()
  await field(form, 'rule-article-0').fill('集团活动经费由牵头学校统一报销，各校凭据按月汇总。')
  await ga.locator('[data-testid="rule-add-article"]').click()
  await field(form, 'rule-article-1').fill('单笔超过五千元的支出须经集团理事会同意。')
  await ga.locator('[data-testid="rule-save"]').click()
  await ga.waitForURL(/\/rules\/\d+$/)
  const rule = Number(new URL(ga.url()).pathname.split('/')[2])
  await ga.locator('[data-testid="rule-publish"]').click()
  await ga.locator('[data-testid="rule-publish-submit"]').click()
  await ga.locator('[data-testid="rule-current"]').waitFor()
  const board = ga.locator('[data-testid="rule-board"]')
  await board.waitFor()
  const rows = await board.locator('[data-testid^="rule-board-status-"]').allInnerTexts()
  assert.ok(rows.length >= 2 && rows.every((s) => s === '待确认'), `every member asked: ${rows}`)

  // The principal's school confirms at 390 px, from its workbench to-do.
  const pr = await apiAs('principal')
  const me = await pr.get('/api/v1/session')
  const school = me.grants.find((g) => g.scope_type === 'school').scope_id
  await pr.dispose()
  const { page: phone, assertClean: phoneClean } = await openPage(t, { device: PHONE })
  await signIn(phone, 'principal')
  await phone.locator(`[data-testid="todo-item"][data-kind="rulebook.adopt"]`).first().waitFor()
  await phone.goto(`${BASE}/rules/${rule}`)
  await phone.locator('[data-testid="rule-view"][data-ready="true"]').waitFor()
  assert.match(await phone.locator('[data-testid="rule-articles"]').innerText(), /单笔超过五千元/)
  assert.equal(await phone.locator('[data-testid^="rule-board-status-"]').count(), 1, 'a school sees only its own row')
  await phone.locator('[data-testid="rule-adopt"]').click()
  await phone.waitForFunction(() => document.querySelector('[data-testid="rule-my-status"]')?.textContent?.includes('已确认执行'))
  const wide = await phone.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth + 1)
  assert.ok(!wide, 'the rule page scrolls sideways at 390 px')
  await phone.screenshot({ path: `${RESULTS}governance-phone.png`, fullPage: true })
  phoneClean()

  // The group sees the school's confirmation; the others still pending.
  await ga.reload()
  await ga.locator('[data-testid="rule-view"][data-ready="true"]').waitFor()
  assert.equal(await ga.locator(`[data-testid="rule-board-status-${school}"]`).innerText(), '已确认执行')
  const after = await ga.locator('[data-testid^="rule-board-status-"]').allInnerTexts()
  assert.equal(after.filter((s) => s === '待确认').length, rows.length - 1, `others still pending: ${after}`)
  await ga.goto(`${BASE}/rules`)
  await ga.locator('[data-testid="rules"][data-ready="true"]').waitFor()
  await ga.screenshot({ path: `${RESULTS}governance-rules.png`, fullPage: true })
  await ga.goto(`${BASE}/rulebook/print`)
  await ga.locator('[data-testid="rulebook-print-view"][data-ready="true"]').waitFor()
  assert.match(await ga.locator('.sheet').innerText(), /端到端集团财务报销制度/)
  gaClean()
})

test('a member school reports its month, the group accepts it with guidance', async (t) => {
  const pr = await apiAs('principal')
  const me = await pr.get('/api/v1/session')
  const school = me.grants.find((g) => g.scope_type === 'school').scope_id
  await pr.dispose()
  const { page: phone, assertClean: phoneClean } = await openPage(t, { device: PHONE })
  await signIn(phone, 'principal')
  // Last month's report is owed (the demo has not made it).
  await phone.locator('[data-testid="todo-item"][data-kind="report.submit"]').first().waitFor()
  await phone.goto(`${BASE}/member-reports`)
  await phone.locator('[data-testid="member-reports"][data-ready="true"]').waitFor()
  await phone.locator(`[data-testid="owed-open-${school}-monthly"]`).click()
  await phone.locator('[data-testid="member-report-new"]').waitFor()
  await field(phone, 'report-done').fill('端到端：完成月度教学常规检查')
  await field(phone, 'report-help').fill('请集团协调一次联片教研')
  await phone.locator('[data-testid="report-submit"]').click()
  await phone.locator('[data-testid="member-report"][data-status="submitted"]').waitFor()
  const id = Number(new URL(phone.url()).pathname.split('/').pop())
  const wide = await phone.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth + 1)
  assert.ok(!wide, 'the report page scrolls sideways at 390 px')
  phoneClean()

  const { page: ga, assertClean: gaClean } = await openPage(t)
  await signIn(ga, 'groupadmin')
  await ga.goto(`${BASE}/member-reports/${id}`)
  await ga.locator('[data-testid="member-report"][data-ready="true"]').waitFor()
  await field(ga, 'report-review-guidance').fill('下月安排联片教研，请做好准备')
  await ga.locator('[data-testid="report-accept"]').click()
  await ga.locator('[data-testid="member-report"][data-status="accepted"]').waitFor()
  assert.match(await ga.locator('[data-testid="report-guidance"]').innerText(), /联片教研/)
  await ga.goto(`${BASE}/member-reports`)
  await ga.locator('[data-testid="member-reports"][data-ready="true"]').waitFor()
  assert.equal(await ga.locator(`[data-testid="owed-status-${school}-monthly"]`).innerText(), '已审阅')
  await ga.screenshot({ path: `${RESULTS}governance-reports.png`, fullPage: true })
  gaClean()
})
