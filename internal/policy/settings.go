// Package policy holds the county's policy settings: every number and list
// of the county policy and the security numbers, versioned with an effective
// date. Capabilities read the version in force on the date that matters to
// them (an exchange's start date, today for a login).
package policy

import (
	"fmt"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// Settings is one version of the policy settings.
type Settings struct {
	Exchange Exchange            `json:"exchange"`
	Group    Group               `json:"group"`
	Security auth.SecurityPolicy `json:"security"`
	// Reminders are the workbench's due-soon and overdue notices and their
	// escalation, per task kind.
	Reminders Reminders `json:"reminders"`
	// Planning is the term plans' county defaults (计划共融, 三(三)).
	Planning Planning `json:"planning"`
	// Mentoring is 三(二) 教师结对: who may mentor and be mentored, how many
	// mentees a mentor takes, and the duties of a pair per term.
	Mentoring Mentoring `json:"mentoring"`
	// Curriculum is 五(一) 开齐开足 and 五(四) 学科师资: when timetables are
	// due, their shape, and the standard weekly loads behind staffing demand.
	Curriculum Curriculum `json:"curriculum"`
	// Recognition is 四(三)2's 适当倾斜: how the recommendation list for
	// titles and awards weighs cross-school service and mentoring.
	Recognition Recognition `json:"recognition"`
	// Research is 四(四)2 / 五(二) joint research: the school day's periods,
	// the shared plan's edit lease, the observation bands and the 开学初
	// deadline of the term research plan.
	Research Research `json:"research"`
	// Resources is the teaching-resource library (四(四)1, 五(一)): upload
	// limits per kind of file, video lengths, and how many reviewers must
	// agree at a review level.
	Resources Resources `json:"resources"`
	// Rulebook is 三(五) 制度共建: the categories of the group's rules and how
	// long a member school has to confirm a published version.
	Rulebook Rulebook `json:"rulebook"`
	// Meetings is 五(三) 定期召开工作会议: the kinds of meeting a group or the
	// county records, and how many days before its due date a follow-up
	// counts as due soon on the boards.
	Meetings Meetings `json:"meetings"`
	// Reports is 五(三) 各校要定期汇报: which periodic reports each member
	// school owes its group and when each is due.
	Reports Reports `json:"reports"`
}

// Recognition weighs a candidate's record in the window of WindowYears
// years: PointsPerMonth for each 30 days of cross-school service (exchanges,
// 跨校任职, 兼课指导), PointsPerPair for each pair led as mentor and
// PointsCrossPair more when the mentee is of another school, and
// PointsGoodReview for each term review of those pairs graded 优秀 or 良好.
// At least FlagDays of cross-school service flags the candidate for the
// preference (0 turns the flag off).
type Recognition struct {
	WindowYears      int `json:"window_years"`
	PointsPerMonth   int `json:"points_per_month"`
	PointsPerPair    int `json:"points_per_pair"`
	PointsCrossPair  int `json:"points_cross_pair"`
	PointsGoodReview int `json:"points_good_review"`
	FlagDays         int `json:"flag_days"`
}

// Curriculum holds the county's numbers around the timetables and the
// staffing balance: a term's timetable is due PublishDays after the term
// starts (FirstTermStart / SecondTermStart as MM-DD); a day has at most
// MaxPeriods periods over Weekdays days; a teacher's standard weekly load
// is the row of Loads for the 学段 and subject (Subject "" is the 学段's
// default); PEArtsPer100 is the 优质均衡 indicator of 体育 and 艺术 teachers
// per 100 pupils, in hundredths (90 = 0.9).
type Curriculum struct {
	PublishDays     int    `json:"publish_days"`
	FirstTermStart  string `json:"first_term_start"`
	SecondTermStart string `json:"second_term_start"`
	MaxPeriods      int    `json:"max_periods"`
	Weekdays        int    `json:"weekdays"`
	PEArtsPer100    int    `json:"pe_arts_per_100"`
	Loads           []Load `json:"loads"`
}

// Load is a standard weekly teaching load.
type Load struct {
	Stage   string `json:"stage"` // primary, junior
	Subject string `json:"subject"`
	Lessons int    `json:"lessons"`
}

// LoadFor is the standard weekly load of a subject in a 学段.
func (c Curriculum) LoadFor(stage, subject string) int {
	def := 0
	for _, l := range c.Loads {
		if l.Stage != stage {
			continue
		}
		if l.Subject == subject {
			return l.Lessons
		}
		if l.Subject == "" {
			def = l.Lessons
		}
	}
	return def
}

// Research holds the numbers of joint research: how many periods a school
// day has, how long one editor holds a shared 集体备课 plan, the bands a
// scored observation falls in (lowest minimum first is not required; the
// highest band whose minimum the score reaches wins), and on which day
// after term start the research group's term plan is due.
type Research struct {
	PeriodsPerDay    int    `json:"periods_per_day"`
	LeaseMinutes     int    `json:"lease_minutes"`
	PlanDeadlineDays int    `json:"plan_deadline_days"`
	Bands            []Band `json:"bands"`
}

// Band is one grade of a scored lesson: at least Min of the rubric's
// maximum, as a percentage.
type Band struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Min  int    `json:"min"`
}

