import type { RouteRecordRaw } from 'vue-router'

/** The 课程开设与师资调配 pages: children of the app layout, before its catch-all. */
export const curriculumRoutes: RouteRecordRaw[] = [
  {
    path: 'curriculum/timetables',
    name: 'curriculum-timetables',
    component: () => import('@/views/curriculum/TimetablesView.vue'),
    meta: { perm: 'curriculum.read', title: 'nav.curriculumTimetables' },
  },
  {
    path: 'curriculum/timetables/:id(\\d+)',
    name: 'curriculum-timetable',
    component: () => import('@/views/curriculum/TimetableView.vue'),
    meta: { perm: 'curriculum.read', title: 'curriculum.timetable.title' },
  },
  {
    path: 'curriculum/kindergarten/:id(\\d+)',
    name: 'curriculum-kindergarten',
    component: () => import('@/views/curriculum/KindergartenView.vue'),
    meta: { perm: 'curriculum.read', title: 'curriculum.kg.title' },
  },
  {
    path: 'curriculum/register/:id(\\d+)',
    name: 'curriculum-register',
    component: () => import('@/views/curriculum/RegisterView.vue'),
    meta: { perm: 'curriculum.read', title: 'curriculum.register.title' },
  },
  {
    path: 'curriculum/summary',
    name: 'curriculum-summary',
    component: () => import('@/views/curriculum/SummaryView.vue'),
    meta: { perm: 'curriculum.read', title: 'nav.curriculumSummary' },
  },
  {
    path: 'curriculum/staffing',
    name: 'curriculum-staffing',
    component: () => import('@/views/curriculum/StaffingView.vue'),
    meta: { perm: 'curriculum.read', title: 'nav.curriculumStaffing' },
  },
  {
    path: 'curriculum/plan',
    name: 'curriculum-plan',
    component: () => import('@/views/curriculum/PlanView.vue'),
    meta: { perm: 'curriculum.read', title: 'nav.curriculumPlan' },
  },
  {
    path: 'curriculum/spot-checks',
    name: 'curriculum-spot-checks',
    component: () => import('@/views/curriculum/SpotChecksView.vue'),
    meta: { perm: 'curriculum.read', title: 'nav.curriculumSpotChecks' },
  },
]

/** The register prints on its own, without the menu and header (A4). */
export const curriculumPrintRoute: RouteRecordRaw = {
  path: '/curriculum/register/:id(\\d+)/print',
  name: 'curriculum-register-print',
  component: () => import('@/views/curriculum/RegisterView.vue'),
  props: { print: true },
  meta: { perm: 'curriculum.read', title: 'curriculum.register.title' },
}
