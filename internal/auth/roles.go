package auth

// Role is what a user does in the system. A user may hold several, each with
// its own scope.
type Role string

// The roles of PRODUCT.md.
const (
	SystemAdmin      Role = "system_admin"      // 系统管理员: accounts, county policy settings
	SecurityAdmin    Role = "security_admin"    // 安全管理员: role grants, lockouts, security settings
	AuditAdmin       Role = "audit_admin"       // 审计管理员: reads the audit log, changes nothing
	BureauLeader     Role = "bureau_leader"     // 局领导: reads everything of the county
	SectionBasic     Role = "section_basic"     // 基教股
	SectionCadre     Role = "section_cadre"     // 干部股
	SectionPersonnel Role = "section_personnel" // 人事股
	Supervision      Role = "supervision"       // 督导办
	GroupAdmin       Role = "group_admin"       // 集团管理员 / 工作专班
	SchoolAdmin      Role = "school_admin"      // 学校管理员 (校长/教务)
	Teacher          Role = "teacher"           // 教师
)

// ScopeType is the kind of thing a grant's scope names.
type ScopeType string

// The scopes a grant can have.
const (
	ScopeCounty ScopeType = "county"
	ScopeGroup  ScopeType = "group"
	ScopeSchool ScopeType = "school"
	ScopeSelf   ScopeType = "self"
)

// Permission is one thing a route or use case may require.
type Permission string

