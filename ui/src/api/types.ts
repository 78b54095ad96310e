// Shapes of the JSON the EduGroup API answers with: short names for the
// schemas of the server's OpenAPI document, from which schema.d.ts is
// generated (`make api`; never edit schema.d.ts by hand).
import type { components } from './schema'

type S = components['schemas']

export type ErrorDetail = S['ErrorDetail']
export type ErrorBody = S['ErrorBody']

/** Every paged list (List_School, List_Staff …) has this shape. */
export type Page<T> = Omit<S['List_School'], 'items'> & { items: T[] }
/** The unpaged lists ({ items: [...] }). */
export interface ItemList<T> {
  items: T[]
}

export type Grant = S['Auth.Grant']
export type SessionUser = S['Auth.SessionUser']
export type TOTPSetup = S['Auth.TOTPSetup']
export type Session = S['Auth.Session']
export type DashboardCard = S['Card']
export type Dashboard = S['Dashboard']
export type User = S['Auth.User']
export type RoleInfo = S['RoleEntry']
export type ScopeOption = S['Registry.ScopeOption']
export type Settings = S['Policy.Settings']
export type PolicyVersion = S['Policy.Version']
export type AuditEntry = S['Audit.Record']
export type AuditVerify = S['Audit.VerifyResult']
export type ApiToken = S['Auth.Token']

export type School = S['Registry.School']
export type Township = S['Registry.Township']
export type Campus = S['Registry.Campus']
/** One stay of a school in a group. */
export type MembershipRecord = S['Registry.MembershipRecord']
export type StaffSummary = S['Registry.StaffSummary']
export type SchoolDetail = S['Registry.SchoolDetail']
export type Group = S['Registry.Group']
export type GroupMember = S['Registry.Member']
/** A scale limit a group or school is over. */
export type Limit = S['Registry.Limit']
export type GroupDetail = S['Registry.GroupDetail']
export type TimelineEvent = S['Registry.Event']
export type Graduation = S['Registry.Graduation']
export type GroupLimits = S['Registry.GroupLimits']
/** The counts of one row of the coverage table (by area or by stage). */
export type CoverageShare = Omit<S['Registry.AreaShare'], 'area'>
export type Coverage = S['Registry.Coverage']
export type ImportResult = S['Registry.ImportResult']
export type Staff = S['Registry.Staff']
export type Transfer = S['Registry.Transfer']
export type StaffDetail = S['Registry.StaffDetail']
export type Unmasked = S['Registry.Unmasked']
/** 一票否决依据: findings, refusals of assignment, sick leave. */
export type StaffRecord = S['Registry.Record']

/** One application and its progress (the ledger row). */
export type Exchange = S['Exchange.Exchange']
/** 跟岗锻炼 (training), 跟岗学习 (study) or 支教 (support). */
export type ExchangeKind = Exchange['kind']
export type ExchangeStatus = Exchange['status']
/** One rule's verdict: pass, fail, pending (an exception may still come) or granted. */
export type ExchangeCheck = S['Exchange.Check']
export type ExchangeCheckResult = S['Exchange.CheckResult']
/** One step of the approval chain. */
export type ExchangeStep = S['Exchange.History']
/** A check-in of the person, or a supervision note or issue. */
export type ExchangeCheckin = S['Exchange.Checkin']
export type ExchangeEvaluation = S['Exchange.Evaluation']
export type ExchangeDetail = S['Exchange.Detail']
/** What the draft form sends (create, check, update). */
export type ExchangeInput = S['Exchange.Input']
export type ExchangeTask = S['Exchange.Task']
export type ExchangeInbox = S['Exchange.Inbox']
export type ServiceExchange = S['Exchange.ServiceExchange']
/** 跨校任职 (post) or 兼课指导 (teaching). */
export type ServiceEntry = S['Exchange.ServiceEntry']
export type ServiceRecord = S['Exchange.ServiceRecord']
/** 团队进驻: cadres of the lead school sent together to one member school. */
export type ExchangeTeam = S['Exchange.Team']
export type ExchangeTeamDetail = S['Exchange.TeamDetail']

// 计划共融: term plan rounds, school plans and the group plan.
export type PlanRound = S['Planning.Round']
export type PlanRoundDetail = S['Planning.RoundDetail']
export type PlanRoundInput = S['Planning.RoundInput']
export type PlanTemplate = S['Planning.TemplateAnswer']
export type PlanBoardRow = S['Planning.BoardRow']
export type SchoolPlan = S['Planning.Plan']
export type SchoolPlanDetail = S['Planning.PlanDetail']
export type PlanSection = S['Planning.Section']
export type PlanItem = S['Planning.Item']
export type PlanChange = S['Planning.Change']
export type GroupPlan = S['Planning.GroupPlan']
export type GroupPlanEntry = S['Planning.Entry']
export type Rule = S['Governance.Rule']
export type RuleDetail = S['Governance.RuleDetail']
export type RuleVersion = S['Governance.Version']
export type RuleAdoption = S['Governance.Adoption']
export type RuleArticle = S['Governance.Article']
export type RuleDiff = S['Governance.DiffAnswer']
export type Rulebook = S['Governance.Book']
export type Meeting = S['Governance.Meeting']
export type MeetingDetail = S['Governance.MeetingDetail']
export type Followup = S['Governance.Followup']
export type FollowupDetail = S['Governance.FollowupDetail']
export type MemberReport = S['Governance.MemberReport']
export type OwedReport = S['Governance.Owed']
export type ReportBoard = S['Governance.ReportBoard']
