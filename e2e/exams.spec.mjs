// Browser tests of the exam pages (质量分析), run against a live
// `edugroup serve --demo` like login.spec.mjs: 基教股 sets up a joint exam,
// imports a score file built here from demo schools (with a column to map by
// hand and a bad row), and reads the group overview and the gap-to-lead
// chart; a teacher opening the demo exam sees only their own class; a
// principal follows a pupil of the 学生 tab across the three demo exams.
//
//   EDUGROUP_URL             base URL of the running server (default http://127.0.0.1:18080)
//   EDUGROUP_DEMO_PASSWORD   password of the demo accounts (default Demo@2026)
//   CHROMIUM_PATH            system Chromium (default /usr/bin/chromium); no browser is downloaded
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE, RESULTS, useBrowser, openPage, signIn, apiAs, field } from './lib.mjs'

/** The demo's latest county exam and the group whose members close the gap. */
const DEMO_EXAM = '全县六年级上学期期中质量检测'
const DEMO_GROUP = '怀远县实验小学教育集团'

useBrowser()

/** Picks an option of an Element Plus select by its data-testid. */
async function pick(page, select, option) {
  await page.locator(`[data-testid="${select}"]`).click()
  const o = page.locator(`[data-testid="${option}"]:visible`).first()
  await o.waitFor()
  await o.click()
}

/** Waits until the import page has answered once more than `before`. */
async function nextAnswer(page, before) {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="import-page"]')?.getAttribute('data-answers')) > n, before)
}

async function answers(page) {
  return Number(await page.locator('[data-testid="import-page"]').getAttribute('data-answers'))
}

/**
 * A wide score file of three schools of the demo group (the lead and two
 * members): the English column has a header the import cannot recognize,
 * and one row's maths is above the full marks.
 */
function scoreFile(schools) {
  const lines = ['考号,姓名,学校,班级,语文,数学,Y']
  let no = 0
  const score = (base, k) => Math.max(30, Math.min(100, base + ((k * 37) % 29) - 14))
  schools.forEach((s, si) => {
    for (const cls of ['1班', '2班']) {
      for (let k = 0; k < 8; k++) {
        no++
        const base = 88 - si * 6
        const maths = no === 5 ? 105 : score(base, k + 3)
        lines.push(`E2E${String(no).padStart(4, '0')},学生${no},${s.school},${cls},${score(base, k)},${maths},${score(base, k + 7)}`)
      }
    }
  })
  return { text: `${lines.join('\n')}\n`, students: no }
}

