// 教师结对 (GET/POST /mentoring/…); the shapes are the generated ones.
import { http } from './http'
import type { components } from './schema'

type S = components['schemas']

export type MentoringPair = S['Mentoring.Pair']
export type MentoringDetail = S['Mentoring.Detail']
export type MentoringInput = S['Mentoring.Input']
export type MentoringCandidate = S['Mentoring.Candidate']
export type MentoringCandidates = S['Mentoring.CandidateList']
export type MentoringCoverage = S['Mentoring.Coverage']
export type SchoolCoverage = S['Mentoring.SchoolCoverage']
export type NewTeacher = S['Mentoring.NewTeacher']

export const MENTORING_KINDS = ['intro', 'collab', 'advance'] as const
export const MENTORING_STATUSES = ['proposed', 'active', 'declined', 'cancelled', 'ended'] as const

export const createPair = (p: MentoringInput) => http.post<MentoringDetail>('/mentoring/pairs', p)
export const getCandidates = (role: 'mentor' | 'mentee', schoolId: number) =>
  http.get<MentoringCandidates>('/mentoring/candidates', { role, school_id: schoolId })
export const getCoverage = (q: { group_id?: number; school_id?: number; unpaired?: boolean }) => http.get<MentoringCoverage>('/mentoring/coverage', q)
export const pairStep = (id: number, step: 'confirm' | 'decline' | 'cancel' | 'end', body: { version: number; note?: string; party?: string }) =>
  http.post<MentoringDetail>(`/mentoring/pairs/${id}/${step}`, body)

/** The term a date falls in: September–January the first term of the school year. */
export function termOf(d = new Date()): string {
  const y = d.getFullYear()
  const m = d.getMonth() + 1
  if (m >= 9) return `${y}-${y + 1}-1`
  if (m === 1) return `${y - 1}-${y}-1`
  return `${y - 1}-${y}-2`
}

export function statusTag(s: string): 'success' | 'warning' | 'info' | 'danger' | 'primary' {
  return ({ proposed: 'warning', active: 'success', declined: 'danger', cancelled: 'info', ended: 'info' } as const)[s as 'active'] ?? 'info'
}

export type MentoringActivity = S['Mentoring.Activity']
export type MentoringActivityInput = S['Mentoring.ActivityInput']
export type MentoringReview = S['Mentoring.Review']
export type MentoringReviewInput = S['Mentoring.ReviewInput']

export const ACTIVITY_KINDS = ['mentee_observes', 'mentor_observes', 'plan_review', 'demo_lesson', 'report_lesson', 'critique', 'seminar'] as const
export const GRADES = ['excellent', 'good', 'pass', 'fail'] as const

export const logActivity = (pairId: number, body: MentoringActivityInput) => http.post<MentoringActivity>(`/mentoring/pairs/${pairId}/activities`, body)
export const decideActivity = (pairId: number, id: number, body: { confirm: boolean; reason: string; version: number }) =>
  http.post<MentoringActivity>(`/mentoring/pairs/${pairId}/activities/${id}/decide`, body)
export const writeReview = (pairId: number, body: MentoringReviewInput) => http.post<MentoringDetail>(`/mentoring/pairs/${pairId}/review`, body)
