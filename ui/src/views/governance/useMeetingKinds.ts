import { ref } from 'vue'
import type { PolicyVersion } from '@/api/types'
import { http } from '@/api/http'

/** The meeting kinds of the policy settings in force, code → label. */
export function useMeetingKinds() {
  const kinds = ref<{ code: string; label: string }[]>([])
  async function loadKinds() {
    try {
      const p = await http.get<PolicyVersion>('/policy')
      kinds.value = p.settings.meetings.kinds
    } catch {
      kinds.value = []
    }
  }
  const kindLabel = (code: string) => kinds.value.find((c) => c.code === code)?.label ?? code
  return { kinds, loadKinds, kindLabel }
}