// Resources holds the library's limits: the largest document, image and
// video upload in MB (the 精品课 rule caps a video at 1 GB), the longest 微课
// and 教学录像 in minutes (微课 ≤ 10; a recorded lesson 35–45), and how many
// reviewers of one level must accept before a resource passes it (1, or 2
// for the two-reviewer option).
type Resources struct {
	MaxDocumentMB       int `json:"max_document_mb"`
	MaxImageMB          int `json:"max_image_mb"`
	MaxVideoMB          int `json:"max_video_mb"`
	MaxMicroMinutes     int `json:"max_micro_minutes"`
	MaxRecordingMinutes int `json:"max_recording_minutes"`
	ReviewersPerLevel   int `json:"reviewers_per_level"`
}

// Reports lists the periodic reports a member school makes to its group.
type Reports struct {
	Kinds []ReportKind `json:"kinds"`
}

// ReportKind is one periodic report: monthly (月报) or per term (学期工作总结),
// due DueDays after its period ends.
type ReportKind struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Cadence string `json:"cadence" enum:"month,term"`
	DueDays int    `json:"due_days"`
}

// Meetings holds the kinds of meeting (集团理事会, 联席会议 …) and the days
// before the due date a follow-up is shown as 即将到期.
type Meetings struct {
	Kinds        []Code `json:"kinds"`
	DueSoonDays  int    `json:"due_soon_days"`
	MaxDecisions int    `json:"max_decisions"`
}

// Rulebook holds the numbers of the group's rulebook: the categories a rule
// is filed under, the days a member school has after publication to confirm
// (确认执行) or object unless the group names a date, and the most articles
// one rule may hold.
type Rulebook struct {
	Categories  []Code `json:"categories"`
	ConfirmDays int    `json:"confirm_days"`
	MaxArticles int    `json:"max_articles"`
}

// Planning holds the county defaults of the term plans: the template of
// sections a group's plan round starts from when the group has none of its
// own yet, how many items one section may hold, and how many days the
// deadline falls after the round opens unless the group names one.
type Planning struct {
	Sections     []Code `json:"sections"`
	MaxItems     int    `json:"max_items"`
	DeadlineDays int    `json:"deadline_days"`
}

// Mentoring holds the numbers of 三(二): a mentor qualifies by one of the
// honours, or by one of the titles with at least MentorMinYears of teaching;
// a mentee is a new teacher of at most MenteeMaxYears of teaching (or one
// the school names, with a reason); a mentor has at most MaxMentees open
// pairs. The duties are the minimum counts per term of a typical agreement.
type Mentoring struct {
	MentorHonours  []string `json:"mentor_honours"`
	MentorTitles   []string `json:"mentor_titles"`
	MentorMinYears int      `json:"mentor_min_years"`
	MenteeMaxYears int      `json:"mentee_max_years"`
	MaxMentees     int      `json:"max_mentees"`
	Duties         Duties   `json:"duties"`
}

