import type { Directive } from 'vue'

// Element Plus tables cannot put attributes on their rows; browser tests need
// stable hooks, so this marks every body row of the table it sits on with
// data-testid=<value> and keeps doing so as rows change.
type El = HTMLElement & { __rowObserver?: MutationObserver }

function mark(el: HTMLElement, id: string): void {
  el.querySelectorAll<HTMLElement>('.el-table__body tr.el-table__row').forEach((tr) => {
    if (tr.dataset.testid !== id) tr.dataset.testid = id
  })
}

export const rowTestId: Directive<El, string> = {
  mounted(el, binding) {
    mark(el, binding.value)
    const obs = new MutationObserver(() => mark(el, binding.value))
    obs.observe(el, { childList: true, subtree: true })
    el.__rowObserver = obs
  },
  updated(el, binding) {
    mark(el, binding.value)
  },
  unmounted(el) {
    el.__rowObserver?.disconnect()
  },
}
