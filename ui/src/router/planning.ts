import type { RouteRecordRaw } from 'vue-router'

/** The 计划共融 pages: children of the app layout, before its catch-all. */
export const planningRoutes: RouteRecordRaw[] = [
  { path: 'plans', name: 'plans', component: () => import('@/views/planning/PlanRoundsView.vue'), meta: { perm: 'plans.read', title: 'nav.plans' } },
  {
    path: 'plans/:id(\\d+)',
    name: 'plan-round',
    component: () => import('@/views/planning/PlanRoundView.vue'),
    meta: { perm: 'plans.read', title: 'planning.round.title' },
  },
  {
    path: 'plans/:id(\\d+)/schools/:school(\\d+)',
    name: 'school-plan',
    component: () => import('@/views/planning/SchoolPlanView.vue'),
    meta: { perm: 'plans.read', title: 'planning.plan.title' },
  },
  {
    path: 'plans/:id(\\d+)/group-plan',
    name: 'group-plan',
    component: () => import('@/views/planning/GroupPlanView.vue'),
    meta: { perm: 'plans.read', title: 'planning.group.title' },
  },
]

/** The group plan's A4 print view, outside the layout. */
export const planningPrintRoute: RouteRecordRaw = {
  path: '/plans/:id(\\d+)/group-plan/print',
  name: 'group-plan-print',
  component: () => import('@/views/planning/GroupPlanPrintView.vue'),
  meta: { perm: 'plans.read', title: 'planning.print.title' },
}