// Permissions. Scope narrows each of them further in the data layer.
const (
	PermDashboard    Permission = "dashboard.view"
	PermUsersRead    Permission = "users.read"
	PermUsersManage  Permission = "users.manage"
	PermRolesManage  Permission = "roles.manage"
	PermPolicyRead   Permission = "policy.read"
	PermPolicyEdit   Permission = "policy.edit"
	PermSecurityEdit Permission = "security.edit"
	PermAuditRead    Permission = "audit.read"
	PermTokensSelf   Permission = "tokens.self"
	PermTokensAdmin  Permission = "tokens.admin"
	PermRegistryRead Permission = "registry.read"
	PermStaffRead    Permission = "staff.read"
	PermMetrics      Permission = "metrics.read"

	PermSchoolsManage Permission = "schools.manage" // county: create and edit schools; school admin: own school
	PermGroupsManage  Permission = "groups.manage"  // county: any group; group admin: own group's members and info
	PermGroupsApprove Permission = "groups.approve" // the bureau's approval of a graduation (动态孵化)
	PermStaffManage   Permission = "staff.manage"   // county: any staff; school admin: own school's staff
	PermRecordsRead   Permission = "records.read"   // eligibility records (一票否决依据); every view audited
	PermRecordsManage Permission = "records.manage"
	PermStaffUnmask   Permission = "staff.unmask" // full ID number and phone, with a reason, audited

	PermExchangesRead    Permission = "exchanges.read"    // exchanges in scope: county, group, own school (home or host), own
	PermExchangesApply   Permission = "exchanges.apply"   // the person (self) or their school office applies
	PermExchangesEndorse Permission = "exchanges.endorse" // home school endorses with cover; host school or group consents
	PermExchangesReview  Permission = "exchanges.review"  // 基教股 审核
	PermExchangesApprove Permission = "exchanges.approve" // 干部股 (cadres) / 人事股 (teachers) 审批 and supervision
	PermServiceManage    Permission = "service.manage"    // record 跨校任职 and 兼课指导

	PermExamsRead   Permission = "exams.read"   // exam reports, narrowed to the viewer's units
	PermExamsManage Permission = "exams.manage" // county/group: set up exams and import; school: import its own part

	PermPlansRead        Permission = "plans.read"        // term plans: county all; group its rounds and plans; school its own plan and the published group plan
	PermPlansManage      Permission = "plans.manage"      // the group opens rounds, reviews school plans, compiles and publishes the group plan
	PermPlansSubmit      Permission = "plans.submit"      // a school drafts and submits its own plan
	PermMentoringRead    Permission = "mentoring.read"    // pairs and coverage in scope: county, group, own school (either side), own pairs
	PermMentoringManage  Permission = "mentoring.manage"  // group: pairs across its schools; school: pairs inside the school
	PermMentoringConfirm Permission = "mentoring.confirm" // the person (self) or their school (principal) confirms or declines a pair

	PermGrowthRead        Permission = "growth.read"        // growth records: the person, their school, its groups, the county
	PermGrowthRecommend   Permission = "growth.recommend"   // the county's recommendation list for titles and awards (四(三)2)
	PermCurriculumRead    Permission = "curriculum.read"    // timetables, checks, register, staffing in scope: county, group's members, own school
	PermCurriculumPlan    Permission = "curriculum.plan"    // 基教股 edits the county overlay of the curriculum plan
	PermTimetableManage   Permission = "timetable.manage"   // a school imports, edits and publishes its own timetable
	PermCurriculumInspect Permission = "curriculum.inspect" // 基教股 / 督导办: the register's responsibility field and spot checks
	PermStaffingMatch     Permission = "staffing.match"     // group: proposes and accepts shortage matches; school: accepts its side
	PermResearchRead      Permission = "research.read"      // research groups, 集体备课, observations: county all; group its own; school its teachers'; a member their groups'
	PermResearchManage    Permission = "research.manage"    // the group's teaching office: research groups, members, leaders, slots, 集体备课 and observations
	PermResearchSchool    Permission = "research.school"    // a school declares the periods it keeps free for research
	PermResearchTakePart  Permission = "research.take_part" // a member (self): drafts as 主备人, comments, 二次备课, observation forms, reflections
	PermResourcesRead     Permission = "resources.read"     // the library in scope: own school's, the groups' accepted shares, the county's
	PermResourcesUpload   Permission = "resources.upload"   // a teacher or school uploads and submits its own school's resources
	PermResourcesReview   Permission = "resources.review"   // school, group and county reviewers accept, return or reject at their level
	PermRulesRead         Permission = "rules.read"         // the rulebook: county all; group its rules and drafts; school the published rules of its groups
	PermRulesManage       Permission = "rules.manage"       // the group drafts and publishes rule versions and answers objections
	PermRulesAdopt        Permission = "rules.adopt"        // a school confirms adoption (确认执行) of a published version, or objects
	PermMeetingsRead      Permission = "meetings.read"      // meetings and follow-ups: county all; group its meetings; school its group's meetings and its own follow-ups
	PermMeetingsManage    Permission = "meetings.manage"    // record a meeting and its decisions, close follow-ups (the group; 基教股 for county meetings)
	PermFollowupsReport   Permission = "followups.report"   // the owner school reports progress on its follow-ups
	PermFollowupsWatch    Permission = "followups.watch"    // 督导: overdue follow-ups county-wide are 督办 items on the workbench
	PermReportsRead       Permission = "reports.read"       // member reports: county all; group its members'; school its own
	PermReportsSubmit     Permission = "reports.submit"     // a member school submits its periodic reports to the group
	PermReportsReview     Permission = "reports.review"     // the group accepts a report with guidance or returns it
)

// RoleInfo says which scope a role takes and what it may do.
type RoleInfo struct {
	Role        Role
	ScopeType   ScopeType
	Permissions []Permission
}

var common = []Permission{PermDashboard, PermPolicyRead, PermTokensSelf}

var business = append([]Permission{PermRegistryRead, PermStaffRead, PermExchangesRead, PermExamsRead, PermMentoringRead, PermGrowthRead, PermResearchRead, PermResourcesRead}, common...)

func with(extra ...Permission) []Permission {
	return append(append([]Permission{}, business...), extra...)
}

