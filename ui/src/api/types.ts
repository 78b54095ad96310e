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
  /** The user's own staff record (teachers), when the server names it. */
  staff_id?: number | null
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
  /** Birth year and age only: the date would rebuild the masked ID number. */
  birth_year: number
  age: number
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
  birth_date: string | null
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

/** 跟岗锻炼 (training), 跟岗学习 (study) or 支教 (support). */
export type ExchangeKind = 'training' | 'study' | 'support'

/** One application and its progress (the ledger row). */
export interface Exchange {
  id: number
  kind: ExchangeKind | string
  staff_id: number
  staff_name: string
  staff_no: string
  post: string
  is_cadre: boolean
  group_id: number
  group_name: string
  home_school_id: number
  home_school_name: string
  host_school_id: number
  host_school_name: string
  team_id?: number
  mentor_staff_id?: number
  mentor_name?: string
  start_on: string
  end_on: string
  days: number
  purpose: string
  status: string
  submitted_on: string | null
  cover_arrangement: string
  home_endorsed_by: string
  host_consent_by: string
  exception_reason: string
  started_on: string | null
  returned_on: string | null
  /** The end date has passed and the home school has not confirmed the return. */
  overdue: boolean
  overdue_days: number
  created_by: string
  created_at: string
  updated_at: string
  version: number
}

/** One rule's verdict: pass, fail, pending (an exception may still come) or granted. */
export interface ExchangeCheck {
  rule: string
  result: 'pass' | 'fail' | 'pending' | 'granted' | string
  message: string
  args?: Record<string, unknown>
}

export interface ExchangeCheckResult {
  ok: boolean
  group_id: number
  checks: ExchangeCheck[]
}

/** One step of the approval chain. */
export interface ExchangeStep {
  action: string
  from: string
  to: string
  by: string
  role: string
  note: string
  at: string
}

/** A check-in of the person, or a supervision note or issue. */
export interface ExchangeCheckin {
  id?: number
  kind: 'checkin' | 'note' | 'issue' | string
  on_date: string
  body: string
  by: string
  at: string
}

export interface ExchangeEvaluation {
  party: 'host' | 'self' | 'home' | string
  rating: 'excellent' | 'good' | 'pass' | 'fail' | ''
  comment: string
  by: string
  at: string
}

export interface ExchangeDetail extends Exchange {
  steps: ExchangeStep[]
  checkins: ExchangeCheckin[]
  evaluations: ExchangeEvaluation[]
  checks: ExchangeCheck[]
  /** What the viewer may do now. */
  actions: string[]
}

/** What the draft form sends (create, check, update). */
export interface ExchangeInput {
  kind: string
  staff_id: number
  host_school_id: number
  mentor_staff_id?: number
  start_on: string
  end_on: string
  purpose: string
}

export interface ExchangeTask extends Exchange {
  task: 'submit' | 'endorse' | 'review' | 'approve' | 'return' | 'overdue' | 'evaluate' | string
}

export interface ExchangeInbox {
  total: number
  counts: Record<string, number>
  items: ExchangeTask[]
}

export interface ServiceExchange {
  id: number
  kind: string
  host_school_name: string
  start_on: string
  end_on: string
  returned_on: string | null
  days: number
  status: string
  evaluations: ExchangeEvaluation[]
}

/** 跨校任职 (post) or 兼课指导 (teaching). */
export interface ServiceEntry {
  id: number
  kind: 'post' | 'teaching' | string
  school_id: number
  school_name: string
  start_on: string
  end_on: string | null
  days: number
  description: string
  created_by: string
  created_at?: string
}

export interface ServiceRecord {
  staff_id: number
  staff_name: string
  school_name: string
  exchanges: ServiceExchange[]
  entries: ServiceEntry[]
  exchange_days: number
  entry_days: number
}

/** 团队进驻: cadres of the lead school sent together to one member school. */
export interface ExchangeTeam {
  id: number
  group_id: number
  group_name: string
  host_school_id: number
  host_school_name: string
  name: string
  goal: string
  start_on: string
  end_on: string
  report: string
  suggestions: string
  reported_by: string
  reported_at: string | null
  response: string
  responded_by: string
  responded_at: string | null
  version: number
  member_count: number
  /** approval, approved, working, returned, reported, responded or ended */
  stage: string
}

export interface ExchangeTeamDetail extends ExchangeTeam {
  members: Exchange[]
  actions: string[]
}
