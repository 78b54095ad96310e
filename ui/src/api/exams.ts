// Joint exams (联考) and their analysis: the shapes of /api/v1/exams… and the
// calls the exam pages make. Rates are fractions (0–1); a figure with no
// value (the SD of one student, a rate of nobody) is null.
import { downloadUrl, http } from './http'
import type { Page } from './types'

export const TOTAL = '总分'

export interface ExamLines {
  excellent: number
  good?: number
  pass: number
  low: number
}

export interface ExamSubject {
  name: string
  full: number
  /** Counts for 总分; left out means yes. */
  in_total?: boolean
  lines?: ExamLines
}

export interface CompositeWeights {
  mean: number
  excellent: number
  pass: number
}

/** The conventions of exam-metrics.md; every report echoes them. */
export interface ExamSettings {
  absent_as_zero: boolean
  void_as_zero: boolean
  blank: 'not_sat' | 'absent'
  total_missing: 'exclude' | 'partial'
  sd: 'sample' | 'population'
  quartile: 'inc' | 'exc'
  line_mode: 'percent' | 'absolute' | 'rank'
  excellent_pct: number
  good_pct: number
  pass_pct: number
  low_pct: number
  good_enabled: boolean
  rank_excellent_pct: number
  rank_good_pct: number
  rank_pass_pct: number
  rank_low_pct: number
  rank: 'competition' | 'dense'
  t_mean: number
  t_sd: number
  bin_width: number
  total_bin_width: number
  tiers: number[]
  critical_mode: 'below' | 'band' | 'rank'
  critical_points: number
  critical_ranks: number
  composite: CompositeWeights
  discrimination_share: number
  min_n: number
  gap_unit: 'T' | 'Z'
  value_added: 'residual' | 'z_change'
}

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

export interface ExamSpec {
  name?: string
  stage?: string
  subjects: ExamSubject[]
  total_lines?: ExamLines
  settings: ExamSettings
  groups?: { name: string; lead: string }[]
  papers?: unknown[]
}

export interface Exam {
  id: number
  name: string
  term: string
  held_on: string
  stage: string
  /** 0: a county exam. */
  group_id: number
  group_name: string
  spec: ExamSpec
  students: number
  schools: number
  data_version: number
  created_by: string
  created_at: string
  updated_at: string
  version: number
}

export interface ExamPart {
  school_id: number
  school_code: string
  school_name: string
  students: number
  file_name: string
  imported_by: string
  imported_at: string
}

export interface ExamDetail extends Exam {
  parts: ExamPart[]
  can_manage: boolean
}

export interface ExamInput {
  name: string
  term: string
  held_on: string
  stage: string
  group_id: number
  spec: ExamSpec
  version?: number
}

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
] as const
export type Field = (typeof FIELDS)[number]

export interface MappingColumn {
  index: number
  header: string
  field: Field
  subject?: string
  item?: string
  full?: number
  reason?: string
  samples?: string[]
}

export interface MappingSheet {
  name: string
  header_row: number
  school?: string
}

export interface Mapping {
  shape: 'wide' | 'long' | 'items'
  sheets: MappingSheet[]
  columns: MappingColumn[]
  paper_sheet?: string
  notes?: string[]
}

export interface FileProblem {
  sheet?: string
  line: number
  field: string
  code: string
  value?: string
  message: string
}

export interface Preview {
  file_name: string
  mapping: Mapping
  students: number
  schools: string[]
  invalid: number
  problem_count: number
  problems: FileProblem[]
  assumptions: string[]
}

export interface Imported extends Preview {
  stored: { students: number; schools: number; replaced: number[]; skipped: number }
}

export interface TeachingRow {
  school_code: string
  class: string
  subject: string
  teacher: string
}

// ---- reports ----

export type Level = 'exam' | 'group' | 'school' | 'class' | 'teacher'
export type Scope = 'county' | 'group' | 'school' | 'teacher'

export interface CriticalLine {
  name: string
  line: number
  from: number
  to: number
}

export interface SubjectInfo {
  name: string
  full: number
  in_total: boolean
  line_mode: string
  excellent_line: number
  good_line: number | null
  pass_line: number
  low_line: number
  step: number
  mean: number | null
  sd: number | null
  critical: CriticalLine[]
}

export interface TierLine {
  name: string
  share: number
  score: number | null
  count: number
}

export interface GroupInfo {
  name: string
  lead: string
  lead_inferred: boolean
  schools: number
}

