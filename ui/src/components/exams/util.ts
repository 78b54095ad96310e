// Formatting and the settings sheet shared by the exam pages.
import { i18n, tOr } from '@/i18n'
import { defaultSettings, TOTAL, type ExamSettings, type Level, type Stat, type SubjectInfo } from '@/api/exams'

const t = (key: string, args?: Record<string, unknown>) => (args ? i18n.global.t(key, args) : i18n.global.t(key))

export const DASH = '—'

export function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** A figure with `digits` decimals, trailing zeros kept; "—" for no value. */
export function num(v: number | null | undefined, digits = 2): string {
  return isNum(v) ? v.toFixed(digits) : DASH
}

/** A fraction as a percentage: 0.8532 → "85.3%". */
export function pct(v: number | null | undefined, digits = 1): string {
  return isNum(v) ? `${(v * 100).toFixed(digits)}%` : DASH
}

/** A difference with its sign: "+1.20", "−0.35". */
export function signed(v: number | null | undefined, digits = 2): string {
  if (!isNum(v)) return DASH
  const s = Math.abs(v).toFixed(digits)
  if (Number(s) === 0) return s
  return v > 0 ? `+${s}` : `−${s}`
}

/** A signed percentage: 0.031 → "+3.1%". */
export function signedPct(v: number | null | undefined, digits = 1): string {
  return isNum(v) ? `${signed(v * 100, digits)}%` : DASH
}

/** Whole numbers (counts, ranks); 0 ranks print as "—". */
export function int(v: number | null | undefined, zeroDash = false): string {
  if (!isNum(v) || (zeroDash && v === 0)) return DASH
  return String(Math.round(v))
}

/** A score: halves stay, whole numbers print without decimals. */
export function score(v: number | null | undefined): string {
  if (!isNum(v)) return DASH
  return Number.isInteger(v) ? String(v) : v.toFixed(1)
}

export function levelLabel(l: Level | string): string {
  return tOr(`exams.levels.${l}`, l)
}

export function subjectNames(subjects: SubjectInfo[] | { name: string }[]): string[] {
  return subjects.map((s) => s.name)
}

/** The subjects followed by 总分, as the report lists them. */
export function withTotal(names: string[]): string[] {
  return names.includes(TOTAL) ? names : [...names, TOTAL]
}

/** A unit's display name in tables and charts. */
export function unitName(s: Pick<Stat, 'level' | 'group' | 'school' | 'class' | 'teacher'>, withSchool = true): string {
  switch (s.level) {
    case 'exam':
      return t('exams.levels.exam')
    case 'group':
      return s.group
    case 'school':
      return s.school
    case 'class':
      return withSchool ? `${s.school} · ${s.class}` : s.class
    case 'teacher':
      return withSchool ? `${s.school} · ${s.teacher}` : s.teacher
  }
  return ''
}

/** Orders units by mean, best first, units without a mean last. */
export function byMean(a: Stat, b: Stat): number {
  return (b.mean ?? -Infinity) - (a.mean ?? -Infinity)
}

// ---- the settings sheet ----

export type SettingKind = 'bool' | 'enum' | 'number' | 'tiers' | 'weights'

export interface SettingDef {
  key: keyof ExamSettings
  kind: SettingKind
  section: 'count' | 'spread' | 'lines' | 'rank' | 'dist' | 'critical' | 'composite' | 'items' | 'other'
  options?: string[]
  min?: number
  max?: number
  step?: number
  /** Shown after the value: "%", "分" … (an i18n key under exams.units). */
  unit?: string
  /** Only meaningful under this line mode. */
  lineMode?: 'percent' | 'rank'
}

