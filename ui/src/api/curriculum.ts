// 课程开设与师资调配 (GET/POST /curriculum/…); the shapes are the generated ones.
import { downloadUrl, http } from './http'
import type { components } from './schema'

type S = components['schemas']

export type PlanView = S['Curriculum.PlanView']
export type Plan = S['Curriculum.Plan']
export type Override = S['Curriculum.Override']
export type Timetable = S['Curriculum.Timetable']
export type TimetableVersion = S['Curriculum.Version']
export type Lesson = S['Curriculum.Lesson']
export type TimetableRow = S['Curriculum.TimetableRow']
export type Register = S['Curriculum.Register']
export type Finding = S['Curriculum.Finding']
export type Summary = S['Curriculum.Summary']
export type Staffing = S['Curriculum.Staffing']
export type Shortage = S['Curriculum.Shortage']
export type Candidate = S['Curriculum.Candidate']
export type Match = S['Curriculum.Match']
export type SpotCheck = S['Curriculum.SpotCheck']
export type KindergartenDay = S['Curriculum.KindergartenDay']
export type DayItem = S['Curriculum.DayItem']

export const MATCH_MODES = ['walk', 'support', 'online'] as const
export const RESPONSIBILITIES = ['county_government', 'bureau', 'principal'] as const
export const SPOT_OUTCOMES = ['match', 'other_teacher', 'other_subject', 'not_on_timetable', 'no_timetable'] as const

export const getPlan = () => http.get<PlanView>('/curriculum/plan')
export const saveOverlay = (body: { seq: number; note: string; rounding: string; overrides: Override[] }) => http.post<PlanView>('/curriculum/plan/overlay', body)
export const getTimetable = (school: number, q: { term?: string; seq?: number; on?: string }) => http.get<Timetable>(`/curriculum/schools/${school}/timetable`, q)
export const publishTimetable = (school: number, body: { term: string; base_seq: number; note: string; lessons: Lesson[] }) =>
  http.post<Timetable>(`/curriculum/schools/${school}/timetable`, body)
export function importTimetable(school: number, term: string, file: File) {
  const form = new FormData()
  form.append('file', file)
  return http.upload<TimetableVersion>(`/curriculum/schools/${school}/timetable/import?term=${encodeURIComponent(term)}`, form)
}
export const templateUrl = () => downloadUrl('/curriculum/timetable/template')
export const getRegister = (school: number, q: { term?: string; on?: string }) => http.get<Register>(`/curriculum/schools/${school}/register`, q)
export const registerExportUrl = (school: number, term: string) => downloadUrl(`/curriculum/schools/${school}/register/export`, { term })
export const saveRecord = (school: number, body: { term: string; responsibility: string; note: string; inspector: string; version: number }) =>
  http.post<Register>(`/curriculum/schools/${school}/register`, body)
export const getSummary = (q: { term?: string; by?: string }) => http.get<Summary>('/curriculum/summary', q)
export const getStaffing = (q: { term?: string; group_id?: number; school_id?: number }) => http.get<Staffing>('/curriculum/staffing', q)
export const proposeMatch = (body: { term: string; need_school_id: number; staff_id: number; subject: string; lessons: number; mode: string; note: string }) =>
  http.post<Match>('/curriculum/matches', body)
export const matchStep = (id: number, step: 'accept' | 'decline' | 'cancel', body: { version: number; note?: string }) =>
  http.post<Match>(`/curriculum/matches/${id}/${step}`, body)
export const getKindergarten = (school: number, term: string) => http.get<KindergartenDay>(`/curriculum/schools/${school}/kindergarten`, { term })
export const postDay = (school: number, body: { term: string; level: string; boarding: boolean; base_seq: number; items: DayItem[] }) =>
  http.post<KindergartenDay>(`/curriculum/schools/${school}/kindergarten`, body)
export const recordSpot = (body: {
  school_id: number
  visited_on: string
  class: string
  period: number
  observed_subject: string
  observed_teacher: string
  note: string
}) => http.post<SpotCheck>('/curriculum/spot-checks', body)

/** A mark of the county form as a tag colour: √ fine, +x over, −x and 0 short. */
export function markType(mark: string): 'success' | 'warning' | 'danger' | 'info' {
  if (mark === '√') return 'success'
  if (mark.startsWith('+')) return 'warning'
  if (mark === '0' || mark.startsWith('−')) return 'danger'
  return 'info'
}
