// The workbench (工作台) and notifications, written by hand to match
// internal/workbench (GET /workbench, /workbench/counts, /notifications…).
import { ref } from 'vue'
import { http } from './http'

export type Urgency = 'overdue' | 'due_soon' | 'normal'

export interface WorkbenchItem {
  key: string
  source: string
  kind: string
  subject: string
  link: string
  due_on: string | null
  since?: string
  urgency: Urgency
}

export interface WorkbenchFigure {
  key: string
  value: number
  link: string
}

export interface WorkbenchCounts {
  total: number
  overdue: number
  due_soon: number
  by_source: Record<string, number>
  unread: number
}

export interface Workbench {
  today: string
  todo: WorkbenchItem[]
  waiting: WorkbenchItem[]
  upcoming: WorkbenchItem[]
  figures: WorkbenchFigure[]
  counts: WorkbenchCounts
}

export interface AppNotification {
  id: number
  kind: string
  subject: string
  note: string
  link: string
  created_at: string
  read_at: string | null
}

export interface NotificationList {
  items: AppNotification[]
  unread: number
}

export interface NotificationPrefs {
  email: string
  webhook_kind: '' | 'wecom' | 'dingtalk'
  webhook_url: string
  webhook_secret?: string
  has_secret: boolean
  kinds: string[]
  all_kinds: string[]
}

export const getWorkbench = () => http.get<Workbench>('/workbench')
export const getWorkbenchCounts = () => http.get<WorkbenchCounts>('/workbench/counts')
export const getNotifications = () => http.get<NotificationList>('/notifications')
export const markRead = (id: number) => http.post<NotificationList>(`/notifications/${id}/read`)
export const markAllRead = () => http.post<NotificationList>('/notifications/read-all')
export const getPrefs = () => http.get<NotificationPrefs>('/notifications/prefs')
export const savePrefs = (p: NotificationPrefs) => http.put<NotificationPrefs>('/notifications/prefs', p)

// The menu's to-do total and the bell's unread count, shared by the layout,
// the workbench and the bell; refreshed on navigation.
export const todoTotal = ref(0)
export const unreadCount = ref(0)
let seq = 0

/** Asks the server again; an error leaves the last counts. */
export async function refreshCounts(): Promise<void> {
  const mine = ++seq
  try {
    const c = await getWorkbenchCounts()
    if (mine === seq) {
      todoTotal.value = c.total
      unreadCount.value = c.unread
    }
  } catch {
    // the menu is no place for errors
  }
}

export function setCounts(c: WorkbenchCounts): void {
  seq++
  todoTotal.value = c.total
  unreadCount.value = c.unread
}