// Duties are a pair's targets per term.
type Duties struct {
	PlansReviewed       int `json:"plans_reviewed"`         // 教案交导师指导
	MentorObserves      int `json:"mentor_observes"`        // 导师听徒弟的课
	MenteeObserves      int `json:"mentee_observes"`        // 徒弟听导师的课，写听课记录与反思
	DemoLessons         int `json:"demo_lessons"`           // 导师示范课
	ReportLessons       int `json:"report_lessons"`         // 徒弟汇报课
	TermSummaries       int `json:"term_summaries"`         // 与导师共同完成的学期小结
	MentorCreditPerWeek int `json:"mentor_credit_per_week"` // 导师指导折算的周课时（绩效）
}

// Reminders is the reminder policy: the numbers for every task kind, and
// rules for the kinds that differ. A due-soon reminder goes out DueSoonDays
// before the due date, an overdue notice the day after it, and
// EscalateAfterDays after the due date the holders of the county role
// EscalateTo are told the item is still open (0 or "" turns it off).
type Reminders struct {
	DueSoonDays       int            `json:"due_soon_days"`
	OverdueNotice     bool           `json:"overdue_notice"`
	EscalateAfterDays int            `json:"escalate_after_days"`
	EscalateTo        string         `json:"escalate_to"`
	Rules             []ReminderRule `json:"rules"`
}

// ReminderRule is the reminder policy of one task kind ("exchange.return").
type ReminderRule struct {
	Kind              string `json:"kind"`
	DueSoonDays       int    `json:"due_soon_days"`
	OverdueNotice     bool   `json:"overdue_notice"`
	EscalateAfterDays int    `json:"escalate_after_days"`
	EscalateTo        string `json:"escalate_to"`
}

// For is the rule of a task kind: its own, or the general numbers.
func (r Reminders) For(kind string) ReminderRule {
	for _, x := range r.Rules {
		if x.Kind == kind {
			return x
		}
	}
	return ReminderRule{Kind: kind, DueSoonDays: r.DueSoonDays, OverdueNotice: r.OverdueNotice, EscalateAfterDays: r.EscalateAfterDays, EscalateTo: r.EscalateTo}
}

// Exchange holds the numbers of 三(一) and 五(四): staff exchanges.
type Exchange struct {
	TrainingMaxDays    int    `json:"training_max_days"`    // 跟岗锻炼 不得超过2周
	StudyMaxDays       int    `json:"study_max_days"`       // 跟岗学习 原则上不超过两周
	SupportMinDays     int    `json:"support_min_days"`     // 支教 最短期限
	QuotaCadre         int    `json:"quota_cadre"`          // 同时跟岗学习的中层以上干部 ≤ 5
	QuotaTeacher       int    `json:"quota_teacher"`        // 同时跟岗学习的任课教师 ≤ 7
	CooldownYears      int    `json:"cooldown_years"`       // 结束后两年内不得再次申请
	SickLeaveVetoDays  int    `json:"sick_leave_veto_days"` // 近12个月病假超过此天数一票否决
	VetoLookbackMonths int    `json:"veto_lookback_months"` // 病假与不服从分工记录回看的月数
	VetoReasons        []Code `json:"veto_reasons"`         // 一票否决情形
}

// Group holds the scale limits of 四(一)3 and the modes of 四(一)1.
type Group struct {
	MaxMembers           int    `json:"max_members"`
	MaxStudentsPerCampus int    `json:"max_students_per_campus"`
	MaxStudentsPerGroup  int    `json:"max_students_per_group"`
	MaxClassesPerCampus  int    `json:"max_classes_per_campus"`
	Modes                []Code `json:"modes"`
}

