package workbench_test

import (
	"encoding/json"
	"strings"
	"testing"

	"edugroup/internal/apptest"
	"edugroup/internal/demo"
	"edugroup/internal/store"
	"edugroup/internal/workbench"
)

// TestWorkbenchAPI: the workbench and its counts agree over HTTP; a
// notification is its recipient's alone; preferences are checked.
func TestWorkbenchAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, st *store.Store) {
		e := apptest.NewEnv(t, st)
		if err := demo.Notices(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"teacher", "principal", "jijiao", "leader", "sysadmin"} {
			c := e.Login(u)
			s, b := c.Do("GET", "/api/v1/workbench", nil)
			var w workbench.Workbench
			if s != 200 || json.Unmarshal(b, &w) != nil {
				t.Fatalf("%s workbench: %d %s", u, s, b)
			}
			s, b = c.Do("GET", "/api/v1/workbench/counts", nil)
			var n workbench.Counts
			if s != 200 || json.Unmarshal(b, &n) != nil || n.Total != len(w.Todo) || n.Unread != w.Counts.Unread {
				t.Fatalf("%s counts: %d %s, workbench has %d to-dos", u, s, b, len(w.Todo))
			}
		}
		principal, teacher := e.Login("principal"), e.Login("teacher")
		s, b := principal.Do("GET", "/api/v1/notifications", nil)
		var list workbench.NotificationList
		if s != 200 || json.Unmarshal(b, &list) != nil || len(list.Items) == 0 {
			t.Fatalf("principal's notifications: %d %s", s, b)
		}
		id := apptest.Itoa(list.Items[0].ID)
		if s, b := teacher.Do("POST", "/api/v1/notifications/"+id+"/read", nil); s != 404 {
			t.Fatalf("the teacher marked the principal's notice: %d %s", s, b)
		}
		if s, b := principal.Do("POST", "/api/v1/notifications/"+id+"/read", nil); s != 200 {
			t.Fatalf("mark read: %d %s", s, b)
		}
		if s, b := principal.Do("POST", "/api/v1/notifications/read-all", nil); s != 200 || !strings.Contains(string(b), `"unread":0`) {
			t.Fatalf("read all: %d %s", s, b)
		}
		s, b = teacher.Do("PUT", "/api/v1/notifications/prefs", map[string]any{"email": "not an address", "webhook_kind": "dingtalk", "webhook_url": "ftp://x", "kinds": []string{"nope"}})
		if s != 422 || !strings.Contains(string(b), `"field":"email"`) || !strings.Contains(string(b), `"field":"webhook_url"`) || !strings.Contains(string(b), `"field":"kinds[0]"`) {
			t.Fatalf("bad prefs: %d %s", s, b)
		}
		s, b = teacher.Do("PUT", "/api/v1/notifications/prefs", map[string]any{"email": "t@example.org", "webhook_kind": "dingtalk",
			"webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x", "webhook_secret": "SECret", "kinds": []string{"exchange.approved"}})
		if s != 200 || strings.Contains(string(b), "SECret") || !strings.Contains(string(b), `"has_secret":true`) {
			t.Fatalf("prefs: %d %s", s, b)
		}
	})
}
