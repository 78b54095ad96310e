package web

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"edugroup/ui"
)

// spa serves the built web client from ui/dist/app, and any unknown path the
// client's router owns with its index.html. Without a build (a fresh clone
// with no Node) it serves the committed fallback page.
func (s *Server) spa() http.Handler {
	root, err := fs.Sub(ui.Dist, "dist/app")
	if err != nil {
		panic(err)
	}
	index, err := fs.ReadFile(root, "index.html")
	if err != nil {
		index, _ = fs.ReadFile(ui.Dist, "dist/index.html")
		root = nil
	}
	files := http.FileServerFS(ui.Dist)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if root != nil && p != "/" {
			if st, err := fs.Stat(root, strings.TrimPrefix(p, "/")); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "/assets/") {
					// Vite puts a content hash in every asset name.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				r2 := r.Clone(r.Context())
				r2.URL.Path = "/dist/app" + p
				files.ServeHTTP(w, r2)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}
