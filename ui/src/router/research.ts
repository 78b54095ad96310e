import type { RouteRecordRaw } from 'vue-router'

/** The 联合教研 pages: children of the app layout, before its catch-all. */
export const researchRoutes: RouteRecordRaw[] = [
  {
    path: 'research/groups',
    name: 'research-groups',
    component: () => import('@/views/research/GroupsView.vue'),
    meta: { perm: 'research.read', title: 'nav.researchGroups' },
  },
  {
    path: 'research/groups/:id(\\d+)',
    name: 'research-group',
    component: () => import('@/views/research/GroupView.vue'),
    meta: { perm: 'research.read', title: 'research.group.title' },
  },
  {
    path: 'research/preps/:id(\\d+)',
    name: 'research-prep',
    component: () => import('@/views/research/PrepView.vue'),
    meta: { perm: 'research.read', title: 'research.prep.title' },
  },
  {
    path: 'research/free-periods',
    name: 'research-free-periods',
    component: () => import('@/views/research/FreePeriodsView.vue'),
    meta: { perm: 'research.school', title: 'nav.researchFreePeriods' },
  },
  {
    path: 'research/observations',
    name: 'research-observations',
    component: () => import('@/views/research/ObservationsView.vue'),
    meta: { perm: 'research.read', title: 'nav.researchObservations' },
  },
  {
    path: 'research/observations/:id(\\d+)',
    name: 'research-observation',
    component: () => import('@/views/research/ObservationView.vue'),
    meta: { perm: 'research.read', title: 'research.obs.title' },
  },
  {
    path: 'research/activities',
    name: 'research-activities',
    component: () => import('@/views/research/ActivitiesView.vue'),
    meta: { perm: 'research.read', title: 'nav.researchActivities' },
  },
  {
    path: 'research/activities/:id(\\d+)',
    name: 'research-activity',
    component: () => import('@/views/research/ActivityView.vue'),
    meta: { perm: 'research.read', title: 'research.act.title' },
  },
  {
    path: 'research/activities/:id(\\d+)/sign-in',
    name: 'research-sign-in',
    component: () => import('@/views/research/SignInView.vue'),
    meta: { perm: 'research.read', title: 'research.act.signIn' },
  },
  {
    path: 'research/diagnosis',
    name: 'research-diagnosis',
    component: () => import('@/views/research/DiagnosisView.vue'),
    meta: { perm: 'research.read', title: 'nav.researchDiagnosis' },
  },
]