// Roles lists every role in menu order with its scope and permissions.
var Roles = []RoleInfo{
	{SystemAdmin, ScopeCounty, append([]Permission{PermUsersRead, PermUsersManage, PermPolicyEdit, PermMetrics}, common...)},
	{SecurityAdmin, ScopeCounty, append([]Permission{PermUsersRead, PermRolesManage, PermSecurityEdit, PermTokensAdmin, PermMetrics}, common...)},
	{AuditAdmin, ScopeCounty, append([]Permission{PermAuditRead}, common...)},
	{BureauLeader, ScopeCounty, with(PermPlansRead, PermGrowthRecommend, PermCurriculumRead, PermRulesRead, PermMeetingsRead, PermReportsRead)},
	{SectionBasic, ScopeCounty, with(PermSchoolsManage, PermGroupsManage, PermGroupsApprove, PermRecordsRead, PermRecordsManage, PermExchangesReview, PermExamsManage, PermPlansRead,
		PermCurriculumRead, PermCurriculumPlan, PermCurriculumInspect, PermResourcesReview, PermRulesRead, PermMeetingsRead, PermMeetingsManage, PermReportsRead)},
	{SectionCadre, ScopeCounty, with(PermRecordsRead, PermRecordsManage, PermStaffUnmask, PermExchangesApprove, PermServiceManage, PermPlansRead, PermGrowthRecommend,
		PermRulesRead, PermMeetingsRead, PermReportsRead)},
	{SectionPersonnel, ScopeCounty, with(PermStaffManage, PermRecordsRead, PermRecordsManage, PermStaffUnmask, PermExchangesApprove, PermServiceManage, PermPlansRead, PermGrowthRecommend,
		PermRulesRead, PermMeetingsRead, PermReportsRead)},
	{Supervision, ScopeCounty, with(PermRecordsRead, PermPlansRead, PermCurriculumRead, PermCurriculumInspect, PermRulesRead, PermMeetingsRead, PermFollowupsWatch, PermReportsRead)},
	{GroupAdmin, ScopeGroup, with(PermGroupsManage, PermExchangesEndorse, PermExamsManage, PermPlansRead, PermPlansManage, PermMentoringManage, PermCurriculumRead, PermStaffingMatch,
		PermResearchManage, PermResourcesReview, PermRulesRead, PermRulesManage, PermMeetingsRead, PermMeetingsManage, PermReportsRead, PermReportsReview)},
	{SchoolAdmin, ScopeSchool, with(PermSchoolsManage, PermStaffManage, PermRecordsRead, PermRecordsManage, PermStaffUnmask,
		PermExchangesApply, PermExchangesEndorse, PermServiceManage, PermExamsManage, PermPlansRead, PermPlansSubmit, PermMentoringManage, PermMentoringConfirm,
		PermCurriculumRead, PermTimetableManage, PermStaffingMatch, PermResearchSchool, PermResourcesUpload, PermResourcesReview,
		PermRulesRead, PermRulesAdopt, PermMeetingsRead, PermFollowupsReport, PermReportsRead, PermReportsSubmit)},
	{Teacher, ScopeSelf, with(PermExchangesApply, PermMentoringConfirm, PermResearchTakePart, PermResourcesUpload)},
}

// Info returns the description of r.
func Info(r Role) (RoleInfo, bool) {
	for _, ri := range Roles {
		if ri.Role == r {
			return ri, true
		}
	}
	return RoleInfo{}, false
}

// AdminTriad are the three administrator roles of 三权分立. No account may
// hold more than one of them, so no one can both act and erase the trace.
var AdminTriad = []Role{SystemAdmin, SecurityAdmin, AuditAdmin}

func isAdmin(r Role) bool {
	for _, a := range AdminTriad {
		if a == r {
			return true
		}
	}
	return false
}

// CountyWide reports whether r sees the whole county's business data.
func CountyWide(r Role) bool {
	switch r {
	case BureauLeader, SectionBasic, SectionCadre, SectionPersonnel, Supervision:
		return true
	}
	return false
}