export interface Stat {
  level: Level
  group: string
  school: string
  school_code: string
  class: string
  teacher: string
  subject: string
  enrolled: number
  n: number
  absent: number
  void: number
  take_rate: number | null
  mean: number | null
  score_rate: number | null
  sd: number | null
  cv: number | null
  min: number | null
  max: number | null
  median: number | null
  q1: number | null
  q3: number | null
  mode: number | null
  excellent_count: number
  excellent_rate: number | null
  good_count: number
  good_rate: number | null
  pass_count: number
  pass_rate: number | null
  low_count: number
  low_rate: number | null
  all_pass_count: number
  all_pass_rate: number | null
  all_excellent_count: number
  all_excellent_rate: number | null
  ref_mean: number | null
  diff: number | null
  ratio: number | null
  above_mean_rate: number | null
  t_score: number | null
  contribution: number | null
  composite: number | null
  rank: number
  rank_in_school: number
  gap_to_lead: number | null
  tiers: number[] | null
  critical: number[] | null
  small_n: boolean
}

export interface Balance {
  group: string
  subject: string
  schools: number
  mean: number | null
  cv: number | null
}

export interface Distribution {
  subject: string
  step: number
  rows: { score: number; count: number; cumulative: number }[]
}

export interface BandRow {
  from: number
  to: number
  count: number
  cumulative: number
  share: number | null
  cum_share: number | null
}

export interface Band {
  level: Level
  group: string
  school: string
  subject: string
  width: number
  rows: BandRow[]
}

export interface OptionShare {
  option: string
  count: number
  share: number | null
  correct: boolean
}

export interface ItemStat {
  no: string
  type: string
  knowledge: string
  full: number
  key: string
  mean: number | null
  sd: number | null
  difficulty: number | null
  discrimination: number | null
  verdict: string
  item_rest: number | null
  options: OptionShare[] | null
}

export interface PaperStats {
  subject: string
  full: number
  n: number
  incomplete: number
  mean: number | null
  sd: number | null
  alpha: number | null
  items: ItemStat[]
}

export interface ReportView {
  exam: Exam
  scope: Scope
  settings: ExamSettings
  subjects: SubjectInfo[]
  tier_lines: TierLine[]
  groups: GroupInfo[]
  stats: Stat[]
  balance: Balance[]
  distributions: Distribution[]
  bands: Band[]
  papers: PaperStats[]
  warnings: string[]
}

export interface StudentScore {
  subject: string
  score: number | null
  status: '' | 'absent' | 'void' | 'none'
  exam_rank: number
  school_rank: number
  class_rank: number
  t: number | null
  /** Share of the exam's ranked students scoring lower (ties half), 0–100; null unranked. */
  percentile: number | null
}

export interface StudentRow {
  id: string
  name: string
  school: string
  school_code: string
  class: string
  scores: StudentScore[]
}

/** A StudentScore with the number each rank is out of. */
export interface TrendScore extends StudentScore {
  exam_n: number
  school_n: number
  class_n: number
}

/** The student in one exam. */
export interface TrendPoint {
  exam_id: number
  exam: string
  term: string
  held_on: string
  school: string
  school_code: string
  class: string
  scores: TrendScore[]
}

/** A subject's percentile from its first ranked exam to its last. */
export interface TrendChange {
  subject: string
  exams: number
  from_exam: number
  to_exam: number
  from: number | null
  to: number | null
  change: number | null
}

/** 学生成绩追踪: one student across the caller's exams, oldest first. */
export interface StudentTrend {
  id: string
  name: string
  school: string
  school_code: string
  class: string
  subjects: string[]
  points: TrendPoint[]
  changes: TrendChange[]
  other_name: number
}

export interface GapSeries {
  group: string
  lead: string
  school: string
  exams: string[]
  gaps: (number | null)[]
  slope: number | null
  change: number | null
  closing: boolean
}

export interface GapView {
  exams: Exam[]
  subject: string
  unit: string
  series: GapSeries[]
}

export interface VAUnit {
  level: Level
  group: string
  school: string
  class: string
  teacher: string
  subject: string
  n: number
  value: number | null
  value_t: number | null
  se: number | null
  mean_z_change: number | null
  mean_rank_change: number | null
  small_n: boolean
}

export interface ValueAdded {
  previous: string
  current: string
  model: string
  subjects: { subject: string; matched: number; slope: number | null; intercept: number | null; r2: number | null }[]
  units: VAUnit[]
  warnings: string[] | null
}

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
