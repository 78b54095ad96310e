import type { Directive } from 'vue'

// On a phone a list reads better as cards than as a table scrolled sideways.
// This marks the Element Plus table it sits on with .phone-cards and gives
// every body cell its column's header text as data-label, keeping it so as
// rows change; the phone block of styles.css then lays each row out as a
// card of "label  value" lines. On a desktop nothing changes.
// `v-phone-cards="false"` leaves the table as it is (for shared components).
type El = HTMLElement & { __cardsObservers?: MutationObserver[]; __cardsOn?: boolean }

function label(el: HTMLElement, on: boolean | undefined): void {
  el.classList.toggle('phone-cards', on !== false)
  if (on === false) return
  const heads = [...el.querySelectorAll<HTMLElement>('.el-table__header-wrapper thead tr:last-child th')].map((th) => (th.textContent ?? '').trim())
  el.querySelectorAll<HTMLTableRowElement>('.el-table__body tr.el-table__row').forEach((tr) => {
    Array.from(tr.cells).forEach((td, i) => {
      const l = heads[i] ?? ''
      if (td.dataset.label !== l) td.dataset.label = l
    })
  })
}

export const phoneCards: Directive<El, boolean | undefined> = {
  mounted(el, binding) {
    el.__cardsOn = binding.value !== false
    label(el, el.__cardsOn)
    // Rows and header texts change below the table; the table's own class
    // list is re-rendered by Element Plus, which drops the marker.
    const rows = new MutationObserver(() => label(el, el.__cardsOn))
    rows.observe(el, { childList: true, subtree: true, characterData: true })
    const own = new MutationObserver(() => el.classList.toggle('phone-cards', el.__cardsOn !== false))
    own.observe(el, { attributes: true, attributeFilter: ['class'] })
    el.__cardsObservers = [rows, own]
  },
  updated(el, binding) {
    el.__cardsOn = binding.value !== false
    label(el, el.__cardsOn)
  },
  unmounted(el) {
    el.__cardsObservers?.forEach((o) => o.disconnect())
  },
}
