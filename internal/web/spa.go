package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"edugroup/ui"
)

// asset is one file of the built client and its precompressed copies (the
// build writes NAME.br and NAME.gz beside NAME).
type asset struct {
	name  string // path inside dist/app
	ctype string
	etag  string // hash of the uncompressed content, unquoted
	br    bool
	gz    bool
}

// client is the built web client: every file by its URL path, with the
// copies it has. A nil root means no build (the fallback page only).
type client struct {
	root     fs.FS
	files    map[string]*asset
	fallback []byte
}

var embeddedClient = sync.OnceValue(func() *client { return loadClient(ui.Dist) })

// loadClient indexes dist/app of dist, or keeps dist/index.html (the no-Node
// fallback) when there is no build.
func loadClient(dist fs.FS) *client {
	root, err := fs.Sub(dist, "dist/app")
	if err != nil {
		panic(err)
	}
	if _, err := fs.Stat(root, "index.html"); err != nil {
		page, _ := fs.ReadFile(dist, "dist/index.html")
		return &client{fallback: page}
	}
	c := &client{root: root, files: map[string]*asset{}}
	_ = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".br") || strings.HasSuffix(p, ".gz") {
			return err
		}
		f, err := root.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		a := &asset{name: p, etag: hex.EncodeToString(h.Sum(nil)[:12]), ctype: mime.TypeByExtension(path.Ext(p))}
		if a.ctype == "" {
			a.ctype = "application/octet-stream"
		}
		if _, err := fs.Stat(root, p+".br"); err == nil {
			a.br = true
		}
		if _, err := fs.Stat(root, p+".gz"); err == nil {
			a.gz = true
		}
		c.files["/"+p] = a
		return nil
	})
	return c
}

// spa serves the built web client from ui/dist/app, and any unknown path the
// client's router owns with its index.html. Without a build (a fresh clone
// with no Node) it serves the committed fallback page.
func (s *Server) spa() http.Handler { return embeddedClient().handler() }

func (c *client) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		if c.root == nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(c.fallback)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		a := c.files[p]
		switch {
		case a == nil || p == "/index.html":
			a = c.files["/index.html"]
			w.Header().Set("Cache-Control", "no-cache")
		case strings.HasPrefix(p, "/assets/"):
			// Vite puts a content hash in every asset name.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		c.serve(w, r, a)
	})
}

// serve answers with the brotli or gzip copy when the client accepts it and
// the build made one, else the file itself. A Range request always gets the
// uncompressed file, so byte ranges mean the same for every client.
func (c *client) serve(w http.ResponseWriter, r *http.Request, a *asset) {
	h := w.Header()
	name, etag := a.name, a.etag
	if a.br || a.gz {
		h.Add("Vary", "Accept-Encoding")
		if r.Header.Get("Range") == "" {
			ae := r.Header.Get("Accept-Encoding")
			switch {
			case a.br && acceptsEncoding(ae, "br"):
				name, etag = a.name+".br", etag+"-br"
				h.Set("Content-Encoding", "br")
			case a.gz && acceptsEncoding(ae, "gzip"):
				name, etag = a.name+".gz", etag+"-gz"
				h.Set("Content-Encoding", "gzip")
			}
		}
	}
	f, err := c.root.Open(name)
	if err != nil {
		h.Del("Content-Encoding")
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	// Embedded files seek; anything else is read whole.
	content, ok := f.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(f)
		if err != nil {
			h.Del("Content-Encoding")
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		content = bytes.NewReader(data)
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Etag", `"`+etag+`"`)
	if h.Get("Content-Encoding") != "" {
		// ServeContent leaves the length to whoever encoded; here that is us.
		if st, err := f.Stat(); err == nil {
			h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		}
	}
	// ServeContent answers If-None-Match, HEAD and Range and sets Content-Length.
	http.ServeContent(w, r, a.name, time.Time{}, content)
}
