import { createApp } from 'vue'
import { createPinia } from 'pinia'
// Components come with the templates that use them (vite.config.ts); the
// message and message-box services are called from scripts, so their CSS
// is imported here.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import App from './App.vue'
import { i18n, currentLocale, loadCurrentLocale } from './i18n'
import { router } from './router'
import { configureHttp } from './api/http'
import { loadCodes } from './api/codes'
import { useSessionStore } from './stores/session'
import { rowTestId } from './directives/rowTestId'
import { phoneCards } from './directives/phoneCards'
import './styles.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(router)
app.directive('row-testid', rowTestId)
app.directive('phone-cards', phoneCards)

const store = useSessionStore()

// The server ends idle sessions; when nothing has talked to it for longer than
// the idle timeout, ask once so the user lands on the login page with a notice
// instead of discovering it on the next click.
let idleTimer: number | undefined
function scheduleIdleProbe(): void {
  window.clearTimeout(idleTimer)
  const secs = store.session?.idle_timeout_seconds
  if (!secs) return
  idleTimer = window.setTimeout(async () => {
    if (!store.session) return
    const s = await store.fetch().catch(() => store.session)
    if (!s) sessionEnded()
  }, (secs + 5) * 1000)
}

function sessionEnded(): void {
  store.clear()
  const cur = router.currentRoute.value
  if (cur.name === 'login') return
  const redirect = cur.name === 'password' ? undefined : cur.fullPath
  router.push({ name: 'login', query: { expired: '1', ...(redirect && redirect !== '/' ? { redirect } : {}) } })
}

configureHttp({
  language: currentLocale,
  onUnauthenticated: sessionEnded,
  onPasswordChangeRequired: () => {
    if (store.session) store.session.user.must_change_password = true
    const cur = router.currentRoute.value
    if (cur.name !== 'password') router.push({ name: 'password', query: { redirect: cur.fullPath } })
  },
  onTotpEnrollmentRequired: () => {
    if (store.session) store.session.user.must_enroll_totp = true
    const cur = router.currentRoute.value
    if (cur.name !== 'totp' && cur.name !== 'password') router.push({ name: 'totp', query: { redirect: cur.fullPath } })
  },
  onActivity: scheduleIdleProbe,
})

// Without the code labels the pages still work, showing raw codes.
Promise.all([router.isReady(), loadCurrentLocale(), loadCodes().catch(() => undefined)]).then(() => app.mount('#app'))
