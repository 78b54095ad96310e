import { ref } from 'vue'
import { http } from '@/api/http'
import type { ExchangeInbox } from '@/api/types'

// The exchange to-do count the menu shows (待办). One shared value: the layout
// refreshes it on every navigation, the pages after an action.
const total = ref(0)
const counts = ref<Record<string, number>>({})
let seq = 0

export function useInboxCount() {
  return { total, counts }
}

/** Asks the server again; errors leave the last count (the menu is no place for them). */
export async function refreshInbox(): Promise<ExchangeInbox | null> {
  const mine = ++seq
  try {
    const box = await http.get<ExchangeInbox>('/exchanges/inbox')
    if (mine === seq) {
      total.value = box.total ?? 0
      counts.value = box.counts ?? {}
    }
    return box
  } catch {
    return null
  }
}

/** Takes the counts of an inbox a page fetched itself. */
export function setInbox(box: ExchangeInbox): void {
  seq++
  total.value = box.total ?? 0
  counts.value = box.counts ?? {}
}

export function clearInbox(): void {
  seq++
  total.value = 0
  counts.value = {}
}
