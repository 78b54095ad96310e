import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import { i18n, loadCurrentLocale } from '@/i18n'
import { examRoutes } from './exams'
import { planningPrintRoute, planningRoutes } from './planning'
import { growthRoutes, mentoringPrintRoute, mentoringRoutes } from './mentoring'
import { curriculumPrintRoute, curriculumRoutes } from './curriculum'
import { researchRoutes } from './research'
import { resourceRoutes } from './resources'
import { governancePrintRoute, governanceRoutes } from './governance'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** Permission of the active grant the page needs. */
    perm?: string
    /** i18n key of the page title. */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  {
    path: '/password',
    name: 'password',
    component: () => import('@/views/PasswordView.vue'),
    meta: { title: 'password.title' },
  },
  {
    path: '/totp',
    name: 'totp',
    component: () => import('@/views/TotpView.vue'),
    meta: { title: 'totp.title' },
  },
  // The approval form prints on its own, without the menu and header.
  {
    path: '/exchanges/:id(\\d+)/print',
    name: 'exchange-print',
    component: () => import('@/views/exchange/ExchangePrintView.vue'),
    meta: { perm: 'exchanges.read', title: 'exchange.print' },
  },
  planningPrintRoute,
  governancePrintRoute,
  mentoringPrintRoute,
  curriculumPrintRoute,
  {
    path: '/',
    // The menu and header load after sign-in, not with the login page.
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('@/views/WorkbenchView.vue'), meta: { title: 'nav.dashboard' } },
      {
        path: 'notifications/settings',
        name: 'notification-settings',
        component: () => import('@/views/NotificationSettingsView.vue'),
        meta: { title: 'workbench.prefs.title' },
      },
      { path: 'schools', name: 'schools', component: () => import('@/views/SchoolsView.vue'), meta: { perm: 'registry.read', title: 'nav.schools' } },
      {
        path: 'schools/:id(\\d+)',
        name: 'school',
        component: () => import('@/views/SchoolDetailView.vue'),
        meta: { perm: 'registry.read', title: 'schools.detailTitle' },
      },
      { path: 'groups', name: 'groups', component: () => import('@/views/GroupsView.vue'), meta: { perm: 'registry.read', title: 'nav.groups' } },
      {
        path: 'groups/:id(\\d+)',
        name: 'group',
        component: () => import('@/views/GroupDetailView.vue'),
        meta: { perm: 'registry.read', title: 'groups.detailTitle' },
      },
      { path: 'moves', name: 'moves', component: () => import('@/views/MovesView.vue'), meta: { perm: 'registry.read', title: 'nav.moves' } },
      {
        path: 'graduations',
        name: 'graduations',
        component: () => import('@/views/GraduationsView.vue'),
        meta: { perm: 'groups.approve', title: 'nav.graduations' },
      },
      { path: 'staff', name: 'staff', component: () => import('@/views/StaffView.vue'), meta: { perm: 'staff.read', title: 'nav.staff' } },
      {
        path: 'staff/:id(\\d+)',
        name: 'staff-member',
        component: () => import('@/views/StaffDetailView.vue'),
        meta: { perm: 'staff.read', title: 'staff.detailTitle' },
      },
      {
        path: 'exchanges/inbox',
        name: 'exchange-inbox',
        component: () => import('@/views/exchange/InboxView.vue'),
        meta: { perm: 'exchanges.read', title: 'nav.exchangeInbox' },
      },
      {
        path: 'exchanges',
        name: 'exchanges',
        component: () => import('@/views/exchange/LedgerView.vue'),
        meta: { perm: 'exchanges.read', title: 'nav.exchangeLedger' },
      },
      {
        path: 'exchanges/new',
        name: 'exchange-new',
        component: () => import('@/views/exchange/ApplyView.vue'),
        meta: { perm: 'exchanges.apply', title: 'nav.exchangeApply' },
      },
      {
        path: 'exchanges/calendar',
        name: 'exchange-calendar',
        component: () => import('@/views/exchange/CalendarView.vue'),
        meta: { perm: 'exchanges.read', title: 'nav.exchangeCalendar' },
      },
      {
        path: 'exchanges/:id(\\d+)',
        name: 'exchange',
        component: () => import('@/views/exchange/ExchangeDetailView.vue'),
        meta: { perm: 'exchanges.read', title: 'exchange.detailTitle' },
      },
      {
        path: 'exchanges/:id(\\d+)/edit',
        name: 'exchange-edit',
        component: () => import('@/views/exchange/ApplyView.vue'),
        meta: { perm: 'exchanges.apply', title: 'exchange.editTitle' },
      },
      {
        path: 'exchange-teams',
        name: 'exchange-teams',
        component: () => import('@/views/exchange/TeamsView.vue'),
        meta: { perm: 'exchanges.read', title: 'nav.exchangeTeams' },
      },
      {
        path: 'exchange-teams/:id(\\d+)',
        name: 'exchange-team',
        component: () => import('@/views/exchange/TeamDetailView.vue'),
        meta: { perm: 'exchanges.read', title: 'exchange.teamDetailTitle' },
      },
      { path: 'admin/users', name: 'users', component: () => import('@/views/admin/UsersView.vue'), meta: { perm: 'users.read', title: 'nav.users' } },
      { path: 'admin/policy', name: 'policy', component: () => import('@/views/admin/PolicyView.vue'), meta: { perm: 'policy.read', title: 'nav.policy' } },
      { path: 'admin/audit', name: 'audit', component: () => import('@/views/admin/AuditView.vue'), meta: { perm: 'audit.read', title: 'nav.audit' } },
      { path: 'tokens', name: 'tokens', component: () => import('@/views/TokensView.vue'), meta: { perm: 'tokens.self', title: 'nav.tokens' } },
      ...examRoutes,
      ...planningRoutes,
      ...governanceRoutes,
      ...mentoringRoutes,
      ...growthRoutes,
      ...curriculumRoutes,
      ...researchRoutes,
      ...resourceRoutes,
      { path: 'forbidden', name: 'forbidden', component: () => import('@/views/ForbiddenView.vue'), meta: { title: 'errors.forbiddenTitle' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: 'errors.notFoundTitle' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  // The chosen language's messages arrive before the first page (and its title).
  await loadCurrentLocale()
  const store = useSessionStore()
  if (!store.loaded) {
    try {
      await store.fetch()
    } catch {
      // server unreachable: treat as signed out, the login page says so on submit
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && store.session && !store.user?.must_change_password) {
      const r = typeof to.query.redirect === 'string' ? to.query.redirect : '/'
      return r.startsWith('/') && !r.startsWith('//') ? r : '/'
    }
    return true
  }
  if (!store.session) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (store.user?.must_change_password && to.name !== 'password') {
    return { name: 'password', query: { redirect: to.fullPath } }
  }
  if (store.user?.must_enroll_totp && to.name !== 'totp' && to.name !== 'password') {
    return { name: 'totp', query: { redirect: to.fullPath } }
  }
  if (to.meta.perm && !store.can(to.meta.perm)) {
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  const app = i18n.global.t('app.title')
  document.title = to.meta.title ? `${i18n.global.t(to.meta.title)} - ${app}` : app
})
