// Browser test of the term plans (计划共融) main path, against a live
// `edugroup serve --demo` like the other specs: the group admin opens a
// round, the principal's school submits its plan, the group returns it
// with a comment, the school revises and resubmits, the group sees the
// change, accepts, compiles and publishes, and the member school reads the
// group plan, on a desktop and at 390 px.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, field } from './lib.mjs'

useBrowser()

// A term the demo has no round for; the items' months fall inside it.
const TERM = '2031-2032-1'

async function planStatus(page) {
  const p = page.locator('[data-testid="school-plan"][data-ready="true"]')
  await p.waitFor()
  return p.getAttribute('data-status')
}

test('a round from opening to the published group plan', async (t) => {
  const { page: ga, assertClean: gaClean } = await openPage(t)
  await signIn(ga, 'groupadmin')
  // The demo's own round gives the group admin a review to do.
  await ga.locator('[data-testid="todo-item"][data-kind="planning.review"]').waitFor()

  await ga.goto(`${BASE}/plans`)
  await ga.locator('[data-testid="plan-open"]').click()
  const form = ga.locator('[data-testid="plan-open-form"]')
  await field(form, 'plan-term').fill(TERM)
  await field(form, 'plan-title').fill('端到端测试学期计划')
  await ga.locator('[data-testid="plan-open-submit"]').click()
  await ga.waitForURL(/\/plans\/\d+$/)
  const round = Number(new URL(ga.url()).pathname.split('/')[2])

  const { page: pr, assertClean: prClean } = await openPage(t)
  await signIn(pr, 'principal')
  // The returned demo plan is on the principal's workbench.
  await pr.locator('[data-testid="todo-item"][data-kind="planning.resubmit"]').waitFor()
  await pr.goto(`${BASE}/plans/${round}`)
  const link = pr.locator('[data-testid^="plan-open-"]')
  await link.waitFor()
  assert.equal(await link.count(), 1, 'a school sees only its own row of the board')
  const school = Number((await link.getAttribute('data-testid')).replace('plan-open-', ''))
  const planURL = `${BASE}/plans/${round}/schools/${school}`
  await pr.goto(planURL)
  assert.equal(await planStatus(pr), 'none')
  await pr.locator('[data-testid="add-item-moral"]').click()
  const item = pr.locator('[data-testid="plan-section-moral"] [data-testid="plan-item"]').first()
  await field(item, 'item-goal').fill('开展端到端礼仪教育')
  await field(item, 'item-month').fill('2031-13')
  await field(item, 'item-owner').fill('德育处')
  await pr.locator('[data-testid="plan-submit"]').click()
  // The bad month is named under its field.
  await item.locator('.el-form-item__error').waitFor()
  await field(item, 'item-month').fill('2031-09')
  await pr.locator('[data-testid="plan-submit"]').click()
  await pr.locator('[data-testid="school-plan"][data-status="submitted"]').waitFor()

  // The group returns it with a comment.
  await ga.goto(planURL)
  assert.equal(await planStatus(ga), 'submitted')
  await field(ga, 'review-comment').fill('请写明具体月份安排')
  await ga.locator('[data-testid="plan-return"]').click()
  await ga.locator('[data-testid="school-plan"][data-status="returned"]').waitFor()

  // The school revises and resubmits.
  await pr.goto(planURL)
  assert.equal(await planStatus(pr), 'returned')
  assert.match(await pr.locator('[data-testid="plan-returned"]').innerText(), /请写明具体月份安排/)
  const again = pr.locator('[data-testid="plan-section-moral"] [data-testid="plan-item"]').first()
  await field(again, 'item-month').fill('2031-10')
  await pr.locator('[data-testid="plan-submit"]').click()
  await pr.locator('[data-testid="school-plan"][data-status="submitted"]').waitFor()

  // The group sees what changed, accepts, compiles and publishes.
  await ga.goto(planURL)
  await ga.locator('[data-testid="plan-changes"]').waitFor()
  assert.match(await ga.locator('[data-testid="plan-changes"]').innerText(), /2031-09[\s\S]*2031-10/)
  await ga.locator('[data-testid="plan-accept"]').click()
  await ga.locator('[data-testid="school-plan"][data-status="accepted"]').waitFor()
  await ga.goto(`${BASE}/plans/${round}/group-plan`)
  await ga.locator('[data-testid="group-plan"][data-ready="true"]').waitFor()
  const schoolName = await ga.locator('[data-testid="entry-school"]').first().innerText()
  await ga.locator('[data-testid="group-plan-compile"]').click()
  await ga.waitForFunction(() => (document.querySelector('textarea[data-testid="group-plan-text"]')?.value || '').includes('开展端到端礼仪教育'))
  await ga.locator('[data-testid="group-plan-publish"]').click()
  await ga.locator('[data-testid="group-plan"][data-published="true"]').waitFor()
  await ga.screenshot({ path: `${RESULTS}planning-group-plan.png`, fullPage: true })
  gaClean()

  // The member school reads the published plan, each item with its school.
  await pr.goto(`${BASE}/plans/${round}/group-plan`)
  await pr.locator('[data-testid="group-plan"][data-published="true"]').waitFor()
  assert.match(await pr.locator('[data-testid="group-plan-text-read"]').innerText(), /开展端到端礼仪教育/)
  assert.equal(await pr.locator('[data-testid="entry-school"]').first().innerText(), schoolName)
  await pr.goto(`${BASE}/plans/${round}/group-plan/print`)
  await pr.locator('[data-testid="group-plan-print-view"][data-ready="true"]').waitFor()
  prClean()

  // At 390 px the group plan does not scroll sideways.
  const { page: phone, assertClean: phoneClean } = await openPage(t, { device: PHONE })
  await signIn(phone, 'principal')
  await phone.goto(`${BASE}/plans/${round}/group-plan`)
  await phone.locator('[data-testid="group-plan"][data-published="true"]').waitFor()
  const { iw, sw } = await phone.evaluate(() => ({ iw: window.innerWidth, sw: document.scrollingElement.scrollWidth }))
  assert.ok(sw <= iw + 1, `the group plan scrolls sideways at 390 px: ${sw} > ${iw}`)
  await phone.goto(planURL)
  await phone.locator('[data-testid="school-plan"][data-ready="true"]').waitFor()
  const wide = await phone.evaluate(() => document.scrollingElement.scrollWidth > window.innerWidth + 1)
  assert.ok(!wide, 'the school plan scrolls sideways at 390 px')
  await phone.screenshot({ path: `${RESULTS}planning-phone.png`, fullPage: true })
  phoneClean()
})
