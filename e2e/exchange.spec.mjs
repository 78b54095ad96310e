// Browser tests of the exchanges (跟岗学习 and its approval chain), run
// against a live `edugroup serve --demo` like login.spec.mjs.
//
//   EDUGROUP_URL             base URL of the running server (default http://127.0.0.1:18080)
//   EDUGROUP_DEMO_PASSWORD   password of the demo accounts (default Demo@2026)
//   CHROMIUM_PATH            system Chromium (default /usr/bin/chromium); no browser is downloaded
//
// The first test walks one application through every step in the browser:
// the teacher applies (the rules are checked live) and submits, the principal
// endorses with the cover arrangement, the group admin consents as the host,
// 基教股 reviews, 人事股 approves, the principal confirms the return, and the
// approval form prints. The second shows the one-vote veto to the principal.
// The third is a 团队进驻: the lead school's admin sends two of its cadres to
// the principal's school, the team reports once at work, and the principal
// answers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { BASE, RESULTS, useBrowser, openPage, signIn, apiAs, field } from './lib.mjs'


useBrowser()

async function displayName(username) {
  const api = await apiAs(username)
  try {
    return (await api.get('/api/v1/session')).user.display_name
  } finally {
    await api.dispose()
  }
}

const pad = (n) => String(n).padStart(2, '0')
/** A local calendar date n days from today. */
function day(n) {
  const d = new Date()
  d.setDate(d.getDate() + n)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

async function fillDate(page, testid, value) {
  const input = field(page, testid)
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  await page.keyboard.press('Escape').catch(() => {})
}

/** Opens an el-select and picks the visible option containing text. */
async function pick(page, testid, optionTestid, text, typed) {
  await page.locator(`[data-testid="${testid}"]`).click()
  if (typed) await page.locator(`[data-testid="${testid}"] input`).fill(typed)
  const option = page.locator(`[data-testid="${optionTestid}"]:visible`, { hasText: text }).first()
  await option.waitFor()
  await option.click()
}

/** Waits for the live rule checks of the application form to answer. */
async function liveChecks(page) {
  await page.locator('[data-testid="apply-checks"][data-state="done"]').waitFor()
  await page.locator('[data-testid="apply-checks"] [data-testid="rule-check"]').first().waitFor()
  return page.locator('[data-testid="apply-checks"] [data-testid="rule-check"]').evaluateAll((els) =>
    els.map((e) => ({ rule: e.dataset.rule, result: e.dataset.result, message: e.querySelector('[data-testid="rule-message"]')?.textContent?.trim() })),
  )
}

/** Opens the exchange, runs one action through its dialog and waits for the new status. */
async function act(page, id, action, fill, status) {
  if (!new URL(page.url()).pathname.endsWith(`/exchanges/${id}`)) await page.goto(`${BASE}/exchanges/${id}`)
  await page.locator('[data-testid="exchange-detail"]').waitFor()
  const button = page.locator(`[data-testid="action-${action}"]`)
  await button.waitFor()
  await button.click()
  const dialog = page.locator(`[data-testid="action-dialog"][data-action="${action}"]`)
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await dialog.locator('[data-testid="action-submit"]').click()
  // Either the dialog closes on the new status or it shows the server's refusal.
  const outcome = await page.waitForFunction(
    ({ action, status }) => {
      const d = document.querySelector(`[data-testid="action-dialog"][data-action="${action}"]`)
      const err = d?.querySelector('[data-testid="action-error"]')
      if (err) return `error: ${err.textContent.trim()}`
      const closed = !d || d.getClientRects().length === 0
      return closed && document.querySelector(`[data-testid="exchange-status"][data-status="${status}"]`) ? 'done' : false
    },
    { action, status },
  )
  assert.equal(await outcome.jsonValue(), 'done', action)
}

async function stepActions(page) {
  return page.locator('[data-testid="exchange-step"]').evaluateAll((els) => els.map((e) => e.dataset.action))
}

test('a teacher applies for 跟岗学习 at the lead school; it is endorsed, reviewed, approved, returned and printed', async (t) => {
  // The teacher's group and its lead school, as the bureau leader sees them.
  const leader = await apiAs('leader')
  t.after(() => leader.dispose())
  const teacherApi = await apiAs('teacher')
  t.after(() => teacherApi.dispose())
  const me = (await teacherApi.get('/api/v1/staff')).items[0]
  assert.ok(me, 'the teacher has no staff record')
  const home = await leader.get(`/api/v1/schools/${me.school_id}`)
  assert.ok(home.group_id, 'the teacher\'s school is in no group')
  const group = await leader.get(`/api/v1/groups/${home.group_id}`)
  assert.ok(group.lead_school_id && group.lead_school_id !== me.school_id, 'the teacher\'s school leads its group')
  const start = day(-6)
  const end = day(-3)
  const cover = 'e2e：语文课由同年级王老师代课，班主任工作由副班主任负责'

  // 1. The teacher fills in the form; the rules are checked as the fields change.
  const teacher = await openPage(t)
  let page = teacher.page
  await signIn(page, 'teacher')
  await page.locator('[data-testid="menu-exchangeApply"]').click()
  await page.waitForURL(`${BASE}/exchanges/new`)
  await page.locator('[data-testid="apply-kind-study"]').click()
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="apply-self"] input, input[data-testid="apply-self"]')
    return el && el.value.trim().length > 0
  })
  assert.ok((await field(page, 'apply-self').inputValue()).includes(me.name), 'the form is not for the teacher')
  await pick(page, 'apply-host', 'apply-host-option', group.lead_school_name)
  await fillDate(page, 'apply-start', start)
  await fillDate(page, 'apply-end', end)
  await page.locator('[data-testid="apply-days"]', { hasText: '4' }).waitFor()
  const checks = await liveChecks(page)
  const rules = checks.map((c) => c.rule)
  for (const r of ['duration_max', 'same_group', 'quota_teacher', 'veto_ethics', 'overlap']) assert.ok(rules.includes(r), `no live check of ${r}: ${rules}`)
  const failing = checks.filter((c) => c.result === 'fail')
  assert.deepEqual(failing, [], 'the teacher\'s application fails a rule')
  assert.ok(checks.every((c) => c.message), 'a check without its message')
  await field(page, 'apply-purpose').fill('e2e：跟岗学习牵头校语文组的集体备课与课堂教学')
  await page.screenshot({ path: `${RESULTS}exchange-apply-live-checks.png`, fullPage: true })
  await page.locator('[data-testid="apply-submit"]').click()
  await page.waitForURL(/\/exchanges\/\d+$/)
  await page.locator('[data-testid="exchange-status"][data-status="submitted"]').waitFor()
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  assert.deepEqual(await stepActions(page), ['create', 'submit'])
  teacher.assertClean()

  // 2. The principal of the home school finds it in the to-do list and endorses it with the cover arrangement.
  const principal = await openPage(t)
  page = principal.page
  await signIn(page, 'principal')
  const badge = page.locator('[data-testid="inbox-badge"]')
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="inbox-badge"]')?.dataset.count || 0) > 0)
  assert.ok(Number(await badge.getAttribute('data-count')) >= 1, 'no to-do count in the menu')
  await page.locator('[data-testid="menu-exchangeInbox"]').click()
  await page.waitForURL(`${BASE}/exchanges/inbox`)
  await page.locator('[data-testid="inbox-table"][data-ready="true"]').waitFor()
  await page.locator(`[data-testid="inbox-link"][data-id="${id}"]`).click()
  await page.waitForURL(`${BASE}/exchanges/${id}`)
  await act(page, id, 'endorse_home', (d) => field(d, 'action-cover').fill(cover), 'submitted')
  assert.equal((await page.locator('[data-testid="exchange-cover"]').innerText()).trim(), cover)
  assert.equal(await page.locator('[data-testid="action-endorse_home"]').count(), 0, 'the home school can endorse twice')
  principal.assertClean()

  // 3. The group admin consents for the host (the lead school).
  const groupadmin = await openPage(t)
  await signIn(groupadmin.page, 'groupadmin')
  await act(groupadmin.page, id, 'endorse_host', null, 'endorsed')
  groupadmin.assertClean()

  // 4. 基教股 reviews.
  const jijiao = await openPage(t)
  await signIn(jijiao.page, 'jijiao')
  await jijiao.page.goto(`${BASE}/exchanges/${id}`)
  await jijiao.page.locator('[data-testid="exchange-checks"] [data-testid="rule-check"]').first().waitFor()
  assert.equal(await jijiao.page.locator('[data-testid="action-dialog"] [data-testid="action-exception"]').count(), 0)
  await act(jijiao.page, id, 'review', (d) => field(d, 'action-note').fill('e2e：同意'), 'reviewed')
  jijiao.assertClean()

  // 5. 人事股 approves (a teacher's exchange).
  const renshi = await openPage(t)
  await signIn(renshi.page, 'renshi')
  await act(renshi.page, id, 'approve', null, 'approved')
  renshi.assertClean()

  // 6. The home school confirms the return (the end date has passed).
  page = principal.page
  await page.goto(`${BASE}/exchanges/${id}`)
  await act(page, id, 'return', null, 'returned')
  assert.equal((await page.locator('[data-testid="exchange-returned-on"]').innerText()).trim(), end)
  const steps = await stepActions(page)
  assert.deepEqual(steps, ['create', 'submit', 'endorse.home', 'endorse.host', 'review', 'approve', 'return'])
  // … and gives the home school's view, one of the three evaluations.
  const view = 'e2e：返岗后在校内上了汇报课，带回集体备课做法'
  await act(
    page,
    id,
    'evaluate_home',
    async (d) => {
      await d.locator('[data-testid="action-rating-good"]').click()
      await field(d, 'action-comment').fill(view)
    },
    'returned',
  )
  await page.locator('[data-testid="exchange-evaluations"] [data-party="home"]', { hasText: view }).waitFor()
  await page.screenshot({ path: `${RESULTS}exchange-detail-returned.png`, fullPage: true })

  // 7. The approval form: every step with its person, laid out for A4.
  await page.goto(`${BASE}/exchanges/${id}/print`)
  await page.locator('[data-testid="print-view"][data-ready="true"]').waitFor()
  assert.equal((await page.locator('[data-testid="print-title"]').innerText()).replace(/\s/g, ''), '跟岗学习审批表')
  assert.equal((await page.locator('[data-testid="print-name"]').innerText()).trim(), me.name)
  assert.equal((await page.locator('[data-testid="print-cover"]').innerText()).trim(), cover)
  const printed = await page.locator('[data-testid="print-step"]').evaluateAll((els) => els.map((e) => e.dataset.action))
  assert.deepEqual(printed, ['submit', 'endorse.home', 'endorse.host', 'review', 'approve', 'return', 'evaluate.home'])
  const rows = await page.locator('[data-testid="print-step"]').allInnerTexts()
  for (const user of ['principal', 'groupadmin', 'jijiao', 'renshi']) {
    const who = await displayName(user)
    assert.ok(rows.some((r) => r.includes(who)), `${who} (${user}) is not on the printed form`)
  }
  await page.screenshot({ path: `${RESULTS}exchange-print.png`, fullPage: true })
  await page.emulateMedia({ media: 'print' })
  assert.ok(!(await page.locator('[data-testid="print-button"]').isVisible()), 'the toolbar prints')
  const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-')
  writeFileSync(`${RESULTS}exchange-approval-form.pdf`, pdf)
  principal.assertClean()

  // The ledger lists it as returned.
  await page.emulateMedia({ media: 'screen' })
  await page.goto(`${BASE}/exchanges?q=${encodeURIComponent(me.staff_no)}`)
  await page.locator('[data-testid="exchange-pager"][data-ready="true"]').waitFor()
  await page.locator(`[data-testid="exchange-row"] [data-testid="exchange-row-status"][data-status="returned"]`).first().waitFor()
})

