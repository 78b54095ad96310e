import { shallowRef } from 'vue'
import { createI18n } from 'vue-i18n'
import type { Language } from 'element-plus/es/locale'

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

type Messages = Record<string, unknown>

/**
 * Each language's messages (the main file and every capability's) and
 * Element Plus's texts, loaded only when that language is chosen: the first
 * screen carries one language, not all.
 */
const LOADERS: Record<AppLocale, () => Promise<[Messages[], Language]>> = {
  'zh-CN': () => Promise.all([import('./locales/all.zh-CN').then((m) => m.default), import('element-plus/es/locale/lang/zh-cn').then((m) => m.default)]),
  en: () => Promise.all([import('./locales/all.en').then((m) => m.default), import('element-plus/es/locale/lang/en').then((m) => m.default)]),
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: {},
  missingWarn: false,
  fallbackWarn: false,
})

const elementLocales: Partial<Record<AppLocale, Language>> = {}
/** Element Plus's texts in the current language (App.vue's config provider). */
export const elementLocale = shallowRef<Language | undefined>(undefined)
const loading: Partial<Record<AppLocale, Promise<void>>> = {}

/** Loads a language's messages once; the code labels merged earlier stay. */
export function loadLocale(l: AppLocale): Promise<void> {
  loading[l] ??= LOADERS[l]().then(([files, el]) => {
    const merged = files.reduce<Messages>((acc, m) => mergeMessages(acc, m), {})
    i18n.global.mergeLocaleMessage(l, merged)
    elementLocales[l] = el
  })
  return loading[l]
}

document.documentElement.lang = i18n.global.locale.value

export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}

/** Loads the current language (before the app mounts). */
export async function loadCurrentLocale(): Promise<void> {
  const l = currentLocale()
  await loadLocale(l)
  elementLocale.value = elementLocales[l]
}

export async function setLocale(l: AppLocale): Promise<void> {
  await loadLocale(l)
  i18n.global.locale.value = l
  elementLocale.value = elementLocales[l]
  document.documentElement.lang = l
  try {
    localStorage.setItem(STORAGE_KEY, l)
  } catch {
    // not remembered, still switched
  }
}

/** Translates key when the locale files have it, else shows the fallback (usually the raw code). */
export function tOr(key: string, fallback: string): string {
  const g = i18n.global
  return g.te(key) || g.te(key, 'zh-CN') ? g.t(key) : fallback
}
