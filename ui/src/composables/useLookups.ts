import { ref } from 'vue'
import { http } from '@/api/http'
import type { Group, ItemList, Page, Township } from '@/api/types'

// Small lists the forms pick from, fetched once per page load.
const townships = ref<Township[]>([])
let townshipsLoad: Promise<void> | null = null

export function useTownships() {
  if (!townshipsLoad) {
    townshipsLoad = http
      .get<ItemList<Township>>('/townships')
      .then((r) => {
        townships.value = r.items ?? []
      })
      .catch(() => {
        townshipsLoad = null
      })
  }
  return townships
}

/** Groups in the caller's scope (first 200), for filters and transfer targets. */
export async function loadGroups(): Promise<Group[]> {
  try {
    return (await http.get<Page<Group>>('/groups', { page: 1, page_size: 200 })).items ?? []
  } catch {
    return []
  }
}
