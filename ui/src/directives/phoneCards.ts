import type { Directive } from 'vue'

// On a phone a list reads better as cards than as a table scrolled sideways.
// This marks the Element Plus table it sits on with .phone-cards and gives
// every body cell its column's header text as data-label, keeping it so as
// rows change; the phone block of styles.css then lays each row out as a
// card of "label  value" lines. On a desktop nothing changes.
type El = HTMLElement & { __cardsObserver?: MutationObserver }

function label(el: HTMLElement): void {
  el.classList.add('phone-cards')
  const heads = [...el.querySelectorAll<HTMLElement>('.el-table__header-wrapper thead tr:last-child th')].map((th) => (th.textContent ?? '').trim())
  el.querySelectorAll<HTMLTableRowElement>('.el-table__body tr.el-table__row').forEach((tr) => {
    Array.from(tr.cells).forEach((td, i) => {
      const l = heads[i] ?? ''
      if (td.dataset.label !== l) td.dataset.label = l
    })
  })
}

export const phoneCards: Directive<El, void> = {
  mounted(el) {
    label(el)
    const obs = new MutationObserver(() => label(el))
    obs.observe(el, { childList: true, subtree: true, characterData: true })
    el.__cardsObserver = obs
  },
  updated(el) {
    label(el)
  },
  unmounted(el) {
    el.__cardsObserver?.disconnect()
  },
}