test('基教股 sets up an exam, imports a corrected score file and reads the group overview and the gap trend', async (t) => {
  // Three schools of the demo group, from the demo exam's report.
  const jijiao = await apiAs('jijiao')
  t.after(() => jijiao.dispose())
  const { items: exams } = await jijiao.get('/api/v1/exams')
  const demo = exams.find((x) => x.name === DEMO_EXAM)
  assert.ok(demo, `the demo has no exam ${DEMO_EXAM}`)
  const rep = await jijiao.get(`/api/v1/exams/${demo.id}/report?level=school&subject=${encodeURIComponent('总分')}`)
  const lead = rep.groups.find((g) => g.name === DEMO_GROUP)?.lead
  const inGroup = rep.stats.filter((s) => s.level === 'school' && s.group === DEMO_GROUP)
  const leadRow = inGroup.find((s) => s.school === lead || s.school_code === lead)
  assert.ok(leadRow, `no lead school of ${DEMO_GROUP} in the demo exam`)
  const schools = [leadRow, ...inGroup.filter((s) => s !== leadRow).slice(0, 2)]
  assert.equal(schools.length, 3)

  const dir = mkdtempSync(join(tmpdir(), 'edugroup-exams-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, '联考成绩.csv')
  const { text, students } = scoreFile(schools)
  writeFileSync(file, text)

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'jijiao')

  // The exam list, then the setup form: the default subjects are 语文/数学/英语 of 100.
  await page.locator('[data-testid="menu-examList"]').click()
  await page.waitForURL(`${BASE}/exams`)
  await page.locator('[data-testid="exams-count"][data-ready="true"]').waitFor()
  await page.locator('[data-testid="exam-create"]').click()
  await page.waitForURL(`${BASE}/exams/new`)
  await page.locator('[data-testid="subject-row"]').nth(2).waitFor()
  assert.equal(await page.locator('[data-testid="subject-row"]').count(), 3)
  const names = []
  for (let i = 0; i < 3; i++) {
    names.push(await field(page, `subject-name-${i}`).inputValue())
    assert.equal(await field(page, `subject-full-${i}`).inputValue(), '100')
  }
  assert.deepEqual(names, ['语文', '数学', '英语'])
  // Every setting is on the form with its default.
  assert.ok((await page.locator('[data-testid^="setting-"]').count()) >= 29, 'settings missing from the form')
  const examName = `E2E集团联考 ${Date.now()}`
  await field(page, 'exam-name').fill(examName)
  await page.locator('[data-testid="exam-save"]').click()
  await page.waitForURL(/\/exams\/\d+$/)
  assert.equal((await page.locator('[data-testid="exam-title"]').innerText()).trim(), examName)
  const examId = Number(new URL(page.url()).pathname.split('/').pop())

  // Import: the preview guesses the columns and finds the bad row.
  await page.locator('[data-testid="exam-import"]').click()
  await page.waitForURL(`${BASE}/exams/${examId}/import`)
  let seen = await answers(page)
  await page.locator('[data-testid="import-file"] input[type="file"]').setInputFiles(file)
  await nextAnswer(page, seen)
  const preview = page.locator('[data-testid="import-preview"]')
  await preview.waitFor()
  assert.equal(Number(await preview.getAttribute('data-students')), students)
  assert.equal(Number(await preview.getAttribute('data-invalid')), 1)
  assert.equal(await page.locator('[data-testid="mapping-row"]').count(), 7)
  assert.match(await page.locator('[data-testid="preview-assumptions"]').innerText(), /英语/)
  assert.ok((await page.locator('[data-testid="problem-row"]').count()) >= 1)
  assert.match(await page.locator('[data-testid="problems-table"]').innerText(), /105/)

  // Map the unrecognized column "Y" to 英语 and check again.
  const yIndex = (await page.locator('[data-testid="mapping-header"]').allInnerTexts()).map((s) => s.trim()).indexOf('Y')
  assert.ok(yIndex >= 0, 'column Y not in the mapping')
  await pick(page, `mapping-field-${yIndex}`, 'field-option-score')
  await pick(page, `mapping-subject-${yIndex}`, 'subject-option-英语')
  await page.locator('[data-testid="mapping-dirty"]').waitFor()
  seen = await answers(page)
  await page.locator('[data-testid="import-recheck"]').click()
  await nextAnswer(page, seen)
  await page.locator('[data-testid="mapping-dirty"]').waitFor({ state: 'detached' })
  assert.doesNotMatch(await page.locator('[data-testid="import-preview"]').innerText(), /没有“英语”/)
  assert.equal(Number(await preview.getAttribute('data-invalid')), 1)
  await page.screenshot({ path: `${RESULTS}exam-import-preview.png`, fullPage: true })

  // All or nothing: refused, naming the row …
  seen = await answers(page)
  await page.locator('[data-testid="import-submit"]').click()
  await nextAnswer(page, seen)
  const refusal = page.locator('[data-testid="import-error"]')
  await refusal.waitFor()
  assert.match(await refusal.innerText(), /第\d+行/)
  // … then only the valid rows.
  seen = await answers(page)
  await page.locator('[data-testid="import-valid-only"]').click()
  await nextAnswer(page, seen)
  const result = page.locator('[data-testid="import-result"]')
  await result.waitFor()
  assert.equal(Number(await result.getAttribute('data-students')), students - 1)
  assert.equal(Number(await result.getAttribute('data-skipped')), 1)

  // The stored English scores came from the corrected column.
  const stored = await jijiao.get(`/api/v1/exams/${examId}/report?level=exam&subject=${encodeURIComponent('英语')}`)
  assert.equal(stored.stats.find((s) => s.level === 'exam').n, students - 1)

  // The group overview: the three schools, the box plot and the T bars drawn.
  await page.locator('[data-testid="import-open-report"]').click()
  await page.waitForURL(new RegExp(`/exams/${examId}/report`))
  await page.locator('[data-testid="exam-report"][data-ready="true"]').waitFor()
  await page.locator('[data-testid="overview"][data-ready="true"]').waitFor()
  const rowNames = (await page.locator('[data-testid="overview-schools"] [data-testid="overview-school"]').allInnerTexts()).map((s) => s.trim())
  assert.deepEqual([...rowNames].sort(), schools.map((s) => s.school).sort())
  await page.locator('[data-testid="overview-groups"]').getByText(DEMO_GROUP).first().waitFor()
  await page.locator('[data-testid="overview-box"][data-rendered="true"] canvas').first().waitFor()
  await page.locator('[data-testid="overview-t"][data-rendered="true"] canvas').first().waitFor()
  await page.screenshot({ path: `${RESULTS}exam-overview.png`, fullPage: true })

  // The gap to the lead school across the exams, for the demo group.
  await page.locator('[data-testid="menu-examGap"]').click()
  await page.waitForURL(`${BASE}/exams/gap`)
  await page.locator('[data-testid="gap-page"][data-ready="true"]').waitFor()
  await page.locator('[data-testid="gap-group"]').click()
  await page.locator('[data-testid="gap-group-option"]:visible', { hasText: DEMO_GROUP }).first().click()
  await page.waitForFunction(() => document.querySelector('[data-testid="gap-page"]')?.getAttribute('data-ready') === 'true')
  const chart = page.locator('[data-testid="gap-chart"][data-rendered="true"]')
  await chart.locator('canvas').first().waitFor()
  const box = await chart.boundingBox()
  assert.ok(box && box.width > 300 && box.height > 200, 'the gap chart has no size')
  const gapSchools = (await page.locator('[data-testid="gap-row"] [data-testid="gap-school"]').allInnerTexts()).map((s) => s.trim())
  for (const s of schools.slice(1)) assert.ok(gapSchools.includes(s.school), `${s.school} is not on the gap trend`)
  assert.ok(!gapSchools.includes(schools[0].school), 'the lead school has a gap to itself')
  const trends = await page.locator('[data-testid="gap-badge"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trend')))
  assert.ok(trends.includes('closing'), `no member school closing the gap: ${trends}`)
  await page.screenshot({ path: `${RESULTS}exam-gap-trend.png`, fullPage: true })
  assertClean()
})

