package app_test

import (
	"io"
	"net/http"
	"testing"

	"edugroup/internal/apptest"
)

// BenchmarkReads measures the read endpoints of the load target end to end
// (HTTP, session check, scoped query, JSON) on SQLite with the demo county,
// with many clients in parallel. `make load` measures the same against the
// real binary with latency percentiles.
func BenchmarkReads(b *testing.B) {
	for _, c := range []struct{ name, path string }{
		{"session", "/api/v1/session"}, {"schools", "/api/v1/schools?page_size=20"}, {"staff", "/api/v1/staff?page=7&page_size=20"},
	} {
		path := c.path
		b.Run(c.name, func(b *testing.B) {
			e := apptest.NewEnv(b, apptest.SQLite(b))
			c := e.Login("leader")
			req, _ := http.NewRequest("GET", e.Srv.URL+path, nil)
			ck := c.HC.Jar.Cookies(req.URL)
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			hc := &http.Client{Transport: tr}
			b.SetParallelism(25)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r, _ := http.NewRequest("GET", e.Srv.URL+path, nil)
					for _, k := range ck {
						r.AddCookie(k)
					}
					resp, err := hc.Do(r)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
