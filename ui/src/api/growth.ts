// 成长档案 and the recommendation list (GET /staff/{id}/growth, /growth/recommendations).
import { http } from './http'
import type { components } from './schema'

type S = components['schemas']

export type GrowthRecord = S['Growth.Record']
export type GrowthEntry = S['Growth.Entry']
export type GrowthRecommendation = S['Growth.Recommendation']
export type GrowthRow = S['Growth.Row']
export type Weighting = S['Policy.Recognition']

export interface WindowQuery {
  from?: string
  to?: string
}

export const getGrowth = (staffId: number, q: WindowQuery = {}) => http.get<GrowthRecord>(`/staff/${staffId}/growth`, { ...q })
export const getRecommendations = (q: Record<string, unknown>) => http.get<GrowthRecommendation>('/growth/recommendations', q)