// Code is an entry of an extensible list: a stable code and its label.
type Code struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Defaults are Huaiyuan County's values (怀远县教育体育局《关于推进中小学（幼儿园）
// 集团化办学的实施意见（试行）》). The scale limits are not numbers in that text
// ("合理控制"); the defaults follow the provincial school-size standards.
func Defaults() Settings {
	return Settings{
		Exchange: Exchange{
			TrainingMaxDays: 14, StudyMaxDays: 14, SupportMinDays: 365,
			QuotaCadre: 5, QuotaTeacher: 7, CooldownYears: 2, SickLeaveVetoDays: 30, VetoLookbackMonths: 12,
			VetoReasons: []Code{
				{"ethics", "有违反师德师风师能、参加有偿家教等行为被相关部门查处的"},
				{"insubordination", "不服从学校分工和管理的"},
				{"sick_leave", "经常生病请假，不能满工作量工作的"},
			},
		},
		Group: Group{
			MaxMembers: 8, MaxStudentsPerCampus: 2500, MaxStudentsPerGroup: 12000, MaxClassesPerCampus: 54,
			Modes: []Code{
				{"multi_school", "多校协同"}, {"regional", "区域组团"}, {"direct", "统一直管"},
				{"same_stage", "同学段联盟"}, {"paired", "结对帮扶"}, {"cross_stage", "跨学段联合"},
				{"entrusted", "委托管理"}, {"multi_legal", "多法人组合"}, {"nine_year", "九年一贯制"},
			},
		},
		Security: auth.DefaultSecurity(),
		// Three days' warning for every to-do; an overdue return to post
		// (须及时回到原学校上岗) goes to 人事股 after two days, an endorsement
		// still missing at the start date to 基教股 after one.
		Reminders: Reminders{DueSoonDays: 3, OverdueNotice: true, Rules: []ReminderRule{
			{Kind: "exchange.return", DueSoonDays: 1, OverdueNotice: true, EscalateAfterDays: 2, EscalateTo: string(auth.SectionPersonnel)},
			{Kind: "exchange.endorse", DueSoonDays: 3, OverdueNotice: true, EscalateAfterDays: 1, EscalateTo: string(auth.SectionBasic)},
		}},
		// The sections of a school's work plan as the groups write them.
		Planning: Planning{MaxItems: 40, DeadlineDays: 14, Sections: []Code{
			{"moral", "德育工作"}, {"teaching", "教学工作"}, {"research", "教研工作"},
			{"staff", "队伍建设"}, {"safety", "安全工作"}, {"feature", "特色工作"},
		}},
		// The duties are one school's typical agreement (3 plans, 8 lessons
		// each way, 2 lessons a week of credit); the eligibility numbers are
		// the county's choice, set here to the common 三年新教师 and two
		// mentees per mentor.
		Mentoring: Mentoring{
			MentorHonours:  []string{"学科带头人", "骨干教师", "名师", "特级教师"},
			MentorTitles:   []string{"一级教师", "高级教师", "正高级教师"},
			MentorMinYears: 10, MenteeMaxYears: 3, MaxMentees: 2,
			Duties: Duties{PlansReviewed: 3, MentorObserves: 8, MenteeObserves: 8, DemoLessons: 1, ReportLessons: 1, TermSummaries: 1, MentorCreditPerWeek: 2},
		},
		// The policy asks for a preference (适当倾斜) without numbers: these
		// are the county's to set. A year of service elsewhere weighs 12,
		// a cross-school pair 3, a good term of it 1 more; the window is the
		// three years a 评优评先 usually looks back over.
		Recognition: Recognition{WindowYears: 3, PointsPerMonth: 1, PointsPerPair: 2, PointsCrossPair: 1, PointsGoodReview: 1, FlagDays: 365},
		// Timetables posted within two weeks of term start (Zibo 2018); no
		// source gives a primary or junior weekly load, so these are the
		// county's choice: the main subjects carry marking and a class
		// teacher's duties, the others a fuller timetable.
		Curriculum: Curriculum{PublishDays: 14, FirstTermStart: "09-01", SecondTermStart: "03-01", MaxPeriods: 8, Weekdays: 5, PEArtsPer100: 90,
			Loads: []Load{
				{"primary", "", 16}, {"primary", "语文", 12}, {"primary", "数学", 12}, {"primary", "英语", 14},
				{"junior", "", 14}, {"junior", "语文", 10}, {"junior", "数学", 10}, {"junior", "英语", 12},
			}},
		// The generic 课堂教学评价表's bands (≥85 优秀, 75–85 良好, 60–75 一般,
		// <60 不合格), eight periods a day, a 30-minute edit lease and the
		// term plan due two weeks into term (开学初).
		Research: Research{PeriodsPerDay: 8, LeaseMinutes: 30, PlanDeadlineDays: 14, Bands: []Band{
			{"excellent", "优秀", 85}, {"good", "良好", 75}, {"fair", "一般", 60}, {"fail", "不合格", 0},
		}},
		// domain.md §4: a 精品课 video ≤ 1 GB, a 微课 ≤ 10 minutes, a recorded
		// lesson 35–45 minutes; one reviewer per level unless the county
		// turns on the two-reviewer option.
		Resources: Resources{MaxDocumentMB: 100, MaxImageMB: 20, MaxVideoMB: 1024, MaxMicroMinutes: 10, MaxRecordingMinutes: 50, ReviewersPerLevel: 1},
		// The categories of 三(五) 制度共建; two weeks to confirm a version.
		Rulebook: Rulebook{ConfirmDays: 14, MaxArticles: 100, Categories: []Code{
			{"moral", "德育"}, {"teaching", "教学"}, {"safety", "安全"}, {"attendance", "考勤"},
			{"performance", "绩效"}, {"hygiene", "卫生"}, {"finance", "财务"},
		}},
		// The meetings groups hold (集团理事会, 校长联席会, 专题会, 工作例会).
		Meetings: Meetings{DueSoonDays: 3, MaxDecisions: 50, Kinds: []Code{
			{"council", "集团理事会"}, {"joint", "校长联席会议"}, {"topic", "专题会议"}, {"routine", "工作例会"},
		}},
		// A monthly report by the 5th and a term summary within two weeks
		// of the term's end.
		Reports: Reports{Kinds: []ReportKind{
			{Code: "monthly", Label: "月度工作报告", Cadence: "month", DueDays: 5},
			{Code: "term", Label: "学期工作总结", Cadence: "term", DueDays: 14},
		}},
	}
}