test('the principal starting an application for a colleague with an ethics finding sees the one-vote veto', async (t) => {
  const api = await apiAs('principal')
  t.after(() => api.dispose())
  const session = await api.get('/api/v1/session')
  const schoolId = session.grants.find((g) => g.id === session.active_grant_id)?.scope_id
  assert.ok(schoolId, 'the principal has no school')
  const school = await api.get(`/api/v1/schools/${schoolId}`)
  const group = await api.get(`/api/v1/groups/${school.group_id}`)
  const host = group.members.find((m) => m.school_id !== schoolId)
  const staff = (await api.get(`/api/v1/staff?school_id=${schoolId}&status=active&page_size=200`)).items
  const teacherApi = await apiAs('teacher')
  t.after(() => teacherApi.dispose())
  const teacherStaff = (await teacherApi.get('/api/v1/staff')).items[0]

  // The demo county has someone with an ethics finding in effect; find them by the rules themselves.
  const probe = { kind: 'study', host_school_id: host.school_id, start_on: day(20), end_on: day(24), purpose: 'e2e' }
  let vetoed = null
  for (const s of staff) {
    const r = await api.post('/api/v1/exchanges/check', { ...probe, staff_id: s.id })
    if (r.status === 200 && r.body.checks.some((c) => c.rule === 'veto_ethics' && c.result === 'fail')) {
      vetoed = s
      break
    }
  }
  if (!vetoed) {
    // Not in this demo data: record a finding in effect for a colleague (not the teacher account).
    vetoed = staff.filter((s) => s.id !== teacherStaff?.id && !s.is_cadre).pop()
    const r = await api.post(`/api/v1/staff/${vetoed.id}/records`, {
      kind: 'ethics',
      occurred_on: day(-30),
      authority: '县教体局',
      doc_no: '怀教〔2026〕e2e号',
      effective_from: day(-30),
      effective_to: null,
      school_year: '',
      days: 0,
      note: 'e2e：有偿家教查处',
    })
    assert.equal(r.status, 201, `ethics record: ${JSON.stringify(r.body)}`)
    t.diagnostic(`no vetoed staff in the demo data; recorded an ethics finding for ${vetoed.name}`)
  }

  const { page, assertClean } = await openPage(t)
  await signIn(page, 'principal')
  await page.locator('[data-testid="menu-exchangeApply"]').click()
  await page.waitForURL(`${BASE}/exchanges/new`)
  await page.locator('[data-testid="apply-kind-study"]').click()
  await pick(page, 'apply-staff', 'apply-staff-option', vetoed.staff_no, vetoed.name)
  await page.locator('[data-testid="apply-person-info"]').waitFor()
  await pick(page, 'apply-host', 'apply-host-option', host.school_name)
  await fillDate(page, 'apply-start', probe.start_on)
  await fillDate(page, 'apply-end', probe.end_on)
  const checks = await liveChecks(page)
  const veto = checks.find((c) => c.rule === 'veto_ethics')
  assert.ok(veto, `no ethics check: ${JSON.stringify(checks)}`)
  assert.equal(veto.result, 'fail')
  assert.ok(veto.message.includes('一票否决'), `the veto does not name its clause: ${veto.message}`)
  // The clause, never the record behind it.
  assert.ok(!veto.message.includes('e2e'), 'the underlying record is shown')
  await page.locator('[data-testid="checks-summary"][data-ok="false"]').waitFor()
  assert.ok(await page.locator('[data-testid="apply-submit"]').isDisabled(), 'a vetoed application can be submitted')
  await page.screenshot({ path: `${RESULTS}exchange-apply-veto.png`, fullPage: true })
  assertClean()
})

