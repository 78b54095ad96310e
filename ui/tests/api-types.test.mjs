// The committed src/api/schema.d.ts is what openapi-typescript makes of the
// committed src/api/openapi.json (the server's document, which a Go test
// keeps equal to the route table). Run with `npm test`; `make api` rewrites
// both files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ui = new URL('..', import.meta.url).pathname

test('the generated API types match the OpenAPI document', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edugroup-api-'))
  try {
    const out = join(dir, 'schema.d.ts')
    execFileSync(join(ui, 'node_modules/.bin/openapi-typescript'), ['src/api/openapi.json', '-o', out], { cwd: ui, stdio: 'pipe' })
    const want = readFileSync(out, 'utf8')
    const got = readFileSync(join(ui, 'src/api/schema.d.ts'), 'utf8')
    assert.ok(got === want, 'src/api/schema.d.ts is stale: run `npm run gen:api` (or `make api`) and commit it')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