type bound struct {
	field    string
	value    int
	min, max int
}

// Validate reports every setting out of its range, naming each field.
func (s Settings) Validate() error {
	var f errs.Fields
	e, g, sec, m := s.Exchange, s.Group, s.Security, s.Mentoring
	bounds := []bound{
		{"settings.exchange.training_max_days", e.TrainingMaxDays, 1, 366},
		{"settings.exchange.study_max_days", e.StudyMaxDays, 1, 366},
		{"settings.exchange.support_min_days", e.SupportMinDays, 1, 3 * 366},
		{"settings.exchange.quota_cadre", e.QuotaCadre, 0, 1000},
		{"settings.exchange.quota_teacher", e.QuotaTeacher, 0, 1000},
		{"settings.exchange.cooldown_years", e.CooldownYears, 0, 10},
		{"settings.exchange.sick_leave_veto_days", e.SickLeaveVetoDays, 1, 366},
		{"settings.exchange.veto_lookback_months", e.VetoLookbackMonths, 1, 120},
		{"settings.group.max_members", g.MaxMembers, 1, 100},
		{"settings.group.max_students_per_campus", g.MaxStudentsPerCampus, 1, 100000},
		{"settings.group.max_students_per_group", g.MaxStudentsPerGroup, 1, 1000000},
		{"settings.group.max_classes_per_campus", g.MaxClassesPerCampus, 1, 1000},
		{"settings.security.password_min_length", sec.PasswordMinLength, 8, 64},
		{"settings.security.password_min_classes", sec.PasswordMinClasses, 1, 4},
		{"settings.security.password_expiry_days", sec.PasswordExpiryDays, 0, 3650},
		{"settings.security.password_history", sec.PasswordHistory, 0, 24},
		{"settings.security.lockout_threshold", sec.LockoutThreshold, 1, 100},
		{"settings.security.lockout_window_minutes", sec.LockoutWindowMinutes, 1, 1440},
		{"settings.security.lockout_minutes", sec.LockoutMinutes, 1, 1440},
		{"settings.security.throttle_address_failures", sec.ThrottleAddressFailures, 5, 10000},
		{"settings.security.throttle_pair_failures", sec.ThrottlePairFailures, 3, 1000},
		{"settings.security.throttle_window_minutes", sec.ThrottleWindowMinutes, 1, 1440},
		{"settings.security.throttle_block_minutes", sec.ThrottleBlockMinutes, 1, 1440},
		{"settings.security.session_idle_minutes", sec.SessionIdleMinutes, 1, 480},
		{"settings.security.session_absolute_hours", sec.SessionAbsoluteHours, 1, 72},
		{"settings.security.audit_retention_days", sec.AuditRetentionDays, audit.MinRetentionDays, 3650},
		{"settings.security.token_max_days", sec.TokenMaxDays, 1, 3650},
		{"settings.planning.max_items", s.Planning.MaxItems, 1, 200},
		{"settings.planning.deadline_days", s.Planning.DeadlineDays, 1, 120},
		{"settings.mentoring.mentor_min_years", m.MentorMinYears, 0, 50},
		{"settings.mentoring.mentee_max_years", m.MenteeMaxYears, 0, 20},
		{"settings.mentoring.max_mentees", m.MaxMentees, 1, 20},
		{"settings.mentoring.duties.plans_reviewed", m.Duties.PlansReviewed, 0, 100},
		{"settings.mentoring.duties.mentor_observes", m.Duties.MentorObserves, 0, 200},
		{"settings.mentoring.duties.mentee_observes", m.Duties.MenteeObserves, 0, 200},
		{"settings.mentoring.duties.demo_lessons", m.Duties.DemoLessons, 0, 50},
		{"settings.mentoring.duties.report_lessons", m.Duties.ReportLessons, 0, 50},
		{"settings.mentoring.duties.term_summaries", m.Duties.TermSummaries, 0, 10},
		{"settings.mentoring.duties.mentor_credit_per_week", m.Duties.MentorCreditPerWeek, 0, 20},
		{"settings.recognition.window_years", s.Recognition.WindowYears, 1, 10},
		{"settings.recognition.points_per_month", s.Recognition.PointsPerMonth, 0, 100},
		{"settings.recognition.points_per_pair", s.Recognition.PointsPerPair, 0, 100},
		{"settings.recognition.points_cross_pair", s.Recognition.PointsCrossPair, 0, 100},
		{"settings.recognition.points_good_review", s.Recognition.PointsGoodReview, 0, 100},
		{"settings.recognition.flag_days", s.Recognition.FlagDays, 0, 3660},
		{"settings.curriculum.publish_days", s.Curriculum.PublishDays, 1, 60},
		{"settings.curriculum.max_periods", s.Curriculum.MaxPeriods, 4, 14},
		{"settings.curriculum.weekdays", s.Curriculum.Weekdays, 5, 7},
		{"settings.curriculum.pe_arts_per_100", s.Curriculum.PEArtsPer100, 0, 1000},
		{"settings.research.periods_per_day", s.Research.PeriodsPerDay, 1, 14},
		{"settings.research.lease_minutes", s.Research.LeaseMinutes, 1, 480},
		{"settings.research.plan_deadline_days", s.Research.PlanDeadlineDays, 1, 90},
		{"settings.resources.max_document_mb", s.Resources.MaxDocumentMB, 1, 2048},
		{"settings.resources.max_image_mb", s.Resources.MaxImageMB, 1, 200},
		{"settings.resources.max_video_mb", s.Resources.MaxVideoMB, 1, 8192},
		{"settings.resources.max_micro_minutes", s.Resources.MaxMicroMinutes, 1, 60},
		{"settings.resources.max_recording_minutes", s.Resources.MaxRecordingMinutes, 1, 240},
		{"settings.resources.reviewers_per_level", s.Resources.ReviewersPerLevel, 1, 2},
		{"settings.rulebook.confirm_days", s.Rulebook.ConfirmDays, 1, 120},
		{"settings.rulebook.max_articles", s.Rulebook.MaxArticles, 1, 500},
		{"settings.meetings.due_soon_days", s.Meetings.DueSoonDays, 0, 60},
		{"settings.meetings.max_decisions", s.Meetings.MaxDecisions, 1, 500},
	}
	for _, b := range bounds {
		if b.value < b.min || b.value > b.max {
			f.Add(b.field, "policy.range", errs.Args{"min": b.min, "max": b.max})
		}
	}
	for i, r := range sec.TOTPRoles {
		if _, ok := auth.Info(auth.Role(r)); !ok {
			f.Add(fmt.Sprintf("settings.security.totp_roles[%d]", i), "policy.unknown_role", errs.Args{"role": r})
		}
	}
	checkReminders(&f, s.Reminders)
	checkCodes(&f, "settings.exchange.veto_reasons", e.VetoReasons, 1)
	checkCodes(&f, "settings.group.modes", g.Modes, 1)
	checkCodes(&f, "settings.planning.sections", s.Planning.Sections, 1)
	if len(s.Research.Bands) == 0 {
		f.Add("settings.research.bands", "policy.list_min", errs.Args{"min": 1})
	}
	for i, b := range s.Research.Bands {
		if b.Code == "" || b.Name == "" || b.Min < 0 || b.Min > 100 {
			f.Add(fmt.Sprintf("settings.research.bands[%d]", i), "policy.range", errs.Args{"min": 0, "max": 100})
		}
	}
	checkCodes(&f, "settings.rulebook.categories", s.Rulebook.Categories, 1)
	checkCodes(&f, "settings.meetings.kinds", s.Meetings.Kinds, 1)
	seenKind := map[string]bool{}
	for i, k := range s.Reports.Kinds {
		at := fmt.Sprintf("settings.reports.kinds[%d]", i)
		if k.Code == "" || k.Label == "" || len(k.Code) > 40 || len([]rune(k.Label)) > 100 {
			f.Add(at, "policy.code_entry", nil)
		}
		if seenKind[k.Code] {
			f.Add(at, "policy.code_duplicate", errs.Args{"code": k.Code})
		}
		seenKind[k.Code] = true
		if k.Cadence != "month" && k.Cadence != "term" {
			f.Add(at+".cadence", "field.one_of", errs.Args{"values": "month, term"})
		}
		if k.DueDays < 0 || k.DueDays > 60 {
			f.Add(at+".due_days", "policy.range", errs.Args{"min": 0, "max": 60})
		}
	}
	if len(m.MentorHonours)+len(m.MentorTitles) == 0 {
		f.Add("settings.mentoring.mentor_honours", "policy.list_min", errs.Args{"min": 1})
	}
	checkNames(&f, "settings.mentoring.mentor_honours", m.MentorHonours)
	checkNames(&f, "settings.mentoring.mentor_titles", m.MentorTitles)
	checkCurriculum(&f, s.Curriculum)
	return f.Err()
}

