import { tOr } from '@/i18n'
import type { Grant } from '@/api/types'

const pad = (n: number) => String(n).padStart(2, '0')

/** "2026-09-01 08:30" in the browser's time zone; "—" for empty. */
export function formatDateTime(v: string | null | undefined, seconds = false): string {
  if (!v) return '—'
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return v
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
  return seconds ? `${base}:${pad(d.getSeconds())}` : base
}

/** Calendar dates stay as the server wrote them. */
export function formatDate(v: string | null | undefined): string {
  if (!v) return '—'
  return v.length >= 10 ? v.slice(0, 10) : v
}

export function todayISO(): string {
  const d = new Date()
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function roleLabel(role: string): string {
  return tOr(`roles.${role}`, role)
}

export function scopeTypeLabel(t: string): string {
  return tOr(`scopes.${t}`, t)
}

/** "集团管理员 · 城关实验教育集团" */
export function grantLabel(g: Grant): string {
  const scope = g.scope_name || scopeTypeLabel(g.scope_type)
  return `${roleLabel(g.role)} · ${scope}`
}

/**
 * Label for a code in an i18n group such as "code.stage" (the server's lists); unknown codes
 * show as-is. Dots in codes ("user.create") are looked up as underscores.
 */
export function codeLabel(group: string, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—'
  return tOr(`${group}.${String(code).replace(/\./g, '_')}`, String(code))
}

export function isFuture(v: string | null | undefined): boolean {
  if (!v) return false
  const d = new Date(v)
  return !Number.isNaN(d.getTime()) && d.getTime() > Date.now()
}
