// Joint exams (联考) and their analysis: the shapes of /api/v1/exams… and the
// calls the exam pages make. Rates are fractions (0–1); a figure with no
// value (the SD of one student, a rate of nobody) is null. The shapes are
// named schemas of the generated schema.d.ts (make api).
import { downloadUrl, http } from './http'
import type { Page } from './types'
import type { components } from './schema'

type S = components['schemas']

export const TOTAL = '总分'

export type ExamLines = S['Analysis.Lines']
export type ExamSubject = S['Analysis.Subject']
export type CompositeWeights = S['Analysis.Weights']
/** The conventions of exam-metrics.md; every report echoes them. */
export type ExamSettings = S['Analysis.Settings']

/** analysis.DefaultSettings() of the server. */
export function defaultSettings(): ExamSettings {
  return {
    absent_as_zero: false,
    void_as_zero: false,
    blank: 'not_sat',
    total_missing: 'exclude',
    sd: 'sample',
    quartile: 'inc',
    line_mode: 'percent',
    excellent_pct: 85,
    good_pct: 70,
    pass_pct: 60,
    low_pct: 40,
    good_enabled: true,
    rank_excellent_pct: 20,
    rank_good_pct: 35,
    rank_pass_pct: 50,
    rank_low_pct: 20,
    rank: 'competition',
    t_mean: 50,
    t_sd: 10,
    bin_width: 10,
    total_bin_width: 50,
    tiers: [15, 25, 60],
    critical_mode: 'below',
    critical_points: 10,
    critical_ranks: 50,
    composite: { mean: 0.4, excellent: 0.3, pass: 0.3 },
    discrimination_share: 0.27,
    min_n: 30,
    gap_unit: 'T',
    value_added: 'residual',
  }
}

export type ExamSpec = S['Analysis.Exam']
export type Exam = S['Exams.Exam']
export type ExamPart = S['Exams.Part']
export type ExamDetail = S['Exams.Detail']
export type ExamInput = S['Exams.Input']

// ---- import ----

/** What a column of a score file can hold (examfile.Field). */
export const FIELDS = [
  'ignore',
  'student_id',
  'name',
  'school',
  'school_code',
  'group',
  'class',
  'score',
  'item',
  'subject',
  'value',
  'absent',
  'void',
  'include',
  'remark',
] as const
export type Field = (typeof FIELDS)[number]

export type MappingColumn = S['Examfile.Column']
export type MappingSheet = S['Examfile.SheetMap']
export type Mapping = S['Examfile.Mapping']
export type FileProblem = S['Examfile.Problem']
export type Preview = S['Exams.Preview']
export type Imported = S['Exams.Imported']
export type TeachingRow = S['Exams.TeachingRow']

// ---- reports ----

export type Level = S['Analysis.Stat']['level']
export type Scope = 'county' | 'group' | 'school' | 'teacher'

export type CriticalLine = S['Analysis.CriticalLine']
export type SubjectInfo = S['Analysis.SubjectInfo']
export type TierLine = S['Analysis.TierLine']
export type GroupInfo = S['Analysis.GroupInfo']
export type Stat = S['Analysis.Stat']
export type Balance = S['Analysis.Balance']
export type Distribution = S['Analysis.Distribution']
export type BandRow = S['Analysis.BandRow']
export type Band = S['Analysis.Band']
export type OptionShare = S['Analysis.OptionShare']
export type ItemStat = S['Analysis.ItemStat']
export type PaperStats = S['Analysis.PaperStats']
export type ReportView = S['Exams.ReportView']
export type StudentScore = S['Exams.StudentScore']
export type StudentRow = S['Exams.StudentRow']
/** A StudentScore with the number each rank is out of. */
export type TrendScore = S['Exams.TrendScore']
/** The student in one exam. */
export type TrendPoint = S['Exams.TrendPoint']
/** A subject's percentile from its first ranked exam to its last. */
export type TrendChange = S['Exams.TrendChange']
/** 学生成绩追踪: one student across the caller's exams, oldest first. */
export type StudentTrend = S['Exams.StudentTrendView']
export type GapSeries = S['Analysis.GapSeries']
export type GapView = S['Exams.GapView']
export type VAUnit = S['Analysis.VAUnit']
export type ValueAdded = S['Analysis.ValueAddedReport']

export interface ReportQuery {
  level?: Level | ''
  subject?: string
  school?: string
}

export interface StudentQuery {
  school?: string
  class?: string
  q?: string
  sort?: string
  page?: number
  page_size?: number
}

export const examsApi = {
  list: (groupId?: number | '') => http.get<{ items: Exam[] }>('/exams', { group_id: groupId || undefined }).then((r) => r.items ?? []),
  get: (id: number) => http.get<ExamDetail>(`/exams/${id}`),
  create: (in_: ExamInput) => http.post<ExamDetail>('/exams', in_),
  update: (id: number, in_: ExamInput) => http.patch<ExamDetail>(`/exams/${id}`, in_),
  teaching: (id: number, rows: TeachingRow[]) => http.put<{ rows: number; matched: number }>(`/exams/${id}/teaching`, { rows }),
  preview: (id: number, file: File, mapping?: Mapping | null) => http.upload<Preview>(`/exams/${id}/preview`, form(file, mapping)),
  import: (id: number, file: File, mapping: Mapping | null, validOnly: boolean) =>
    http.upload<Imported>(`/exams/${id}/import`, form(file, mapping, validOnly)),
  report: (id: number, q: ReportQuery = {}) => http.get<ReportView>(`/exams/${id}/report`, { ...q }),
  students: (id: number, q: StudentQuery) => http.get<Page<StudentRow>>(`/exams/${id}/students`, { ...q }),
  studentTrend: (id: number, number: string) => http.get<StudentTrend>(`/exams/${id}/students/${encodeURIComponent(number)}/trend`),
  gap: (groupId: number | '', subject: string) => http.get<GapView>('/exams/gap', { group_id: groupId || undefined, subject: subject || undefined }),
  valueAdded: (id: number, prev: number) => http.get<ValueAdded>(`/exams/${id}/value-added`, { prev }),
  /** The report workbook (.xlsx), narrowed like the report page. */
  exportUrl: (id: number, q: ReportQuery = {}) => downloadUrl(`/exams/${id}/export`, { ...q }),
}

function form(file: File, mapping?: Mapping | null, validOnly = false): FormData {
  const fd = new FormData()
  fd.append('file', file, file.name)
  if (mapping) fd.append('mapping', JSON.stringify(mapping))
  if (validOnly) fd.append('valid_only', 'true')
  return fd
}