func checkCodes(f *errs.Fields, field string, codes []Code, min int) {
	if len(codes) < min {
		f.Add(field, "policy.list_min", errs.Args{"min": min})
	}
	seen := map[string]bool{}
	for i, c := range codes {
		at := fmt.Sprintf("%s[%d]", field, i)
		if c.Code == "" || c.Label == "" || len(c.Code) > 40 || len([]rune(c.Label)) > 100 {
			f.Add(at, "policy.code_entry", nil)
		}
		if seen[c.Code] {
			f.Add(at, "policy.code_duplicate", errs.Args{"code": c.Code})
		}
		seen[c.Code] = true
	}
}

// checkNames checks a list of registry values (honours, titles): none empty,
// too long or repeated.
func checkNames(f *errs.Fields, field string, names []string) {
	seen := map[string]bool{}
	for i, n := range names {
		at := fmt.Sprintf("%s[%d]", field, i)
		if n == "" || len([]rune(n)) > 40 {
			f.Add(at, "policy.code_entry", nil)
		}
		if seen[n] {
			f.Add(at, "policy.code_duplicate", errs.Args{"code": n})
		}
		seen[n] = true
	}
}

// escalationRoles are the county roles an overdue item may be escalated to.
var escalationRoles = map[string]bool{string(auth.BureauLeader): true, string(auth.SectionBasic): true, string(auth.SectionCadre): true,
	string(auth.SectionPersonnel): true, string(auth.Supervision): true}

