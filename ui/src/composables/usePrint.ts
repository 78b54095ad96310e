import { onBeforeUnmount, onMounted, ref } from 'vue'
import { formatDateTime } from '@/utils/format'

/**
 * A report's print view: printedAt is the time the page was printed (set
 * by the print button and by the browser's own print command), print()
 * stamps it and opens the print dialog once the stamp has rendered.
 */
export function usePrint() {
  const printedAt = ref('')
  function stamp() {
    printedAt.value = formatDateTime(new Date().toISOString())
  }
  function print() {
    stamp()
    setTimeout(() => window.print(), 50)
  }
  onMounted(() => window.addEventListener('beforeprint', stamp))
  onBeforeUnmount(() => window.removeEventListener('beforeprint', stamp))
  return { printedAt, print }
}
