// Browser tests of 课程开齐开足 and 学科师资调配, against a live `edugroup serve --demo`.
//
// The demo county has this term's timetables for the demo groups' schools.
// The group admin sees the group's shortages with the teachers who have
// spare lessons elsewhere, the two matches the demo accepted (shortage
// before and after), and adopts a 走教 proposal (first: the principal's new
// timetable below changes that school's demand). The principal imports a
// new timetable with one error (an unknown teacher), reads the error naming
// its row, fixes the file and publishes it; the register then shows −1 for 音乐 and 英语 taught by a teacher of
// another subject. The staffing page and the register fit a 390 px phone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, apiAs } from './lib.mjs'

useBrowser()

/** A one-class timetable as CSV: 语文 7, 英语 2 by the 语文 teacher, 音乐 1 (the plan has 2). */
function timetableCSV(chinese, music, unknown = '') {
  const rows = [['班级', '年级', '星期', '节次', '学科', '任课教师']]
  for (let i = 0; i < 7; i++) rows.push(['三年级(1)班', '3', String((i % 5) + 1), String(Math.floor(i / 5) + 1), '语文', chinese])
  rows.push(['三年级(1)班', '3', '3', '2', '英语', chinese], ['三年级(1)班', '3', '4', '2', '英语', chinese], ['三年级(1)班', '3', '5', '3', '音乐', music])
  rows.push(['三年级(1)班', '3', '1', '4', '数学', unknown || chinese])
  return Buffer.from('\ufeff' + rows.map((r) => r.join(',')).join('\n') + '\n')
}

test('the group admin sees shortages matched and adopts a 走教 proposal', async (t) => {
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'groupadmin')
  await page.goto(`${BASE}/curriculum/staffing`)
  await page.locator('[data-testid="shortage"]').first().waitFor()
  const accepted = page.locator('[data-testid="match-status"][data-status="accepted"]')
  await accepted.first().waitFor()
  assert.ok((await accepted.count()) >= 2, 'the demo matched two shortages')
  // Before and after: the accepted matches lower some school's shortage.
  const befores = await page.locator('[data-testid="school-short-before"]').allInnerTexts()
  const afters = await page.locator('[data-testid="school-short-after"]').allInnerTexts()
  assert.ok(befores.some((b, i) => Number(afters[i]) < Number(b)), 'a shortage is smaller after the matches')
  const proposedBefore = await page.locator('[data-testid="match-status"][data-status="proposed"]').count()
  await page.locator('[data-testid="candidate"] [data-testid="propose-walk"]').first().click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="match-status"][data-status="proposed"]').length > n, proposedBefore)
  await page.screenshot({ path: `${RESULTS}curriculum-staffing.png`, fullPage: true })
  assertClean()
})

test('the principal imports a timetable, fixes an error and reads the register', async (t) => {
  const api = await apiAs('principal')
  let school, chinese, music
  try {
    const list = await api.get('/api/v1/curriculum/timetables?page_size=5')
    assert.equal(list.total, 1, 'the principal sees their own school')
    school = list.items[0].school_id
    const tt = await api.get(`/api/v1/curriculum/schools/${school}/timetable`)
    chinese = tt.teachers.find((x) => x.subject === '语文').name
    music = (tt.teachers.find((x) => x.subject === '音乐') || tt.teachers.find((x) => x.subject !== '语文')).name
  } finally {
    await api.dispose()
  }
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'principal')
  await page.goto(`${BASE}/curriculum/timetables`)
  await page.locator('[data-testid="timetable-link"]').first().click()
  await page.locator('[data-testid="curriculum-timetable"] [data-testid="timetable-status"]').waitFor()
  await page.locator('[data-testid="timetable-cell"]').first().waitFor()
  const input = page.locator('[data-testid="curriculum-timetable"] .el-upload input[type="file"]')
  await input.setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: timetableCSV(chinese, music, '查无此人') })
  const err = page.locator('[data-testid="import-error"]')
  await err.first().waitFor()
  assert.equal(await err.count(), 1, 'one error')
  assert.match(await err.first().innerText(), /第12行.*查无此人/)
  await input.setInputFiles({ name: '课表.csv', mimeType: 'text/csv', buffer: timetableCSV(chinese, music) })
  await page.locator('[data-testid="timetable-status"]', { hasText: '第 2 版' }).waitFor()
  assert.equal(await err.count(), 0, 'the errors are gone')
  await page.screenshot({ path: `${RESULTS}curriculum-timetable.png`, fullPage: true })
  await page.locator('[data-testid="open-register"]').click()
  await page.locator('[data-testid="register-cell"][data-subject="音乐"][data-mark="−1"]').waitFor()
  await page.locator('[data-testid="register-finding"][data-rule="unqualified"][data-subject="英语"]').waitFor()
  assert.match(await page.locator('[data-testid="register-finding"][data-rule="short"][data-subject="音乐"]').innerText(), /方案每周 2 节，课表 1 节/)
  await page.screenshot({ path: `${RESULTS}curriculum-register.png`, fullPage: true })
  await page.locator('[data-testid="register-print"]').click()
  await page.waitForURL(/\/print/)
  await page.locator('[data-testid="register-cell"][data-subject="音乐"][data-mark="−1"]').waitFor()
  assertClean()
})

test('the staffing page and the register fit a 390 px phone', async (t) => {
  const { page, assertClean } = await openPage(t, { device: PHONE })
  await signIn(page, 'groupadmin')
  await page.goto(`${BASE}/curriculum/staffing`)
  await page.locator('[data-testid="shortage"]').first().waitFor()
  await page.waitForTimeout(300)
  let over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
  assert.ok(over <= 1, `the staffing page scrolls sideways by ${over}px`)
  await page.screenshot({ path: `${RESULTS}phone-curriculum-staffing.png`, fullPage: true })
  await page.goto(`${BASE}/curriculum/timetables`)
  await page.locator('[data-testid="register-link"]').first().click()
  await page.locator('[data-testid="register-cell"]').first().waitFor()
  await page.waitForTimeout(300)
  over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
  assert.ok(over <= 1, `the register scrolls sideways by ${over}px`)
  await page.screenshot({ path: `${RESULTS}phone-curriculum-register.png`, fullPage: true })
  assertClean()
})
