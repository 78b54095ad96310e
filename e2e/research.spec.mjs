// Browser tests of 联合教研, against a live `edugroup serve --demo`.
//
// In the demo, yanzu (a lead-school teacher) leads the demo teacher's
// research group, whose weekly slot is Thursday periods 5–6; one small
// school's published timetable still has a member teaching then. The leader
// schedules a 集体备课 in the slot and sees that school named; the demo teacher, as 主备人,
// writes the first draft; the leader comments on a section and publishes
// version 2 as the shared plan; the teacher makes their 二次备课. Then an
// observer fills the 100-point sheet on a 390 px phone and writes feedback,
// which the observed teacher reads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, apiAs, field } from './lib.mjs'

useBrowser()

async function lookups() {
  const tc = await apiAs('teacher')
  try {
    const me = await tc.get('/api/v1/session')
    return { teacherName: me.user.display_name }
  } finally {
    await tc.dispose()
  }
}

test('a 集体备课 from the weekly slot to the teacher\'s 二次备课', async (t) => {
  const { teacherName } = await lookups()

  // 1. The leader schedules it in the slot: the conflicting school is named.
  const leader = await openPage(t)
  let page = leader.page
  await signIn(page, 'yanzu')
  await page.goto(`${BASE}/research/groups`)
  await page.locator('[data-testid="research-mine"]').click()
  await page.locator('[data-testid="research-group-link"]').first().click()
  await page.locator('[data-testid="research-group"] [data-testid="slot-check"][data-all-free="false"]').waitFor()
  await page.locator('[data-testid="prep-new"]').click()
  await field(page, 'prep-title').fill('第六单元 集体备课（浏览器测试）')
  await page.locator('[data-testid="prep-lead"]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: teacherName }).first().click()
  await page.locator('[data-testid="prep-create"]').click()
  await page.waitForURL(/\/research\/preps\/\d+$/)
  const prepUrl = page.url()
  const busy = page.locator('[data-testid="slot-check"][data-all-free="false"] [data-testid="slot-school"][data-free="false"]')
  await busy.first().waitFor()
  // The check reads each school's published timetable: the schools it finds
  // a member teaching in the slot are named, and only they.
  const yz = await apiAs('yanzu')
  let named
  try {
    const prep = await yz.get(`/api/v1/research/preps/${prepUrl.split('/').pop()}`)
    named = prep.check.schools.filter((s) => !s.free).map((s) => s.school_name)
  } finally {
    await yz.dispose()
  }
  assert.ok(named.length > 0, 'the demo slot has a conflict')
  assert.deepEqual(await busy.allInnerTexts(), named, 'the schools whose timetables hold the slot are named, and only they')
  await page.screenshot({ path: `${RESULTS}research-prep-scheduled.png`, fullPage: true })
  leader.assertClean()

  // 2. The 主备人 drafts (初备).
  const lead = await openPage(t)
  page = lead.page
  await signIn(page, 'teacher')
  await page.goto(prepUrl)
  await page.locator('[data-testid="prep-edit"]').click()
  await page.locator('[data-testid="prep-editor"]').waitFor()
  await field(page, 'editor-body-0').fill('理解课文内容，体会作者情感。')
  await field(page, 'editor-body-2').fill('一、导入\n二、初读\n三、精读\n四、练习')
  await page.locator('[data-testid="editor-save"]').click()
  await page.locator('[data-testid="research-prep"][data-version="1"]').waitFor()
  lead.assertClean()

  // 3. A member comments on a section; the leader publishes version 2.
  page = leader.page
  await page.goto(prepUrl)
  await field(page, 'comment-input-2').fill('精读环节增加小组合作')
  await page.locator('[data-testid="comment-send-2"]').click()
  await page.locator('[data-testid="section-2"] [data-testid="prep-comment"]', { hasText: '小组合作' }).waitFor()
  await page.locator('[data-testid="prep-edit"]').click()
  await field(page, 'editor-body-2').fill('一、导入\n二、初读\n三、精读：小组合作交流\n四、分层练习')
  await field(page, 'editor-note').fill('集体研讨后定稿')
  await page.locator('[data-testid="editor-publish"]').click()
  await page.locator('[data-testid="editor-save"]').click()
  await page.locator('[data-testid="research-prep"][data-version="2"][data-status="published"]').waitFor()
  assert.equal(await page.locator('[data-testid="prep-history-row"]').count(), 2, 'both versions are kept')
  leader.assertClean()

  // 4. The member makes a 二次备课 on the shared version.
  page = lead.page
  await page.goto(prepUrl)
  await page.locator('[data-testid="adapt-start"]').click()
  await field(page, 'adapt-body-2').fill('一、导入\n二、初读\n三、精读：小组合作，本班增加朗读指导\n四、分层练习')
  await field(page, 'adapt-reflection').fill('小组合作效果较好，时间偏紧。')
  await page.locator('[data-testid="adapt-save"]').click()
  await page.locator('[data-testid="adaptation-row"]', { hasText: teacherName }).waitFor()
  await page.screenshot({ path: `${RESULTS}research-prep-adapted.png`, fullPage: true })
  lead.assertClean()
})

test('an observer fills the rubric on a 390 px phone and the teacher reads the feedback', async (t) => {
  const yz = await apiAs('yanzu')
  let obs
  try {
    const list = await yz.get('/api/v1/research/observations')
    obs = list.find((o) => o.submitted < o.observers && o.rubric_kind === 'scored')
    assert.ok(obs, 'the demo leaves a lesson waiting for yanzu\'s sheet')
  } finally {
    await yz.dispose()
  }
  const phone = await openPage(t, { device: PHONE })
  const page = phone.page
  await signIn(page, 'yanzu')
  await page.goto(`${BASE}/research/observations/${obs.id}`)
  const form = page.locator('[data-testid="obs-form"]')
  await form.waitFor()
  const inputs = form.locator('[data-testid^="score-"] input')
  const n = await inputs.count()
  assert.ok(n >= 5, `the sheet has ${n} items`)
  for (let i = 0; i < n; i++) {
    await inputs.nth(i).fill('8')
    await inputs.nth(i).blur()
  }
  await page.locator('[data-testid="obs-total"]', { hasText: String(8 * n) }).waitFor()
  const over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
  assert.ok(over <= 1, `the observation sheet scrolls sideways by ${over}px`)
  await page.screenshot({ path: `${RESULTS}phone-research-sheet.png`, fullPage: true })
  await page.locator('[data-testid="obs-submit"]').click()
  await page.locator('[data-testid="obs-score"]', { hasText: /\d/ }).waitFor()
  await field(page, 'feedback-input').fill('目标清楚，建议增加学生展示时间。')
  await page.locator('[data-testid="feedback-save"]').click()
  await page.locator('[data-testid="obs-feedback"]', { hasText: '学生展示' }).waitFor()
  phone.assertClean()

  const teacher = await openPage(t, { device: PHONE })
  await signIn(teacher.page, 'teacher')
  await teacher.page.goto(`${BASE}/research/observations/${obs.id}`)
  await teacher.page.locator('[data-testid="obs-feedback"]', { hasText: '学生展示' }).waitFor()
  assert.equal(await teacher.page.locator('[data-testid="obs-form"]').count(), 0, 'the observed teacher has no sheet to fill')
  teacher.assertClean()
})

test('the organizer shows the sign-in QR code and a member signs in on the phone', async (t) => {
  const yz = await apiAs('yanzu')
  let act, path
  try {
    const list = await yz.get('/api/v1/research/activities')
    act = list.find((a) => new Date(a.starts_at) > new Date())
    assert.ok(act, 'the demo has an activity ahead')
    path = (await yz.get(`/api/v1/research/activities/${act.id}/sign-in-code`)).path
  } finally {
    await yz.dispose()
  }
  const org = await openPage(t)
  await signIn(org.page, 'yanzu')
  await org.page.goto(`${BASE}/research/activities/${act.id}`)
  await org.page.locator('[data-testid="act-schools"]').waitFor()
  await org.page.locator('[data-testid="act-show-code"]').click()
  await org.page.locator('[data-testid="act-qr"]').waitFor()
  org.assertClean()

  const phone = await openPage(t, { device: PHONE })
  await signIn(phone.page, 'teacher')
  await phone.page.goto(`${BASE}${path}`)
  await phone.page.locator('[data-testid="sign-in-ok"]').waitFor()
  await phone.page.goto(`${BASE}/research/activities/${act.id}`)
  await phone.page.locator('[data-testid="act-mine"][data-status="present"]').waitFor()
  phone.assertClean()
})