func checkReminders(f *errs.Fields, r Reminders) {
	check := func(at string, soon, after int, to string) {
		if soon < 0 || soon > 60 {
			f.Add(at+".due_soon_days", "policy.range", errs.Args{"min": 0, "max": 60})
		}
		if after < 0 || after > 365 {
			f.Add(at+".escalate_after_days", "policy.range", errs.Args{"min": 0, "max": 365})
		}
		if to != "" && !escalationRoles[to] {
			f.Add(at+".escalate_to", "policy.unknown_role", errs.Args{"role": to})
		}
	}
	check("settings.reminders", r.DueSoonDays, r.EscalateAfterDays, r.EscalateTo)
	seen := map[string]bool{}
	for i, x := range r.Rules {
		at := fmt.Sprintf("settings.reminders.rules[%d]", i)
		if x.Kind == "" || len(x.Kind) > 60 {
			f.Add(at+".kind", "policy.code_entry", nil)
		}
		if seen[x.Kind] {
			f.Add(at+".kind", "policy.code_duplicate", errs.Args{"code": x.Kind})
		}
		seen[x.Kind] = true
		check(at, x.DueSoonDays, x.EscalateAfterDays, x.EscalateTo)
	}
}

// checkCurriculum: the term starts are MM-DD and every load a positive
// number of lessons for a known 学段, each 学段 with its default row.
func checkCurriculum(f *errs.Fields, c Curriculum) {
	for name, v := range map[string]string{"first_term_start": c.FirstTermStart, "second_term_start": c.SecondTermStart} {
		var m, d int
		if n, err := fmt.Sscanf(v, "%02d-%02d", &m, &d); n != 2 || err != nil || len(v) != 5 || m < 1 || m > 12 || d < 1 || d > 28 {
			f.Add("settings.curriculum."+name, "policy.month_day", nil)
		}
	}
	defaults := map[string]bool{}
	for i, l := range c.Loads {
		if l.Stage != "primary" && l.Stage != "junior" {
			f.Add(fmt.Sprintf("settings.curriculum.loads[%d].stage", i), "policy.stage", nil)
		}
		if l.Lessons < 1 || l.Lessons > 30 {
			f.Add(fmt.Sprintf("settings.curriculum.loads[%d].lessons", i), "policy.range", errs.Args{"min": 1, "max": 30})
		}
		if l.Subject == "" {
			defaults[l.Stage] = true
		}
	}
	for _, st := range []string{"primary", "junior"} {
		if !defaults[st] {
			f.Add("settings.curriculum.loads", "policy.load_default", errs.Args{"stage": st})
		}
	}
}
