import type { RouteRecordRaw } from 'vue-router'

/** The 教学资源库 pages: children of the app layout, before its catch-all. */
export const resourceRoutes: RouteRecordRaw[] = [
  {
    path: 'resources',
    name: 'resources',
    component: () => import('@/views/resources/LibraryView.vue'),
    meta: { perm: 'resources.read', title: 'nav.resourceLibrary' },
  },
  {
    path: 'resources/review',
    name: 'resources-review',
    component: () => import('@/views/resources/LibraryView.vue'),
    props: { review: true },
    meta: { perm: 'resources.review', title: 'nav.resourceReview' },
  },
  {
    path: 'resources/new',
    name: 'resources-new',
    component: () => import('@/views/resources/ResourceFormView.vue'),
    meta: { perm: 'resources.upload', title: 'nav.resourceNew' },
  },
  {
    path: 'resources/:id(\\d+)',
    name: 'resource',
    component: () => import('@/views/resources/ResourceDetailView.vue'),
    meta: { perm: 'resources.read', title: 'resources.detail.title' },
  },
  {
    path: 'resources/coverage',
    name: 'resources-coverage',
    component: () => import('@/views/resources/CoverageView.vue'),
    meta: { perm: 'resources.read', title: 'nav.resourceCoverage' },
  },
  {
    path: 'resources/reach',
    name: 'resources-reach',
    component: () => import('@/views/resources/ReachView.vue'),
    meta: { perm: 'resources.read', title: 'nav.resourceReach' },
  },
]
