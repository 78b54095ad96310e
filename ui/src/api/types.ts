// Shapes of the JSON the EduGroup API answers with (see /api/v1/openapi.json).

export interface ErrorDetail {
  field?: string
  rule?: string
  message: string
}

export interface ErrorBody {
  error: {
    code: string
    message: string
    details?: ErrorDetail[]
    request_id?: string
  }
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface Grant {
  id: number
  role: string
  scope_type: string
  scope_id: number
  scope_name: string
}

export interface SessionUser {
  id: number
  username: string
  display_name: string
  must_change_password: boolean
  password_expires_at: string | null
  /** A role the policy protects with a second factor and no authenticator yet. */
  must_enroll_totp?: boolean
  totp_enabled?: boolean
}

export interface TOTPSetup {
  secret: string
  otpauth_url: string
  /** data:image/png;base64,… */
  qr_code: string
}

export interface Session {
  user: SessionUser
  grants: Grant[]
  active_grant_id: number
  permissions: string[]
  csrf_token: string
  idle_timeout_seconds: number
}

export interface DashboardCard {
  key: string
  value: number | string
}

export interface Dashboard {
  cards: DashboardCard[]
  coverage: Record<string, unknown> | null
}

export interface User {
  id: number
  username: string
  display_name: string
  disabled: boolean
  must_change_password: boolean
  locked_until: string | null
  last_login_at: string | null
  created_at: string
  version: number
  totp_enabled?: boolean
  grants: Grant[]
}

export interface RoleInfo {
  role: string
  scope_types: string[]
}

export interface ScopeOption {
  id: number
  name: string
}

export type Settings = Record<string, Record<string, unknown>>

export interface PolicyVersion {
  id: number
  version: number
  effective_from: string
  note: string
  created_by: string
  created_at: string
  settings: Settings
}

export interface AuditEntry {
  id: number
  at: string
  user_id: number | null
  username: string
  role: string
  ip: string
  action: string
  object_type: string
  object_id: string | number | null
  outcome: 'ok' | 'denied' | 'failed' | string
  request_id: string
  detail: unknown
}

export interface AuditVerify {
  ok: boolean
  checked: number
  first_bad_id: number | null
  message: string
}

export interface ApiToken {
  id: number
  name: string
  prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
}

export interface School {
  id: number
  code: string
  name: string
  short_name: string
  township: string
  stage: string
  urban_rural: string
  type_code: string
  students: number
  classes: number
  staff_count: number
  tier: string
  is_new: boolean
  group_id: number | null
  group_name: string | null
  group_role: string | null
}

export interface Group {
  id: number
  name: string
  mode: string
  governance: string
  lead_school_id: number | null
  lead_school_name: string | null
  member_count: number
  students: number
  founded_on: string | null
}

export interface Staff {
  id: number
  staff_no: string
  name: string
  gender: string
  school_id: number
  school_name: string
  post: string
  is_cadre: boolean
  subject: string
  title: string
  phone: string
  id_card: string
  status: string
}
