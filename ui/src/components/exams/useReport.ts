// The report of one exam, fetched by the part each tab needs (level, subject,
// school) and kept for the life of the page, so switching tabs asks once.
import { examsApi, type ReportQuery, type ReportView } from '@/api/exams'

export type ReportLoader = (q: ReportQuery) => Promise<ReportView>

export function reportLoader(examId: number): ReportLoader {
  const cache = new Map<string, Promise<ReportView>>()
  return (q: ReportQuery) => {
    const key = JSON.stringify([q.level ?? '', q.subject ?? '', q.school ?? ''])
    let p = cache.get(key)
    if (!p) {
      p = examsApi.report(examId, q)
      p.catch(() => cache.delete(key))
      cache.set(key, p)
    }
    return p
  }
}
