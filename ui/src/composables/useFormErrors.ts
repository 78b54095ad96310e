import { ref } from 'vue'
import { ApiError } from '@/api/http'
import type { ErrorDetail } from '@/api/types'
import { errorText, notifyError } from './useErrors'
import { isScaleRule } from '@/utils/codes'

/**
 * Error state of a form dialog: messages under the fields the server named
 * (422 details[].field), one line for the rest, and the scale-limit warnings
 * (details[].rule "scale_…") that a stated reason gets past.
 */
export function useFormErrors() {
  const fields = ref<Record<string, string>>({})
  const message = ref('')
  /** Scale limits the last answer named; the form then asks for override_reason. */
  const scale = ref<ErrorDetail[]>([])

  function clear(keepScale = false) {
    fields.value = {}
    message.value = ''
    if (!keepScale) scale.value = []
  }

  /** Puts a thrown error into the form (or a toast when it is not the form's business). */
  function take(e: unknown) {
    if (!(e instanceof ApiError) || e.handled) {
      notifyError(e)
      return
    }
    fields.value = e.fieldErrors()
    const rules = e.otherDetails()
    const scaleRules = rules.filter((d) => isScaleRule(d.rule))
    if (e.status === 422 && scaleRules.length && scaleRules.length === rules.length) {
      // Over a policy limit: show the limits and ask for a reason, keep the form.
      scale.value = scaleRules
      message.value = ''
      return
    }
    message.value = errorText(e)
  }

  return { fields, message, scale, clear, take }
}
