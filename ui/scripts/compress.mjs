// Writes a brotli (.br) and a gzip (.gz) copy beside each text file of the
// built client, once, at build time: the Go server picks one by the request's
// Accept-Encoding and never compresses a static file while answering.
// Run after `vite build` (npm run build does). No dependency beyond Node.
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs'
import { join, extname } from 'node:path'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'

const DIR = new URL('../dist/app/', import.meta.url).pathname
// Files smaller than this gain nothing worth a second lookup.
const MIN = 1024
const TEXT = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map', '.wasm', '.xml'])

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) yield* files(p)
    else yield p
  }
}

let raw = 0
let br = 0
let gz = 0
for (const p of [...files(DIR)]) {
  if (p.endsWith('.br') || p.endsWith('.gz')) {
    unlinkSync(p)
    continue
  }
  if (!TEXT.has(extname(p)) || statSync(p).size < MIN) continue
  const data = readFileSync(p)
  const b = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  })
  const g = gzipSync(data, { level: constants.Z_BEST_COMPRESSION })
  raw += data.length
  // A copy that is not smaller is not worth serving.
  if (b.length < data.length) {
    writeFileSync(p + '.br', b)
    br += b.length
  }
  if (g.length < data.length) {
    writeFileSync(p + '.gz', g)
    gz += g.length
  }
}
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`
console.log(`compressed dist/app: ${kb(raw)} → ${kb(gz)} gzip, ${kb(br)} brotli`)
