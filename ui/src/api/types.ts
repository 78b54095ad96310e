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
  principal?: string
  status?: string
  group_id: number | null
  group_name: string | null
  group_role: string | null
}

export interface Township {
  id: number
  code: string
  name: string
}

export interface Campus {
  id: number
  name: string
  address: string
  students: number
  classes: number
  staff_count: number
  version: number
}

/** One stay of a school in a group. */
export interface MembershipRecord {
  id: number
  group_id: number
  group_name: string
  role: string
  joined_on: string | null
  left_on: string | null
  leave_reason: string
  leave_note: string
}

export interface StaffSummary {
  total: number
  active: number
  cadres: number
  teachers: number
  by_title: { title: string; count: number }[]
}

export interface SchoolDetail extends School {
  township_id: number
  legal_person: 'independent' | 'campus' | string
  parent_school_id: number | null
  parent_school_name: string
  /** Masked ("138****5678") unless the user manages the school. */
  phone: string
  notes: string
  version: number
  /** The caller may edit this school (absent on older servers). */
  can_manage?: boolean
  campuses: Campus[]
  memberships: MembershipRecord[]
  staff_summary: StaffSummary | null
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
  party_secretary?: string
  status?: string
}

export interface GroupMember {
  membership_id: number
  school_id: number
  school_name: string
  role: string
  joined_on: string | null
  students: number
  tier: string
}

/** A scale limit a group or school is over. */
export interface Limit {
  rule: string
  limit?: number
  value?: number
  school_id?: number
  message: string
}

export interface GroupDetail extends Group {
  goal: string
  philosophy: string
  motto: string
  party_secretary: string
  party_members: string
  task_force: string
  version: number
  members: GroupMember[]
  warnings: Limit[] | null
}

export interface TimelineEvent {
  date: string
  kind: 'founded' | 'joined' | 'left' | 'graduation_proposed' | 'graduation_approved' | 'graduation_rejected' | string
  group_id?: number
  group_name?: string
  school_id: number
  school_name: string
  role?: string
  reason?: string
  note?: string
  to_group_name?: string
}

export interface Graduation {
  id: number
  group_id: number
  group_name: string
  school_id: number
  school_name: string
  evidence: string
  leave_on: string | null
  status: 'proposed' | 'approved' | 'rejected' | string
  proposed_by: string
  proposed_at: string
  decided_by: string
  decided_at: string | null
  decision_note: string
  version: number
}

export interface GroupLimits {
  group_id: number
  group_name: string
  limits: Limit[]
}

export interface CoverageShare {
  schools: number
  schools_in_groups: number
  students: number
  students_in_groups: number
}

export interface Coverage {
  date: string
  total: { schools: number; students: number }
  in_groups: { schools: number; students: number }
  by_area: (CoverageShare & { area: string })[]
  by_stage: (CoverageShare & { stage: string })[]
}

export interface ImportResult {
  created: number
  updated: number
}

export interface ItemList<T> {
  items: T[]
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
  honours?: string
  education?: string
}

export interface Transfer {
  date: string
  from_school_name: string
  to_school_name: string
  note: string
}

export interface StaffDetail extends Staff {
  stage: string
  birth_date: string | null
  hire_date: string | null
  teaching_years: number
  version: number
  transfers: Transfer[] | null
  can_manage?: boolean
  can_unmask: boolean
  can_view_records: boolean
}

export interface Unmasked {
  id_card: string
  phone: string
}

/** 一票否决依据: findings, refusals of assignment, sick leave. */
export interface StaffRecord {
  id: number
  kind: 'ethics' | 'paid_tutoring' | 'refusal' | 'sick_leave' | string
  occurred_on: string | null
  authority: string
  doc_no: string
  effective_from: string | null
  effective_to: string | null
  school_year: string
  days: number
  note: string
  created_by: string
  created_at: string
}
