// The workbench (工作台) and notifications (GET /workbench,
// /workbench/counts, /notifications…); the shapes are the generated ones.
import { ref } from 'vue'
import { http } from './http'
import type { components } from './schema'

type S = components['schemas']

export type WorkbenchItem = S['Workbench.Item']
export type Urgency = WorkbenchItem['urgency']
export type WorkbenchFigure = S['Workbench.Figure']
export type WorkbenchCounts = S['Workbench.Counts']
export type Workbench = S['Workbench.Workbench']
export type AppNotification = S['Workbench.Notification']
export type NotificationList = S['Workbench.NotificationList']
export type NotificationPrefs = S['Workbench.Prefs']

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
