import { reactive, ref } from 'vue'
import { http } from '@/api/http'
import type { Page } from '@/api/types'
import { notifyError } from './useErrors'

/**
 * Server-side paged, sorted and filtered list. `filters` holds the query
 * parameters besides paging; call search() after changing them.
 */
export function useTable<T, F extends Record<string, unknown>>(path: string, filters: F, pageSize = 20) {
  const items = ref<T[]>([]) as { value: T[] }
  const total = ref(0)
  const loading = ref(false)
  /** True once the latest request has answered; browser tests wait on it. */
  const ready = ref(false)
  const state = reactive({ page: 1, pageSize, sort: '', order: '' as '' | 'asc' | 'desc' })
  const initial = { ...filters }
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    ready.value = false
    try {
      const res = await http.get<Page<T>>(path, {
        ...filters,
        page: state.page,
        page_size: state.pageSize,
        sort: state.sort || undefined,
        order: state.sort ? state.order : undefined,
      })
      if (mine !== seq) return
      items.value = res.items ?? []
      // A list that forgets its total still shows what it has.
      total.value = typeof res.total === 'number' ? res.total : (state.page - 1) * state.pageSize + items.value.length
    } catch (e) {
      if (mine === seq) {
        items.value = []
        total.value = 0
      }
      notifyError(e)
    } finally {
      if (mine === seq) {
        loading.value = false
        ready.value = true
      }
    }
  }

  function search() {
    state.page = 1
    return load()
  }

  function reset() {
    Object.assign(filters, initial)
    state.sort = ''
    state.order = ''
    return search()
  }

  /** Handler for el-table @sort-change with sortable="custom". */
  function onSort({ prop, order }: { prop: string; order: 'ascending' | 'descending' | null }) {
    state.sort = order ? prop : ''
    state.order = order === 'ascending' ? 'asc' : order === 'descending' ? 'desc' : ''
    return search()
  }

  function onPage(p: number) {
    state.page = p
    return load()
  }

  function onPageSize(s: number) {
    state.pageSize = s
    return search()
  }

  return { items, total, loading, ready, state, load, search, reset, onSort, onPage, onPageSize }
}
