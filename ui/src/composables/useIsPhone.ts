import { readonly, ref, type Ref } from 'vue'

/**
 * The phone breakpoint: below this width (CSS px) the shell is the phone
 * layout (menu in a drawer, compact header, stacked forms, full-screen
 * dialogs). The same number is in styles.css as `max-width: 767.98px`.
 */
export const PHONE_MAX_WIDTH = 767.98
export const PHONE_QUERY = `(max-width: ${PHONE_MAX_WIDTH}px)`

let phone: Ref<boolean> | null = null

/**
 * True while the window is phone-sized; one shared media-query listener for
 * the whole app. Use it where CSS cannot decide (a component's props, e.g.
 * a dialog's `fullscreen` or a pager's layout); prefer the CSS media query
 * in styles.css for looks.
 */
export function useIsPhone(): Readonly<Ref<boolean>> {
  if (!phone) {
    const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(PHONE_QUERY) : null
    const r = ref(mq?.matches ?? false)
    mq?.addEventListener('change', (e) => {
      r.value = e.matches
    })
    phone = r
  }
  return readonly(phone)
}
