// Code lists of the registry (the server checks them too). Their labels come
// from the server (GET /api/v1/codes, keys "code.<list>.<code>") through
// codeLabel(); titles and honours are stored as the official Chinese terms, so
// they map to i18n keys here.
import { tOr } from '@/i18n'

export const STAGES = ['preschool', 'primary', 'junior', 'nine_year', 'senior']
export const TIERS = ['quality', 'ordinary', 'weak']
export const URBAN_RURAL = ['111', '112', '121', '122', '123', '210', '220']
export const SCHOOL_STATUSES = ['active', 'closed']
export const LEGAL_PERSONS = ['independent', 'campus']

/** 办学类型 codes each stage allows. */
export const TYPES_BY_STAGE: Record<string, string[]> = {
  preschool: ['111'],
  primary: ['211'],
  junior: ['311'],
  nine_year: ['312'],
  senior: ['341', '342', '345'],
}
export const TYPE_CODES = ['111', '211', '311', '312', '341', '342', '345']

export const GROUP_MODES = ['multi_school', 'regional', 'direct', 'same_stage', 'paired', 'cross_stage', 'entrusted', 'multi_legal', 'nine_year']
export const GOVERNANCES = ['unified', 'federated']
export const MEMBER_ROLES = ['core', 'member']
export const LEAVE_REASONS = ['withdrawn', 'merged', 'transferred']
export const GROUP_STATUSES = ['active', 'dissolved']
export const GRADUATION_STATUSES = ['proposed', 'approved', 'rejected']

export const POSTS = ['principal', 'vice_principal', 'director', 'vice_director', 'teacher']
export const STAFF_STATUSES = ['active', 'transferred', 'retired']
export const GENDERS = ['M', 'F']
export const EDUCATIONS = ['10', '20', '30', '40', '60', '70', '80', '90']
export const RECORD_KINDS = ['ethics', 'paid_tutoring', 'refusal', 'sick_leave']

/** 职称 as stored, with the i18n key of each. */
export const TITLES: { value: string; key: string }[] = [
  { value: '正高级教师', key: 'senior_plus' },
  { value: '高级教师', key: 'senior' },
  { value: '一级教师', key: 'first' },
  { value: '二级教师', key: 'second' },
  { value: '三级教师', key: 'third' },
  { value: '未评', key: 'none' },
]

/** 荣誉 as stored (joined with 、), with the i18n key of each. */
export const HONOURS: { value: string; key: string }[] = [
  { value: '学科带头人', key: 'subject_leader' },
  { value: '骨干教师', key: 'backbone' },
  { value: '名师', key: 'famous' },
  { value: '名班主任', key: 'famous_head' },
  { value: '特级教师', key: 'special' },
]
export const HONOUR_SEP = '、'

export function titleLabel(v: string | null | undefined): string {
  if (!v) return '—'
  const hit = TITLES.find((x) => x.value === v)
  return hit ? tOr(`registry.profTitle.${hit.key}`, v) : v
}

export function honourLabel(v: string): string {
  const hit = HONOURS.find((x) => x.value === v)
  return hit ? tOr(`registry.honour.${hit.key}`, v) : v
}

export function splitHonours(v: string | null | undefined): string[] {
  return (v || '')
    .split(HONOUR_SEP)
    .map((x) => x.trim())
    .filter(Boolean)
}

/** Rules of 422 answers that a stated reason (override_reason) gets past. */
export function isScaleRule(rule: string | undefined): boolean {
  return !!rule && rule.startsWith('scale_')
}