export const SETTING_DEFS: SettingDef[] = [
  { key: 'absent_as_zero', kind: 'bool', section: 'count' },
  { key: 'void_as_zero', kind: 'bool', section: 'count' },
  { key: 'blank', kind: 'enum', section: 'count', options: ['not_sat', 'absent'] },
  { key: 'total_missing', kind: 'enum', section: 'count', options: ['exclude', 'partial'] },
  { key: 'sd', kind: 'enum', section: 'spread', options: ['sample', 'population'] },
  { key: 'quartile', kind: 'enum', section: 'spread', options: ['inc', 'exc'] },
  { key: 'line_mode', kind: 'enum', section: 'lines', options: ['percent', 'absolute', 'rank'] },
  { key: 'good_enabled', kind: 'bool', section: 'lines' },
  { key: 'excellent_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctFull', lineMode: 'percent' },
  { key: 'good_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctFull', lineMode: 'percent' },
  { key: 'pass_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctFull', lineMode: 'percent' },
  { key: 'low_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctFull', lineMode: 'percent' },
  { key: 'rank_excellent_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctTop', lineMode: 'rank' },
  { key: 'rank_good_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctTop', lineMode: 'rank' },
  { key: 'rank_pass_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctTop', lineMode: 'rank' },
  { key: 'rank_low_pct', kind: 'number', section: 'lines', min: 0, max: 100, step: 1, unit: 'pctBottom', lineMode: 'rank' },
  { key: 'rank', kind: 'enum', section: 'rank', options: ['competition', 'dense'] },
  { key: 't_mean', kind: 'number', section: 'rank', step: 1 },
  { key: 't_sd', kind: 'number', section: 'rank', min: 0.5, step: 1 },
  { key: 'bin_width', kind: 'number', section: 'dist', min: 0.5, step: 0.5, unit: 'points' },
  { key: 'total_bin_width', kind: 'number', section: 'dist', min: 0.5, step: 0.5, unit: 'points' },
  { key: 'tiers', kind: 'tiers', section: 'dist' },
  { key: 'critical_mode', kind: 'enum', section: 'critical', options: ['below', 'band', 'rank'] },
  { key: 'critical_points', kind: 'number', section: 'critical', min: 0, step: 0.5, unit: 'points' },
  { key: 'critical_ranks', kind: 'number', section: 'critical', min: 0, step: 1, unit: 'places' },
  { key: 'composite', kind: 'weights', section: 'composite' },
  { key: 'discrimination_share', kind: 'number', section: 'items', min: 0.01, max: 0.5, step: 0.01 },
  { key: 'min_n', kind: 'number', section: 'other', min: 0, step: 1, unit: 'people' },
  { key: 'gap_unit', kind: 'enum', section: 'other', options: ['T', 'Z'] },
  { key: 'value_added', kind: 'enum', section: 'other', options: ['residual', 'z_change'] },
]

export const SETTING_SECTIONS = ['count', 'spread', 'lines', 'rank', 'dist', 'critical', 'composite', 'items', 'other'] as const

export function settingLabel(key: string): string {
  return tOr(`exams.settings.${key}`, key)
}

export function settingHelp(key: string): string {
  return tOr(`exams.settingHelp.${key}`, '')
}

export function optionLabel(key: string, value: string): string {
  return tOr(`exams.values.${key}.${value}`, value)
}

/** A setting's value as the settings sheet prints it. */
export function settingText(def: SettingDef, v: unknown): string {
  switch (def.kind) {
    case 'bool':
      return v ? t('common.yes') : t('common.no')
    case 'enum':
      return optionLabel(def.key, String(v))
    case 'tiers':
      return Array.isArray(v) && v.length ? v.map((x) => `${x}%`).join(' / ') : DASH
    case 'weights': {
      const w = (v ?? {}) as { mean?: number; excellent?: number; pass?: number }
      return t('exams.form.weightsText', { mean: w.mean ?? 0, excellent: w.excellent ?? 0, pass: w.pass ?? 0 })
    }
    default: {
      const unit = def.unit ? tOr(`exams.units.${def.unit}`, '') : ''
      return isNum(v) ? `${v}${unit}` : DASH
    }
  }
}

/** Rows of the settings sheet: label, value, default and whether it differs. */
export function settingsSheet(s: ExamSettings) {
  const d = defaultSettings()
  return SETTING_DEFS.map((def) => {
    const value = settingText(def, s[def.key])
    const deflt = settingText(def, d[def.key])
    return {
      key: def.key,
      section: t(`exams.sections.${def.section}`),
      label: settingLabel(def.key),
      value,
      default: deflt,
      changed: value !== deflt,
    }
  })
}

/** Clicks a link to a browser-handled download (cookie auth, GET). */
export function downloadHref(href: string): void {
  const a = document.createElement('a')
  a.href = href
  a.download = ''
  document.body.appendChild(a)
  a.click()
  a.remove()
}

/** Chart colors: Element Plus' palette first. */
export const PALETTE = ['#409eff', '#67c23a', '#e6a23c', '#f56c6c', '#909399', '#7b61ff', '#13c2c2', '#eb2f96', '#2f54eb', '#a0d911', '#fa8c16', '#722ed1']