test('the teacher opening the exams sees only their own class', async (t) => {
  const teacher = await apiAs('teacher')
  t.after(() => teacher.dispose())
  const { items: exams } = await teacher.get('/api/v1/exams')
  const demo = exams.find((x) => x.name === DEMO_EXAM)
  assert.ok(demo, 'the teacher does not see the demo exam')
  // Another school's report is not theirs to read.
  const leader = await apiAs('leader')
  t.after(() => leader.dispose())
  const all = await leader.get(`/api/v1/exams/${demo.id}/report?level=school&subject=${encodeURIComponent('总分')}`)
  const mine = await teacher.get(`/api/v1/exams/${demo.id}/report?level=class`)
  const ownCode = mine.stats.find((s) => s.level === 'class')?.school_code
  const other = all.stats.find((s) => s.level === 'school' && s.school_code !== ownCode)
  assert.equal((await teacher.ctx.get(`/api/v1/exams/${demo.id}/report?school=${other.school_code}`)).status(), 404)

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher')
  await page.locator('[data-testid="menu-examList"]').click()
  await page.waitForURL(`${BASE}/exams`)
  await page.locator('[data-testid="exams-count"][data-ready="true"]').waitFor()
  assert.equal(await page.locator('[data-testid="exam-create"]').count(), 0, 'a teacher may not set up exams')
  await page.locator('[data-testid="exam-row"]', { hasText: DEMO_EXAM }).locator('[data-testid="exam-report"]').click()
  await page.waitForURL(new RegExp(`/exams/${demo.id}/report`))
  await page.locator('[data-testid="exam-report"][data-ready="true"][data-scope="teacher"]').waitFor()
  // No group or school tabs for a teacher; the class tab opens first.
  assert.equal(await page.locator('[data-testid="tab-overview"]').count(), 0)
  assert.equal(await page.locator('[data-testid="tab-school"]').count(), 0)
  await page.locator('[data-testid="class-tab"][data-ready="true"]').waitFor()
  const classes = (await page.locator('[data-testid="class-table"] [data-testid="class-name"]').allInnerTexts()).map((s) => s.trim())
  assert.deepEqual(classes, ['1班'])
  await page.locator('[data-testid="class-heat"][data-rendered="true"] canvas').first().waitFor()
  await page.screenshot({ path: `${RESULTS}teacher-exam-classes.png`, fullPage: true })

  // The students tab lists that class only.
  await page.locator('[data-testid="tab-students"]').click()
  await page.locator('[data-testid="students-pager"][data-ready="true"]').waitFor()
  const total = Number(await page.locator('[data-testid="students-pager"]').getAttribute('data-total'))
  const own = mine.stats.find((s) => s.level === 'class' && s.subject === '总分')
  assert.equal(total, own.enrolled)
  const shown = (await page.locator('[data-testid="student-row"] [data-testid="student-class"]').allInnerTexts()).map((s) => s.trim())
  assert.ok(shown.length > 0 && shown.every((c) => c === '1班'), `students of other classes: ${shown}`)
  assertClean()
})

