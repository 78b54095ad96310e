// ESLint for the browser tests (Node ES modules; page.evaluate callbacks run
// in the browser, hence both sets of globals). Run: npm run lint.
import { defineConfig } from 'eslint/config'
import js from '@eslint/js'
import globals from 'globals'

export default defineConfig(
  { ignores: ['node_modules/**'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
)
