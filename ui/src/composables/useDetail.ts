import { ref } from 'vue'
import { ApiError, http } from '@/api/http'
import { notifyError } from './useErrors'

/**
 * One object loaded by path. A 404 (absent, or outside the caller's scope:
 * the server answers the same) shows the not-found page; 403 the forbidden one.
 */
export function useDetail<T>(path: () => string) {
  const data = ref<T | null>(null) as { value: T | null }
  const loading = ref(false)
  const missing = ref<'' | 'not-found' | 'forbidden'>('')

  async function load() {
    loading.value = true
    try {
      data.value = await http.get<T>(path())
      missing.value = ''
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) missing.value = 'not-found'
      else if (e instanceof ApiError && e.status === 403 && !e.handled) missing.value = 'forbidden'
      else notifyError(e)
    } finally {
      loading.value = false
    }
  }

  return { data, loading, missing, load }
}
