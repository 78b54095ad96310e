// 联合教研 (GET/POST /research/…); the shapes are the generated ones.
import { downloadUrl, http } from './http'
import type { components } from './schema'

type S = components['schemas']

export type ResearchGroup = S['Research.Group']
export type ResearchGroupDetail = S['Research.GroupDetail']
export type ResearchMember = S['Research.Member']
export type SlotCheck = S['Research.SlotCheck']
export type SlotResult = S['Research.SlotResult']
export type FreePeriods = S['Research.FreePeriods']
export type Period = S['Research.Period']
export type Prep = S['Research.Prep']
export type PrepDetail = S['Research.PrepDetail']
export type PlanSection = S['Research.Section']
export type Rubric = S['Research.Rubric']
export type Observation = S['Research.Observation']
export type ObsDetail = S['Research.ObsDetail']
export type Answer = S['Research.Answer']
export type Diagnosis = S['Research.Diagnosis']

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const

export const getGroups = (q: { group_id?: number; mine?: boolean } = {}) => http.get<ResearchGroup[]>('/research/groups', q)
export const propose = (groupId: number) => http.post<S['Research.ProposeResult']>('/research/groups/propose', { group_id: groupId })
export const setSlot = (id: number, body: { weekday: number; periods: number[]; version: number }) => http.put<SlotResult>(`/research/groups/${id}/slot`, body)
export const checkSlot = (id: number, weekday: number, periods: number[]) =>
  http.get<SlotCheck>(`/research/groups/${id}/slot-check`, { weekday, periods: periods.join(',') })
export const getFreePeriods = (school: number) => http.get<FreePeriods>(`/research/schools/${school}/free-periods`)
export const putFreePeriods = (school: number, term: string, periods: Period[]) =>
  http.put<FreePeriods>(`/research/schools/${school}/free-periods`, { term, periods })
export const createPrep = (body: S['Research.PrepInput']) => http.post<PrepDetail>('/research/preps', body)
export const lease = (id: number) => http.post<PrepDetail>(`/research/preps/${id}/lease`)
export const release = (id: number) => http.del<PrepDetail>(`/research/preps/${id}/lease`)
export const saveVersion = (id: number, body: S['Research.VersionInput']) => http.post<PrepDetail>(`/research/preps/${id}/versions`, body)
export const addComment = (id: number, section: number, body: string) => http.post<PrepDetail>(`/research/preps/${id}/comments`, { section, body })
export const saveAdaptation = (id: number, body: S['Research.AdaptationInput']) => http.put<PrepDetail>(`/research/preps/${id}/adaptation`, body)
export const saveForm = (id: number, answers: Answer[], submit: boolean) => http.put<ObsDetail>(`/research/observations/${id}/form`, { answers, submit })
export const obsText = (id: number, which: 'feedback' | 'reflection', text: string, version: number) =>
  http.post<ObsDetail>(`/research/observations/${id}/${which}`, { text, version })
export const diagnosisUrl = (groupId: number, subject = '') => downloadUrl('/research/diagnosis/export', { group_id: groupId, subject })

export function prepTag(s: string): 'success' | 'warning' | 'info' | 'primary' {
  return ({ drafting: 'warning', discussing: 'primary', published: 'success' } as const)[s as 'drafting'] ?? 'info'
}

export type Activity = S['Research.Activity']
export type ActivityDetail = S['Research.ActivityDetail']
export type SignInCode = S['Research.SignInCode']
export const ACTIVITY_KINDS = ['prep', 'observe', 'seminar', 'contest', 'lecture', 'project'] as const
export const getActivities = (q: { from?: string; to?: string; research_group_id?: number }) => http.get<Activity[]>('/research/activities', q)
export const createActivity = (body: S['Research.ActivityInput']) => http.post<ActivityDetail>('/research/activities', body)
export const markAttendance = (id: number, marks: { staff_id: number; status: string; reason: string }[]) =>
  http.put<ActivityDetail>(`/research/activities/${id}/attendance`, { marks })
export const recordActivity = (id: number, minutes: string, outputs: string, version: number) =>
  http.put<ActivityDetail>(`/research/activities/${id}/record`, { minutes, outputs, version })
export const signInCode = (id: number) => http.get<SignInCode>(`/research/activities/${id}/sign-in-code`)
export const signIn = (id: number, exp: number, sig: string) => http.post<ActivityDetail>(`/research/activities/${id}/sign-in`, { exp, sig })
