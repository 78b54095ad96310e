// Code lists of the exchanges (跟岗锻炼, 跟岗学习, 支教) and helpers the pages
// share. Kind and status labels come from the server's code lists
// (code.exchange_kind, code.exchange_status); the rest from exchange.*.
import { tOr } from '@/i18n'
import type { ExchangeStep } from '@/api/types'

export const EXCHANGE_KINDS = ['training', 'study', 'support']
export const EXCHANGE_STATUSES = ['draft', 'submitted', 'endorsed', 'reviewed', 'approved', 'underway', 'returned', 'closed', 'rejected', 'withdrawn', 'cancelled']
export const INBOX_TASKS = ['submit', 'endorse', 'review', 'approve', 'return', 'overdue', 'evaluate']
export const CHECKIN_KINDS = ['checkin', 'note', 'issue']
export const RATINGS = ['excellent', 'good', 'pass', 'fail']
export const SERVICE_KINDS = ['post', 'teaching']

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

const STATUS_TAG: Record<string, TagType> = {
  draft: 'info',
  submitted: 'warning',
  endorsed: 'warning',
  reviewed: 'warning',
  approved: 'primary',
  underway: 'primary',
  returned: 'success',
  closed: 'success',
  rejected: 'danger',
  withdrawn: 'info',
  cancelled: 'info',
}

export function statusTag(status: string): TagType {
  return STATUS_TAG[status] ?? 'info'
}

const TEAM_STAGE_TAG: Record<string, TagType> = {
  approval: 'info',
  approved: 'info',
  working: 'primary',
  returned: 'warning',
  reported: 'warning',
  responded: 'success',
  ended: 'danger',
}

/** The tag colour of a 团队进驻's stage (approval … responded, ended). */
export function teamStageTag(stage: string): TagType {
  return TEAM_STAGE_TAG[stage] ?? 'info'
}

const KIND_TAG: Record<string, TagType> = { training: 'warning', study: 'primary', support: 'success' }

export function kindTag(kind: string): TagType {
  return KIND_TAG[kind] ?? 'info'
}

/** Bar colours of the group calendar, one per kind. */
export const KIND_COLOURS: Record<string, string> = { training: '#e6a23c', study: '#1f5fbf', support: '#67c23a' }

export function kindLabel(kind: string): string {
  return tOr(`code.exchange_kind.${kind}`, kind)
}

export function statusLabel(status: string): string {
  return tOr(`code.exchange_status.${status}`, status)
}

/** "endorse.home" → exchange.stepActions.endorse_home */
export function stepLabel(action: string): string {
  return tOr(`exchange.stepActions.${action.replace(/\./g, '_')}`, action)
}

/** Roles of a step are the comma-joined roles of the grant acted in. */
export function stepRoles(role: string): string {
  return role
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => tOr(`roles.${r}`, r))
    .join('、')
}

/** A return after the end date is recorded as "[late:N] note". */
export function splitLate(note: string): { late: number; note: string } {
  const m = /^\[late:(\d+)\]\s*/.exec(note || '')
  if (!m) return { late: 0, note: note || '' }
  return { late: Number(m[1]), note: note.slice(m[0].length) }
}

/** Evaluate steps carry the rating as their note. */
export function stepNote(s: ExchangeStep): string {
  if (s.action.startsWith('evaluate')) return s.note ? tOr(`exchange.ratings.${s.note}`, s.note) : ''
  return splitLate(s.note).note
}

/** Days from start to end, both included (the server's count). */
export function spanDays(start: string, end: string): number {
  const a = Date.parse(`${start}T00:00:00Z`)
  const b = Date.parse(`${end}T00:00:00Z`)
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return 0
  return Math.round((b - a) / 86400000) + 1
}

/** The date n days from an ISO date. */
export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}
