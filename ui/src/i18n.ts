import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import zhCnEl from 'element-plus/es/locale/lang/zh-cn'
import enEl from 'element-plus/es/locale/lang/en'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'
import examsZhCN from './locales/exams.zh-CN.json'
import examsEn from './locales/exams.en.json'
import workbenchZhCN from './locales/workbench.zh-CN.json'
import workbenchEn from './locales/workbench.en.json'
import planningZhCN from './locales/planning.zh-CN.json'
import planningEn from './locales/planning.en.json'
import governanceZhCN from './locales/governance.zh-CN.json'
import governanceEn from './locales/governance.en.json'
import mentoringZhCN from './locales/mentoring.zh-CN.json'
import mentoringEn from './locales/mentoring.en.json'

export type AppLocale = 'zh-CN' | 'en'
export const LOCALES: AppLocale[] = ['zh-CN', 'en']
/** Each language is named in itself, whatever the current UI language. */
export const LANGUAGE_NAMES: Record<AppLocale, string> = { 'zh-CN': '中文', en: 'English' }
const STORAGE_KEY = 'edugroup.locale'

function initialLocale(): AppLocale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved === 'zh-CN' || saved === 'en') return saved
  } catch {
    // storage may be disabled; fall back to the default
  }
  return 'zh-CN'
}

/** A module's locale file merged into the main one, key by key (its "nav" entries join the main "nav"). */
function mergeMessages<A extends object, B extends object>(base: A, extra: B): A & B {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [k, v] of Object.entries(extra)) {
    const cur = out[k]
    out[k] = cur && typeof cur === 'object' && v && typeof v === 'object' ? mergeMessages(cur as object, v as object) : v
  }
  return out as A & B
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(zhCN, examsZhCN), workbenchZhCN), planningZhCN), mentoringZhCN), governanceZhCN),
    en: mergeMessages(mergeMessages(mergeMessages(mergeMessages(mergeMessages(en, examsEn), workbenchEn), planningEn), mentoringEn), governanceEn),
  },
  missingWarn: false,
  fallbackWarn: false,
})

document.documentElement.lang = i18n.global.locale.value

export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}

export function setLocale(l: AppLocale): void {
  i18n.global.locale.value = l
  document.documentElement.lang = l
  try {
    localStorage.setItem(STORAGE_KEY, l)
  } catch {
    // not remembered, still switched
  }
}

export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? enEl : zhCnEl))

/** Translates key when the locale files have it, else shows the fallback (usually the raw code). */
export function tOr(key: string, fallback: string): string {
  const g = i18n.global
  return g.te(key) || g.te(key, 'zh-CN') ? g.t(key) : fallback
}