test('the lead school sends a 团队进驻 to a member school; the team reports and the member school answers', async (t) => {
  // The lead school (leadadmin's) and the member school (principal's) of one group.
  const lead = await apiAs('leadadmin')
  t.after(() => lead.dispose())
  const principalApi = await apiAs('principal')
  t.after(() => principalApi.dispose())
  const scopeOf = (s) => s.grants.find((g) => g.id === s.active_grant_id)?.scope_id
  const leadSchoolId = scopeOf(await lead.get('/api/v1/session'))
  const hostId = scopeOf(await principalApi.get('/api/v1/session'))
  assert.ok(leadSchoolId && hostId, 'leadadmin or principal has no school')
  const leadSchool = await lead.get(`/api/v1/schools/${leadSchoolId}`)
  const group = await lead.get(`/api/v1/groups/${leadSchool.group_id}`)
  assert.equal(group.lead_school_id, leadSchoolId, 'leadadmin does not run the lead school of its group')
  const host = group.members.find((m) => m.school_id === hostId)
  assert.ok(host && host.role === 'member', 'the principal\'s school is not a member school of the lead school\'s group')

  // A 跟岗锻炼 lasts at most 14 days. The team starts yesterday, so it may be
  // marked under way (and report) today even where the server's China-time
  // date is already tomorrow. 团队进驻 is 跟岗锻炼, which the 跟岗学习 quotas
  // of the other tests do not count.
  const start = day(-1)
  const end = day(8)
  const goal = 'e2e：诊断成员校课堂教学与教研制度，提出改进建议'
  // Two cadres of the lead school whom every rule lets go (the demo's own
  // team and the closed 跟岗锻炼 hold some of them back): found by the rules themselves.
  const cadres = (await lead.get(`/api/v1/staff?school_id=${leadSchoolId}&status=active&page_size=200`)).items.filter((s) => s.is_cadre)
  const chosen = []
  for (const c of cadres) {
    const r = await lead.post('/api/v1/exchanges/check', { kind: 'training', staff_id: c.id, host_school_id: hostId, start_on: start, end_on: end, purpose: goal })
    assert.equal(r.status, 200, `check for ${c.name}: ${JSON.stringify(r.body)}`)
    if (r.body.ok) chosen.push(c)
    if (chosen.length === 2) break
  }
  assert.equal(chosen.length, 2, `fewer than two lead-school cadres may go: ${cadres.map((c) => c.name)}`)
  const name = `e2e 教学诊断团队 ${Date.now()}`

  // 1. leadadmin builds the team in the 团队进驻 page; each member's rules are checked live.
  const leadPage = await openPage(t)
  let page = leadPage.page
  await signIn(page, 'leadadmin')
  await page.locator('[data-testid="menu-exchangeTeams"]').click()
  await page.waitForURL(`${BASE}/exchange-teams`)
  await page.locator('[data-testid="teams-table"][data-ready="true"]').waitFor()
  await page.locator('[data-testid="team-create"]').click()
  const dialog = page.locator('[data-testid="team-dialog"]')
  await dialog.waitFor()
  await field(dialog, 'team-name').fill(name)
  await pick(page, 'team-host', 'team-host-option', host.school_name)
  // Escape would close the dialog: a click on its title closes the pickers instead.
  const title = dialog.locator('.el-dialog__title')
  for (const [testid, value] of [['team-start', start], ['team-end', end]]) {
    const input = field(page, testid)
    await input.click()
    await input.fill(value)
    await input.press('Enter')
    await title.click()
  }
  await page.locator('[data-testid="team-members"]').click()
  for (const c of chosen) await page.locator(`[data-testid="team-member-option"][data-id="${c.id}"]:visible`).click()
  await title.click()
  await field(dialog, 'team-goal').fill(goal)
  for (const c of chosen) await page.locator(`[data-testid="team-member-check"][data-id="${c.id}"][data-state="pass"]`).waitFor()
  await page.screenshot({ path: `${RESULTS}exchange-team-create.png`, fullPage: true })
  await page.locator('[data-testid="team-submit"]').click()

  // 2. The team opens: both cadres' 跟岗锻炼 are submitted, for the period asked.
  await page.waitForURL(/\/exchange-teams\/\d+$/)
  const teamId = Number(new URL(page.url()).pathname.split('/').pop())
  await page.locator('[data-testid="team-title"]', { hasText: name }).waitFor()
  assert.equal(await page.locator('[data-testid="team-detail-stage"]').getAttribute('data-stage'), 'approval')
  assert.equal((await page.locator('[data-testid="team-period"]').innerText()).trim(), `${start} ~ ${end}`)
  assert.equal((await page.locator('[data-testid="team-member-count"]').innerText()).trim(), '2')
  const memberStates = async () =>
    page.locator('[data-testid="team-member-row"]').evaluateAll((rows) =>
      rows.map((r) => ({
        staff: Number(r.querySelector('[data-testid="team-member-name"]')?.dataset.staffId),
        status: r.querySelector('[data-testid="team-member-status"]')?.dataset.status,
      })),
    )
  assert.deepEqual(await memberStates(), chosen.map((c) => ({ staff: c.id, status: 'submitted' })))
  // The status tags zoom in: let them finish before the picture.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="team-member-status"]')].every((el) => el.getAnimations().length === 0))
  await page.screenshot({ path: `${RESULTS}exchange-team-submitted.png`, fullPage: true })
  // Nothing to report before the team is at work.
  assert.equal(await page.locator('[data-testid="team-report"]').count(), 0, 'a report before the team is at work')
  // The list shows it with its host and members.
  await page.locator('[data-testid="menu-exchangeTeams"]').click()
  await page.waitForURL(`${BASE}/exchange-teams`)
  await page.locator('[data-testid="teams-table"][data-ready="true"]').waitFor()
  const row = page.locator('[data-testid="team-row"]', { has: page.locator(`[data-testid="team-link"][data-id="${teamId}"]`) })
  await row.waitFor()
  const rowText = await row.innerText()
  for (const want of [name, host.school_name, start, end]) assert.ok(rowText.includes(want), `the list row lacks ${want}: ${rowText}`)
  assert.equal(await row.locator('[data-testid="team-stage"]').getAttribute('data-stage'), 'approval', 'a team just sent is not in approval')
  leadPage.assertClean()

  // 3. Each member's 跟岗锻炼 goes through the approval chain (walked in the
  // browser by the first test): the lead school endorses with the cover
  // arrangement, the member school consents as the host, 基教股 reviews,
  // 干部股 approves (cadres), and the lead school marks it under way.
  const jijiao = await apiAs('jijiao')
  t.after(() => jijiao.dispose())
  const ganbu = await apiAs('ganbu')
  t.after(() => ganbu.dispose())
  const team = await lead.get(`/api/v1/exchange-teams/${teamId}`)
  for (const x of team.members) {
    let version = x.version
    for (const [api, action, body, status] of [
      [lead, 'endorse', { party: 'home', cover_arrangement: 'e2e：分管工作由副校长代管' }, 'submitted'],
      [principalApi, 'endorse', { party: 'host' }, 'endorsed'],
      [jijiao, 'review', { note: 'e2e：同意' }, 'reviewed'],
      [ganbu, 'approve', {}, 'approved'],
      [lead, 'start', {}, 'underway'],
    ]) {
      const r = await api.post(`/api/v1/exchanges/${x.id}/${action}`, { ...body, version })
      assert.equal(r.status, 200, `${action} of ${x.staff_name}: ${JSON.stringify(r.body)}`)
      assert.equal(r.body.status, status, `${action} of ${x.staff_name}`)
      version = r.body.version
    }
  }

  // 4. The team at work: leadadmin writes the diagnosis report and suggestions.
  const report = 'e2e：课堂以讲授为主，学生活动少；教研活动多为事务布置，缺少课例研讨。'
  const suggestions = 'e2e：一、建立每周集体备课制度；二、开展同课异构课例研讨。'
  await page.goto(`${BASE}/exchange-teams/${teamId}`)
  await page.locator('[data-testid="team-member-status"][data-status="underway"]').nth(1).waitFor()
  assert.deepEqual(await memberStates(), chosen.map((c) => ({ staff: c.id, status: 'underway' })))
  await page.locator('[data-testid="team-report"]').click()
  const reportDialog = page.locator('[data-testid="team-report-dialog"]')
  await reportDialog.waitFor()
  await field(reportDialog, 'team-report-text').fill(report)
  await field(reportDialog, 'team-suggestions-text').fill(suggestions)
  await reportDialog.locator('[data-testid="team-report-submit"]').click()
  await page.locator('[data-testid="team-report-body"]', { hasText: report }).waitFor()
  assert.equal((await page.locator('[data-testid="team-suggestions-body"]').innerText()).trim(), suggestions)
  assert.equal(await page.locator('[data-testid="team-respond"]').count(), 0, 'the sending school can answer its own report')
  leadPage.assertClean()

  // 5. The member school's admin finds the team waiting for its answer and gives it.
  const principal = await openPage(t)
  page = principal.page
  await signIn(page, 'principal')
  await page.locator('[data-testid="menu-exchangeTeams"]').click()
  await page.waitForURL(`${BASE}/exchange-teams`)
  await page.locator('[data-testid="teams-table"][data-ready="true"]').waitFor()
  const waiting = page.locator('[data-testid="team-row"]', { has: page.locator(`[data-testid="team-link"][data-id="${teamId}"]`) })
  assert.equal(await waiting.locator('[data-testid="team-stage"]').getAttribute('data-stage'), 'reported')
  // A member school does not send teams: no form for it.
  await page.locator('[data-testid="teams-page"][data-create-known="true"]').waitFor()
  assert.equal(await page.locator('[data-testid="team-create"]').count(), 0, 'a member school is offered the team form')
  await waiting.locator('[data-testid="team-link"]').click()
  await page.waitForURL(`${BASE}/exchange-teams/${teamId}`)
  await page.locator('[data-testid="team-report-body"]', { hasText: report }).waitFor()
  assert.equal(await page.locator('[data-testid="team-report"]').count(), 0, 'the member school can write the team\'s report')
  await page.locator('[data-testid="team-respond"]').click()
  const responseDialog = page.locator('[data-testid="team-response-dialog"]')
  await responseDialog.waitFor()
  const response = 'e2e：已制定整改计划，下周起每周三下午集体备课'
  await field(responseDialog, 'team-response-text').fill(response)
  await responseDialog.locator('[data-testid="team-response-submit"]').click()
  await page.locator('[data-testid="team-response-body"]', { hasText: response }).waitFor()
  assert.ok((await page.locator('[data-testid="team-response-card"]').innerText()).includes(await displayName('principal')), 'the answer does not name who gave it')
  await page.screenshot({ path: `${RESULTS}exchange-team-responded.png`, fullPage: true })
  await page.locator('[data-testid="menu-exchangeTeams"]').click()
  await page.locator('[data-testid="teams-table"][data-ready="true"]').waitFor()
  await page.locator(`[data-testid="team-row"]:has([data-testid="team-link"][data-id="${teamId}"]) [data-testid="team-stage"][data-stage="responded"]`).waitFor()
  principal.assertClean()
})
