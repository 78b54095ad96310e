// The browser-side workbook writer neutralizes text the way the server's
// exports do (internal/xlsx Neutralize) and keeps numbers as numbers.
// Run with `npm test` (node --test); xlsx.ts is transpiled on the fly.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import ts from 'typescript'

const src = readFileSync(new URL('../src/components/exams/xlsx.ts', import.meta.url), 'utf8')
const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
const { neutralize, workbook } = await import('data:text/javascript,' + encodeURIComponent(js))

test('text that Excel would read as a formula gets a leading apostrophe', () => {
  for (const s of ['=1+1', '+86', '-2', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")']) assert.equal(neutralize(s), `'${s}`)
  for (const s of ['', 'a=1', '张三', "'=1", ' =1', '\nx', '1-2']) assert.equal(neutralize(s), s)
})

test('the sheet holds neutralized text and numbers as numbers', async () => {
  const blob = workbook('s', ['h'], [['=1+1', -3, '-3', '@x', 'plain', 2.5]])
  // Entries are stored uncompressed, so the sheet XML is in the bytes.
  const xml = new TextDecoder().decode(new Uint8Array(await blob.arrayBuffer()))
  assert.match(xml, /<t xml:space="preserve">'=1\+1<\/t>/)
  assert.match(xml, /<t xml:space="preserve">'-3<\/t>/)
  assert.match(xml, /<t xml:space="preserve">'@x<\/t>/)
  assert.match(xml, /<t xml:space="preserve">plain<\/t>/)
  assert.match(xml, /<c r="B2"><v>-3<\/v><\/c>/)
  assert.match(xml, /<c r="F2"><v>2.5<\/v><\/c>/)
  assert.doesNotMatch(xml, /<f>/)
})
