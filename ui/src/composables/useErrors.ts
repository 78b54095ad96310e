import { ElMessage } from 'element-plus'
import { ApiError } from '@/api/http'
import { i18n } from '@/i18n'

/** Human text for any thrown error: the server's localized message, or a generic one. */
export function errorText(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    if (e.status === 0) return t('common.networkError')
    const base = e.message || t('common.unknownError')
    const rules = e.otherDetails().map((d) => d.message)
    const text = rules.length ? t('common.withDetails', { message: base, details: rules.join(t('common.listSep')) }) : base
    return e.requestId && e.status >= 500 ? t('common.withRequestId', { message: text, id: e.requestId }) : text
  }
  return t('common.unknownError')
}

/** Shows the error unless the client already redirected because of it. */
export function notifyError(e: unknown): void {
  if (e instanceof ApiError && e.handled) return
  ElMessage({ type: 'error', message: errorText(e), grouping: true, showClose: true })
}

export function notifySuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true })
}
