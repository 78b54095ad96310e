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
  const state = reactive({ page: 1, pageSize, sort: '', order: '' as '' | 'asc' | 'desc' })
  const initial = { ...filters }
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
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
      total.value = res.total ?? 0
    } catch (e) {
      if (mine === seq) {
        items.value = []
        total.value = 0
      }
      notifyError(e)
    } finally {
      if (mine === seq) loading.value = false
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

  return { items, total, loading, state, load, search, reset, onSort, onPage, onPageSize }
}
