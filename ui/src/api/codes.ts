// The labels of the server's code lists (学段, 职务, 交流状态 …), fetched once at
// start-up and merged into the messages under "code", so a code reads the
// same on a page as in the server's exports: t('code.stage.primary') is 小学.
// codeLabel('code.stage', s) falls back to the raw code until they arrive.
import { http } from './http'
import { i18n } from '@/i18n'
import type { components } from './schema'

export type Codes = components['schemas']['Codes']

export async function loadCodes(): Promise<void> {
  const codes = await http.get<Codes>('/codes')
  for (const [lang, lists] of Object.entries(codes.labels)) {
    i18n.global.mergeLocaleMessage(lang, { code: lists })
  }
}
