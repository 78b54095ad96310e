// Browser tests of the growth records (成长档案) and the county's
// recommendation list, against a live `edugroup serve --demo`: 人事股 ranks
// the county's teachers, opens the first candidate's record and finds the
// same figures there, made up of the entries it lists; a teacher opens
// their own record on a 390 px phone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn } from './lib.mjs'

useBrowser()

test('人事股 ranks the teachers and the first candidate\'s record adds up', async (t) => {
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'renshi')
  await page.goto(`${BASE}/growth/recommendations`)
  const first = page.locator('[data-testid="growth-rows"] [data-testid="growth-row-link"]').first()
  await first.waitFor()
  const scores = await page.locator('[data-testid="growth-rows"] [data-score]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))))
  assert.ok(scores.length > 0, 'the demo has candidates')
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i] <= scores[i - 1], `rank ${i + 1} scores above rank ${i}`)
  await page.screenshot({ path: `${RESULTS}growth-recommend.png`, fullPage: true })
  await first.click()
  await page.locator('[data-testid="growth-record"] [data-testid="growth-figures"]').waitFor()
  const score = Number(await page.locator('[data-testid="growth-figures"] [data-key="score"]').getAttribute('data-value'))
  assert.equal(score, scores[0], 'the record scores as the list does')
  const days = Number(await page.locator('[data-testid="growth-figures"] [data-key="cross_school_days"]').getAttribute('data-value'))
  assert.ok((await page.locator('[data-testid="growth-entries"] tbody tr').count()) > 0, 'the record lists its entries')
  assert.ok(days >= 0)
  await page.screenshot({ path: `${RESULTS}growth-record.png`, fullPage: true })
  assertClean()
})

test('a teacher opens their own growth record on a phone', async (t) => {
  const { page, assertClean } = await openPage(t, { device: PHONE })
  await signIn(page, 'teacher')
  await page.goto(`${BASE}/growth/me`)
  await page.locator('[data-testid="growth-record"] [data-testid="growth-figures"]').waitFor()
  // The demo teacher mentors a pair: it is on the record.
  await page.locator('[data-testid="growth-entries"] [data-kind="mentoring.mentor"]').first().waitFor()
  await page.waitForTimeout(300)
  const over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
  assert.ok(over <= 1, `the record scrolls sideways by ${over}px`)
  await page.screenshot({ path: `${RESULTS}phone-growth.png`, fullPage: true })
  assertClean()
})
