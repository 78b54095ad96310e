import type { RouteRecordRaw } from 'vue-router'

/** The 教师结对 pages: children of the app layout, before its catch-all. */
export const mentoringRoutes: RouteRecordRaw[] = [
  {
    path: 'mentoring/pairs',
    name: 'mentoring-pairs',
    component: () => import('@/views/mentoring/PairsView.vue'),
    meta: { perm: 'mentoring.read', title: 'nav.mentoringPairs' },
  },
  {
    path: 'mentoring/pairs/new',
    name: 'mentoring-new',
    component: () => import('@/views/mentoring/PairFormView.vue'),
    meta: { perm: 'mentoring.manage', title: 'nav.mentoringNew' },
  },
  {
    path: 'mentoring/pairs/:id(\\d+)',
    name: 'mentoring-pair',
    component: () => import('@/views/mentoring/PairDetailView.vue'),
    meta: { perm: 'mentoring.read', title: 'mentoring.detail.title' },
  },
  {
    path: 'mentoring/coverage',
    name: 'mentoring-coverage',
    component: () => import('@/views/mentoring/CoverageView.vue'),
    meta: { perm: 'mentoring.read', title: 'nav.mentoringCoverage' },
  },
]

/** The agreement prints on its own, without the menu and header. */
export const mentoringPrintRoute: RouteRecordRaw = {
  path: '/mentoring/pairs/:id(\\d+)/print',
  name: 'mentoring-print',
  component: () => import('@/views/mentoring/PairPrintView.vue'),
  meta: { perm: 'mentoring.read', title: 'mentoring.print.title' },
}

/** 成长档案 and the recommendation list: children of the app layout. */
export const growthRoutes: RouteRecordRaw[] = [
  {
    path: 'staff/:id(\\d+)/growth',
    name: 'growth-record',
    component: () => import('@/views/growth/GrowthView.vue'),
    meta: { perm: 'growth.read', title: 'nav.growthRecord' },
  },
  {
    path: 'growth/me',
    name: 'growth-me',
    component: () => import('@/views/growth/GrowthView.vue'),
    meta: { perm: 'growth.read', title: 'nav.growthMine' },
  },
  {
    path: 'growth/recommendations',
    name: 'growth-recommend',
    component: () => import('@/views/growth/RecommendView.vue'),
    meta: { perm: 'growth.recommend', title: 'nav.growthRecommend' },
  },
]
