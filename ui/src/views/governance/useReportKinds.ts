import { ref } from 'vue'
import type { PolicyVersion } from '@/api/types'
import { http } from '@/api/http'

/** The member report kinds of the policy settings in force. */
export function useReportKinds() {
  const kinds = ref<{ code: string; label: string }[]>([])
  async function loadKinds() {
    try {
      const p = await http.get<PolicyVersion>('/policy')
      kinds.value = p.settings.reports.kinds
    } catch {
      kinds.value = []
    }
  }
  const kindLabel = (code: string) => kinds.value.find((c) => c.code === code)?.label ?? code
  return { kinds, loadKinds, kindLabel }
}
