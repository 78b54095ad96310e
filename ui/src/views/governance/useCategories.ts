import { ref } from 'vue'
import type { PolicyVersion } from '@/api/types'
import { http } from '@/api/http'

/** The rule categories of the policy settings in force, code → label. */
export function useCategories() {
  const categories = ref<{ code: string; label: string }[]>([])
  async function loadCategories() {
    try {
      const p = await http.get<PolicyVersion>('/policy')
      categories.value = p.settings.rulebook.categories
    } catch {
      categories.value = []
    }
  }
  const categoryLabel = (code: string) => categories.value.find((c) => c.code === code)?.label ?? code
  return { categories, loadCategories, categoryLabel }
}
