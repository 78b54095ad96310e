// 教学资源库 (GET/POST /resources/…); the shapes are the generated ones.
import { API_BASE, http } from './http'
import type { components } from './schema'

type S = components['schemas']

export type Resource = S['Resources.Resource']
export type ResourceDetail = S['Resources.Detail']
export type ResourceInput = S['Resources.Input']
export type ResourceNode = S['Resources.Node']
export type ResourceUsage = S['Resources.Usage']
export type ResourceCoverage = S['Resources.Coverage']
export type ResourceReach = S['Resources.Reach']

export const RESOURCE_KINDS = ['design', 'courseware', 'micro', 'case', 'recording', 'task_sheet', 'exercise', 'item', 'package'] as const
export const RESOURCE_LABELS = ['school', 'group', 'county'] as const
export const SHARE_SCOPES = ['school', 'group', 'county'] as const
export const VIDEO_KINDS = ['micro', 'recording']

export const getResource = (id: number) => http.get<ResourceDetail>(`/resources/${id}`)
export const createResource = (p: ResourceInput) => http.post<ResourceDetail>('/resources', p)
export const updateResource = (id: number, p: ResourceInput) => http.put<ResourceDetail>(`/resources/${id}`, p)
export const uploadFile = (id: number, file: File) => {
  const form = new FormData()
  form.append('file', file)
  return http.upload<ResourceDetail>(`/resources/${id}/file`, form)
}
export const resourceStep = (id: number, step: 'submit' | 'accept' | 'return' | 'reject', body: { version: number; comment?: string }) =>
  http.post<ResourceDetail>(`/resources/${id}/${step}`, body)
export const recordView = (id: number) => http.post<ResourceUsage>(`/resources/${id}/view`)
export const setFavourite = (id: number, on: boolean) => http.post<ResourceUsage>(`/resources/${id}/favourite`, { on })
export const getUsage = (id: number) => http.get<ResourceUsage>(`/resources/${id}/usage`)
export const getNodes = (parent?: number) => http.get<ResourceNode[]>('/resource-nodes', parent ? { parent } : {})
export const getCoverage = (q: { group_id?: number; stage?: string; subject?: string }) => http.get<ResourceCoverage>('/resource-coverage', q)
export const getReach = (q: { group_id?: number; months?: number }) => http.get<ResourceReach>('/resource-reach', q)

/** The file's address: the player passes play=true so its range requests are not counted as downloads. */
export const fileUrl = (id: number, play = false) => `${API_BASE}/resources/${id}/file${play ? '?play=true' : ''}`
export const thumbUrl = (id: number) => `${API_BASE}/resources/${id}/thumbnail`

export function statusTag(s: string): 'success' | 'warning' | 'info' | 'danger' | 'primary' {
  return ({ draft: 'info', pending: 'warning', returned: 'danger', rejected: 'danger', accepted: 'success' } as const)[s as 'draft'] ?? 'info'
}
