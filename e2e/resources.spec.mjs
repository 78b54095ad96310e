// Browser tests of the teaching-resource library, against a live
// `edugroup serve --demo`.
//
// A member school's teacher uploads a 微课 and submits it; the school and the
// group accept it from their review pages; a teacher of another member
// school finds it by a word of its title, plays it and seeks in it (HTTP
// Range); the use shows on the group's reach view. The library and the
// detail page fit a 390 px phone.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BASE, PHONE, RESULTS, useBrowser, openPage, signIn, apiAs, field } from './lib.mjs'

useBrowser()

// A six-second test pattern; without ffmpeg the head of an MP4 (stored and
// found, but the seek step is skipped).
function makeVideo() {
  const dir = mkdtempSync(join(tmpdir(), 'edugroup-e2e-'))
  const out = join(dir, 'weike.mp4')
  try {
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=6:size=320x180:rate=15', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
      '-movflags', '+faststart', '-y', out])
    return { path: out, playable: true }
  } catch {
    return { path: out, playable: false, buffer: Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2', 'latin1'), Buffer.alloc(2048)]) }
  }
}

const stamp = String(Date.now()).slice(-6)
const word = `春晓古诗${stamp}`
const title = `《${word}》朗读指导微课`
let resourceId = 0
const video = makeVideo()

test('a member school teacher uploads a 微课 and submits it', async (t) => {
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher')
  await page.goto(`${BASE}/resources/new`)
  await page.locator('[data-testid="resource-form"]').waitFor()
  await field(page, 'form-title').fill(title)
  await field(page, 'form-tags').fill('古诗 朗读')
  const input = page.locator('[data-testid="form-file"]')
  if (video.buffer) await input.setInputFiles({ name: 'weike.mp4', mimeType: 'video/mp4', buffer: video.buffer })
  else await input.setInputFiles(video.path)
  await page.locator('[data-testid="form-save-submit"]').click()
  await page.waitForURL(/\/resources\/\d+$/)
  resourceId = Number(new URL(page.url()).pathname.split('/').pop())
  await page.locator('[data-testid="detail-status"][data-status="pending"]').waitFor()
  assert.equal(await page.locator('[data-testid="detail-title"]').innerText(), title)
  assertClean()
})

test('the school and then the group accept it from their review queues', async (t) => {
  assert.ok(resourceId, 'uploaded')
  for (const [user, label] of [['principal', 'school'], ['groupadmin', 'group']]) {
    const { page, assertClean } = await openPage(t)
    await signIn(page, user)
    await page.goto(`${BASE}/resources/review`)
    const card = page.locator(`[data-testid="resource-card"][href="/resources/${resourceId}"]`)
    await card.waitFor()
    await card.click()
    await page.locator('[data-testid="action-accept"]').click()
    await page.locator(`[data-testid="detail-label"][data-label="${label}"]`).waitFor()
    assertClean()
    await page.context().close()
  }
  const teacher = await apiAs('teacher')
  try {
    const d = await teacher.get(`/api/v1/resources/${resourceId}`)
    assert.equal(d.status, 'accepted')
    assert.equal(d.label, 'group')
  } finally {
    await teacher.dispose()
  }
})

test('a teacher of another member school finds it by a word of its title and plays it with seeking', async (t) => {
  assert.ok(resourceId, 'uploaded')
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'teacher2')
  await page.goto(`${BASE}/resources`)
  await field(page, 'resource-q').fill(word)
  await page.locator('[data-testid="resource-search"]').click()
  const card = page.locator(`[data-testid="resource-card"][href="/resources/${resourceId}"]`)
  await card.waitFor()
  await card.click()
  const player = page.locator('[data-testid="player"]')
  await player.waitFor()
  if (video.playable) {
    const ranges = []
    page.on('request', (r) => {
      if (r.url().includes(`/resources/${resourceId}/file`) && r.headers().range) ranges.push(r.headers().range)
    })
    await page.waitForFunction(() => document.querySelector('[data-testid="player"]').readyState >= 1)
    const at = await player.evaluate(
      (v) =>
        new Promise((resolve, reject) => {
          v.addEventListener('seeked', () => resolve(v.currentTime), { once: true })
          v.addEventListener('error', () => reject(new Error('video error')), { once: true })
          v.currentTime = 4
        }),
    )
    assert.ok(Math.abs(at - 4) < 0.6, `seeked to ${at}`)
    const duration = await player.evaluate((v) => v.duration)
    assert.ok(duration > 5 && duration < 7, `duration ${duration}`)
  }
  await page.locator('[data-testid="detail-usage"]').waitFor()
  await page.screenshot({ path: `${RESULTS}resources-detail.png`, fullPage: true })
  assertClean()
})

test('the use shows on the group\'s reach view', async (t) => {
  const t2 = await apiAs('teacher2')
  let school
  try {
    const u = await t2.get(`/api/v1/resources/${resourceId}/usage`)
    school = u.schools.find((s) => s.views > 0)?.school_id
    assert.ok(school, 'the view was counted for teacher2\'s school')
  } finally {
    await t2.dispose()
  }
  const { page, assertClean } = await openPage(t)
  await signIn(page, 'groupadmin')
  await page.goto(`${BASE}/resources/reach`)
  const total = page.locator(`[data-testid="reach-total"][data-school="${school}"]`)
  await total.waitFor()
  assert.ok(Number(await total.innerText()) >= 1, 'reach counts the member school\'s use')
  await page.screenshot({ path: `${RESULTS}resources-reach.png`, fullPage: true })
  assertClean()
})

test('the library and a resource fit a 390 px phone', async (t) => {
  const { page, assertClean } = await openPage(t, { device: PHONE })
  await signIn(page, 'teacher2')
  for (const path of ['/resources', `/resources/${resourceId}`, '/resources/coverage']) {
    await page.goto(`${BASE}${path}`)
    await page.locator('[data-testid="resource-card"], [data-testid="detail-title"], [data-testid="coverage-table"]').first().waitFor()
    await page.waitForTimeout(300)
    const over = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
    assert.ok(over <= 1, `${path} scrolls sideways by ${over}px`)
    await page.screenshot({ path: `${RESULTS}phone-resources${path.replace(/\//g, '-')}.png`, fullPage: true })
  }
  assertClean()
})

