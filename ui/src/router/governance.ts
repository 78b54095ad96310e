import type { RouteRecordRaw } from 'vue-router'

/** The 制度共建 pages: children of the app layout, before its catch-all. */
export const governanceRoutes: RouteRecordRaw[] = [
  { path: 'rules', name: 'rules', component: () => import('@/views/governance/RulesView.vue'), meta: { perm: 'rules.read', title: 'nav.rules' } },
  {
    path: 'rules/:id(\\d+)',
    name: 'rule',
    component: () => import('@/views/governance/RuleView.vue'),
    meta: { perm: 'rules.read', title: 'rulebook.rule.title' },
  },
  { path: 'meetings', name: 'meetings', component: () => import('@/views/governance/MeetingsView.vue'), meta: { perm: 'meetings.read', title: 'nav.meetings' } },
  {
    path: 'meetings/:id(\\d+)',
    name: 'meeting',
    component: () => import('@/views/governance/MeetingView.vue'),
    meta: { perm: 'meetings.read', title: 'meetings.one' },
  },
  { path: 'followups', name: 'followups', component: () => import('@/views/governance/FollowupsView.vue'), meta: { perm: 'meetings.read', title: 'nav.followups' } },
  {
    path: 'followups/:id(\\d+)',
    name: 'followup',
    component: () => import('@/views/governance/FollowupView.vue'),
    meta: { perm: 'meetings.read', title: 'meetings.followups.one' },
  },
  {
    path: 'member-reports',
    name: 'member-reports',
    component: () => import('@/views/governance/MemberReportsView.vue'),
    meta: { perm: 'reports.read', title: 'nav.memberReports' },
  },
  {
    path: 'member-reports/new',
    name: 'member-report-new',
    component: () => import('@/views/governance/MemberReportNewView.vue'),
    meta: { perm: 'reports.submit', title: 'reports.one' },
  },
  {
    path: 'member-reports/:id(\\d+)',
    name: 'member-report',
    component: () => import('@/views/governance/MemberReportView.vue'),
    meta: { perm: 'reports.read', title: 'reports.one' },
  },
]

/** The rulebook as of a date on A4, outside the layout. */
export const governancePrintRoute: RouteRecordRaw = {
  path: '/rulebook/print',
  name: 'rulebook-print',
  component: () => import('@/views/governance/RulebookPrintView.vue'),
  meta: { perm: 'rules.read', title: 'rulebook.print.title' },
}
