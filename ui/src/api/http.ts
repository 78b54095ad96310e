// The one place that talks to the server: JSON in and out, CSRF header on
// every state change, Accept-Language from the chosen UI language, and the
// error envelope turned into an ApiError.
import type { ErrorBody, ErrorDetail } from './types'
import { i18n } from '@/i18n'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  status: number
  code: string
  details: ErrorDetail[]
  requestId: string
  /** True when the client already reacted (redirect to login or password page). */
  handled = false

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [], requestId = '') {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.requestId = requestId
  }

  /** Messages keyed by JSON field name, for el-form-item :error. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const d of this.details) {
      if (d.field) out[d.field] = out[d.field] ? `${out[d.field]}${i18n.global.t('common.listSep')}${d.message}` : d.message
    }
    return out
  }

  /** Details that do not name a field (rules), for showing under the form. */
  otherDetails(): ErrorDetail[] {
    return this.details.filter((d) => !d.field)
  }
}

interface Hooks {
  language: () => string
  onUnauthenticated: () => void
  onPasswordChangeRequired: () => void
  onTotpEnrollmentRequired: () => void
  onActivity: () => void
}

let csrfToken = ''
let hooks: Hooks = {
  language: () => 'zh-CN',
  onUnauthenticated: () => {},
  onPasswordChangeRequired: () => {},
  onTotpEnrollmentRequired: () => {},
  onActivity: () => {},
}

export function setCsrfToken(token: string): void {
  csrfToken = token
}

export function configureHttp(h: Partial<Hooks>): void {
  hooks = { ...hooks, ...h }
}

export interface RequestOptions {
  /** Let the caller handle 401 itself (login form, session probe). */
  allow401?: boolean
  query?: Record<string, unknown>
}

/** Builds "?a=1&b=x" from the defined, non-empty values. */
export function queryString(query: Record<string, unknown> = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    p.append(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': hooks.language(),
  }
  const form = typeof FormData !== 'undefined' && body instanceof FormData
  // A multipart body sets its own Content-Type with the boundary.
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res: Response
  try {
    res = await fetch(API_BASE + path + queryString(opts.query), {
      method,
      headers,
      body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, 'network', '')
  }

  if (res.ok) {
    hooks.onActivity()
    if (res.status === 204) return undefined as T
    const text = await res.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  let err: ApiError
  try {
    const data = (await res.json()) as ErrorBody
    const e = data.error
    err = new ApiError(res.status, e.code || 'internal', e.message || res.statusText, e.details || [], e.request_id || '')
  } catch {
    err = new ApiError(res.status, res.status === 401 ? 'unauthenticated' : 'internal', res.statusText)
  }

  if (res.status === 401 && !opts.allow401) {
    err.handled = true
    hooks.onUnauthenticated()
  } else if (res.status === 403 && err.code === 'password_change_required') {
    err.handled = true
    hooks.onPasswordChangeRequired()
  } else if (res.status === 403 && err.code === 'totp_enrollment_required') {
    err.handled = true
    hooks.onTotpEnrollmentRequired()
  }
  throw err
}

export const http = {
  get: <T>(path: string, query?: Record<string, unknown>, opts: RequestOptions = {}) =>
    request<T>('GET', path, undefined, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body ?? {}, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body ?? {}, opts),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
  /** multipart/form-data POST (file uploads). */
  upload: <T>(path: string, form: FormData, opts?: RequestOptions) => request<T>('POST', path, form, opts),
}

/** URL for a browser-handled download (cookie auth, GET). */
export function downloadUrl(path: string, query?: Record<string, unknown>): string {
  return API_BASE + path + queryString(query)
}
