import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { http, setCsrfToken, ApiError } from '@/api/http'
import type { Grant, Session, TOTPSetup } from '@/api/types'

export const useSessionStore = defineStore('session', () => {
  const session = ref<Session | null>(null)
  const loaded = ref(false)
  /** Bumped when the active grant changes so views reload their data. */
  const generation = ref(0)

  const user = computed(() => session.value?.user ?? null)
  const grants = computed<Grant[]>(() => session.value?.grants ?? [])
  const activeGrant = computed<Grant | null>(
    () => grants.value.find((g) => g.id === session.value?.active_grant_id) ?? null,
  )
  const permissions = computed(() => new Set(session.value?.permissions ?? []))

  function can(perm: string): boolean {
    return permissions.value.has(perm)
  }

  function set(s: Session | null): void {
    session.value = s
    setCsrfToken(s?.csrf_token ?? '')
    loaded.value = true
  }

  /** Loads the current session; null when not signed in. */
  async function fetch(): Promise<Session | null> {
    try {
      set(await http.get<Session>('/session', undefined, { allow401: true }))
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.code === 'unauthenticated')) set(null)
      else {
        loaded.value = true
        throw e
      }
    }
    return session.value
  }

  /** otp is the authenticator code, asked for only when the server answers otp_required. */
  async function login(username: string, password: string, otp?: string): Promise<Session> {
    const s = await http.post<Session>('/session', { username, password, ...(otp ? { otp } : {}) }, { allow401: true })
    set(s)
    return s
  }

  async function logout(): Promise<void> {
    try {
      await http.del('/session', { allow401: true })
    } finally {
      clear()
    }
  }

  function clear(): void {
    set(null)
  }

  async function changePassword(oldPassword: string, newPassword: string): Promise<Session> {
    const s = await http.put<Session>('/session/password', { old_password: oldPassword, new_password: newPassword })
    set(s)
    return s
  }

  function setupTotp(): Promise<TOTPSetup> {
    return http.post<TOTPSetup>('/session/totp/setup')
  }

  async function enableTotp(code: string): Promise<Session> {
    const s = await http.post<Session>('/session/totp/enable', { code })
    set(s)
    return s
  }

  async function switchGrant(grantId: number): Promise<Session> {
    const s = await http.put<Session>('/session/grant', { grant_id: grantId })
    set(s)
    generation.value++
    return s
  }

  return {
    session,
    loaded,
    generation,
    user,
    grants,
    activeGrant,
    permissions,
    can,
    fetch,
    login,
    logout,
    clear,
    changePassword,
    setupTotp,
    enableTotp,
    switchGrant,
  }
})
