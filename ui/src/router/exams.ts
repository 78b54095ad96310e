import type { RouteRecordRaw } from 'vue-router'

/** The 质量分析 pages: children of the app layout, before its catch-all. */
export const examRoutes: RouteRecordRaw[] = [
  { path: 'exams', name: 'exams', component: () => import('@/views/exams/ExamListView.vue'), meta: { perm: 'exams.read', title: 'nav.examList' } },
  { path: 'exams/gap', name: 'exam-gap', component: () => import('@/views/exams/GapTrendView.vue'), meta: { perm: 'exams.read', title: 'nav.examGap' } },
  { path: 'exams/new', name: 'exam-new', component: () => import('@/views/exams/ExamFormView.vue'), meta: { perm: 'exams.manage', title: 'exams.form.createTitle' } },
  {
    path: 'exams/:id(\\d+)',
    name: 'exam',
    component: () => import('@/views/exams/ExamDetailView.vue'),
    meta: { perm: 'exams.read', title: 'exams.detail.title' },
  },
  {
    path: 'exams/:id(\\d+)/edit',
    name: 'exam-edit',
    component: () => import('@/views/exams/ExamFormView.vue'),
    meta: { perm: 'exams.manage', title: 'exams.form.editTitle' },
  },
  {
    path: 'exams/:id(\\d+)/import',
    name: 'exam-import',
    component: () => import('@/views/exams/ExamImportView.vue'),
    meta: { perm: 'exams.manage', title: 'exams.import.title' },
  },
  {
    path: 'exams/:id(\\d+)/students/:number',
    name: 'exam-student',
    component: () => import('@/views/exams/StudentTrendView.vue'),
    meta: { perm: 'exams.read', title: 'exams.trend.title' },
  },
  {
    path: 'exams/:id(\\d+)/report',
    name: 'exam-report',
    component: () => import('@/views/exams/ExamReportView.vue'),
    meta: { perm: 'exams.read', title: 'exams.report.title' },
  },
]