test('a principal follows a pupil from the students tab across the demo exams', async (t) => {
  const principal = await apiAs('principal')
  t.after(() => principal.dispose())
  const { items: exams } = await principal.get('/api/v1/exams')
  const demo = exams.find((x) => x.name === DEMO_EXAM)
  assert.ok(demo, 'the principal does not see the demo exam')
  // The exams holding the principal's school (a principal also sees the
  // county exams it has not brought its part to yet).
  const session = await principal.get('/api/v1/session')
  const school = session.grants.find((g) => g.id === session.active_grant_id).scope_id
  const scored = []
  for (const x of exams.filter((x) => x.students > 0)) {
    const d = await principal.get(`/api/v1/exams/${x.id}`)
    if (d.parts.some((p) => p.school_id === school)) scored.push(x)
  }

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'principal')
  await page.goto(`${BASE}/exams/${demo.id}/report?tab=students`)
  await page.locator('[data-testid="exam-report"][data-ready="true"]').waitFor()
  await page.locator('[data-testid="students-pager"][data-ready="true"]').waitFor()
  const row = page.locator('[data-testid="student-row"]').first()
  const number = (await row.locator('[data-testid="student-trend-link"]').innerText()).trim()
  const name = (await row.locator('[data-testid="student-name"]').innerText()).trim()
  const listedPercentile = (await row.locator('[data-testid="student-percentile"]').innerText()).trim()
  await row.locator('[data-testid="student-name"]').click()
  await page.waitForURL(new RegExp(`/exams/${demo.id}/students/${number}$`))

  // One point per demo exam, oldest first, as the API answers.
  const trendPage = page.locator('[data-testid="student-trend"][data-ready="true"]')
  await trendPage.waitFor()
  const api = await principal.get(`/api/v1/exams/${demo.id}/students/${number}/trend`)
  assert.equal(api.points.length, scored.length)
  // The list's 总分 percentile is the trend's for the same exam.
  const here = api.points.find((p) => p.exam_id === demo.id).scores.find((s) => s.subject === '总分')
  assert.equal(listedPercentile, String(here.percentile ?? '—'))
  assert.equal(Number(await trendPage.getAttribute('data-points')), scored.length)
  assert.deepEqual(
    api.points.map((p) => p.held_on),
    [...api.points.map((p) => p.held_on)].sort(),
  )
  assert.equal((await page.locator('[data-testid="trend-number"]').innerText()).trim(), number)
  assert.equal((await page.locator('[data-testid="trend-name"]').innerText()).trim(), name)
  const chart = page.locator('[data-testid="trend-chart"][data-rendered="true"]')
  await chart.locator('canvas').first().waitFor()
  const box = await chart.boundingBox()
  assert.ok(box && box.width > 300 && box.height > 200, 'the trend chart has no size')
  // Exam × subject rows; each subject's change is shown.
  const subjects = api.subjects.length
  assert.equal(await page.locator('[data-testid="trend-row"]').count(), scored.length * subjects)
  assert.equal(await page.locator('[data-testid="trend-change"]').count(), subjects)
  const tableText = await page.locator('[data-testid="trend-table"]').innerText()
  for (const x of scored) assert.ok(tableText.includes(x.name), `${x.name} is not in the table`)
  await page.screenshot({ path: `${RESULTS}student-trend-all.png`, fullPage: true })
  const total = api.points[api.points.length - 1].scores.find((s) => s.subject === '总分')
  if (total.exam_rank > 0) assert.ok(tableText.includes(`${total.exam_rank} / ${total.exam_n}`), 'the exam rank is not shown out of the number ranked')

  // One subject, by exam rank: the chart redraws, the table narrows.
  await page.locator('[data-testid="trend-subject"]').getByText('总分', { exact: true }).click()
  await page.locator('[data-testid="trend-metric"]').getByText('联考名次', { exact: true }).click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trend-row"]').length === n, scored.length)
  await chart.locator('canvas').first().waitFor()
  await page.screenshot({ path: `${RESULTS}student-trend.png`, fullPage: true })

  // The table exports to Excel.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="trend-table-export"]').click()])
  assert.match(download.suggestedFilename(), /\.xlsx$/)

  // Back to the students tab.
  await page.locator('[data-testid="trend-back"]').click()
  await page.waitForURL(new RegExp(`/exams/${demo.id}/report\\?tab=students`))
  assertClean()
})

/**
 * The principal's own school export: no 学校 column (the file is named
 * 总分, a report name), class codes, and in a few rows 姓名 and 班级
 * swapped. The reader asks which rows are swapped; the principal answers
 * on the page, confirms stage and full marks, and imports.
 */
test('a principal answers the swapped-columns question and imports their school', async (t) => {
  const jijiao = await apiAs('jijiao')
  t.after(() => jijiao.dispose())
  const name = `E2E本校上传 ${Date.now()}`
  const made = await jijiao.post('/api/v1/exams', {
    name,
    term: '2026-2027学年第一学期',
    held_on: '2026-11-20',
    stage: '小学',
    spec: { subjects: [{ name: '语文', full: 100 }, { name: '数学', full: 100 }] },
  })
  assert.equal(made.status, 201)
  const examId = made.body.id

  const lines = ['考号,姓名,班级,语文,数学']
  for (let i = 0; i < 12; i++) {
    let [who, cls] = [`学生${String.fromCharCode(0x7532 + i)}`, `30${(i % 2) + 1}`]
    if (i % 4 === 0) [who, cls] = [cls, who]
    lines.push(`E2EP${String(i).padStart(3, '0')},${who},${cls},${70 + i},${80 + i}`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'edugroup-exams-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, '总分.csv')
  writeFileSync(file, `${lines.join('\n')}\n`)

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'principal')
  await page.goto(`${BASE}/exams/${examId}/import`)
  await page.locator('[data-testid="import-page"]').waitFor()
  let seen = await answers(page)
  await page.locator('[data-testid="import-file"] input[type="file"]').setInputFiles(file)
  await nextAnswer(page, seen)
  const question = page.locator('[data-testid="import-question"]')
  await question.waitFor()
  assert.equal(await question.getAttribute('data-key'), 'examfile.ask.swapped_columns')
  assert.equal(await page.locator('[data-testid="answer-swapped-row"]').count(), 1)
  assert.ok(await page.locator('[data-testid="import-submit"]').isDisabled(), 'a file with an open question can be imported')
  await page.screenshot({ path: `${RESULTS}exam-import-question.png`, fullPage: true })

  seen = await answers(page)
  await page.locator('[data-testid="answer-submit"]').click()
  await nextAnswer(page, seen)
  await question.waitFor({ state: 'detached' })
  const preview = page.locator('[data-testid="import-preview"]')
  assert.equal(Number(await preview.getAttribute('data-students')), 12)
  assert.equal(Number(await preview.getAttribute('data-invalid')), 0)
  const stage = page.locator('[data-testid="preview-stage"]')
  assert.equal(await stage.getAttribute('data-stage'), '小学')
  assert.equal(await stage.getAttribute('data-source'), 'exam')
  assert.match(await page.locator('[data-testid="preview-subjects"]').innerText(), /语文[\s\S]*100[\s\S]*81/)

  seen = await answers(page)
  await page.locator('[data-testid="import-submit"]').click()
  await nextAnswer(page, seen)
  await page.locator('[data-testid="import-result"]').waitFor()
  const principal = await apiAs('principal')
  t.after(() => principal.dispose())
  const students = await principal.get(`/api/v1/exams/${examId}/students?page_size=50`)
  assert.equal(students.total, 12)
  const classes = [...new Set(students.items.map((s) => s.class))].sort()
  assert.deepEqual(classes, ['三(1)班', '三(2)班'])

  // The data-quality tab lists the part with the reader's decisions.
  await page.goto(`${BASE}/exams/${examId}/report?tab=quality`)
  await page.locator('[data-testid="exam-report"][data-ready="true"]').waitFor()
  const imports = page.locator('[data-testid="quality-import"]')
  await imports.first().waitFor()
  assert.equal(await imports.count(), 1)
  await imports.first().locator('.el-collapse-item__header').click()
  await page.locator('[data-testid="quality-imports"]').getByText('导入时指定').first().waitFor()
  assert.match(await page.locator('[data-testid="quality-imports"]').innerText(), /学段：小学（考试设置）/)
  assertClean()
})
