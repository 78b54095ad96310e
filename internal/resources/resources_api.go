package resources

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
	"edugroup/internal/web"
	"edugroup/internal/xlsx"
)

// API is the library's HTTP side.
type API struct{ svc *Service }

// NewAPI wraps the service for the router.
func NewAPI(svc *Service) *API { return &API{svc: svc} }

func queryID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

var listQuery = []web.Param{web.Q("q", "string", "words of the title, tags, authors, file text or item stem (a substring, in Chinese too)"),
	web.Q("kind", "string", "").OneOf(Kinds...), web.Q("stage", "string", ""), web.Q("subject", "string", ""),
	web.Q("version", "string", "textbook version"), web.Q("node_id", "integer", "the textbook node or anything under it"),
	web.Q("school_id", "integer", ""), web.Q("label", "string", "quality label").OneOf(LevelSchool, LevelGroup, LevelCounty),
	web.Q("status", "string", "").OneOf(Draft, Pending, Returned, Rejected, Accepted), web.Q("mine", "boolean", "only the caller's uploads"),
	web.Q("review", "boolean", "only what waits on the caller's review"), web.Q("sort", "string", "").OneOf(SortRelevance, SortNewest, SortUsed),
	web.Q("page", "integer", ""), web.Q("page_size", "integer", "at most 200")}

// Routes registers the library's endpoints.
func (api *API) Routes(rt *web.Router) {
	const tag = "resources"
	s := api.svc
	read, upload, review := web.Perm(auth.PermResourcesRead), web.Perm(auth.PermResourcesUpload), web.Perm(auth.PermResourcesReview)
	rt.Handle("GET", "/api/v1/resources", read, web.Doc{Summary: "Search the library in the caller's scope (Chinese full text, filters, sort)", Tag: tag,
		Query: listQuery, Response: web.List[Resource]{}}, api.list)
	rt.Handle("POST", "/api/v1/resources", upload, web.Doc{Summary: "Create a draft resource of the caller's school (its file is uploaded next)", Tag: tag,
		Request: Input{}, Response: Detail{}, Status: http.StatusCreated}, web.Body(http.StatusCreated, s.Create))
	rt.Handle("GET", "/api/v1/resources/{id}", read, web.Doc{Summary: "One resource with its item, parts, file versions, reviews and the caller's actions", Tag: tag,
		Response: Detail{}}, web.ByID(s.Detail))
	rt.Handle("PUT", "/api/v1/resources/{id}", upload, web.Doc{Summary: "Edit a draft or returned resource (version checked)", Tag: tag,
		Request: Input{}, Response: Detail{}}, web.ByIDBody(s.Update))
	rt.Handle("POST", "/api/v1/resources/{id}/delete", upload, web.Doc{Summary: "Remove a draft, returned or rejected resource; its files go when nothing references them", Tag: tag,
		Request: VersionInput{}, Response: Resource{}}, web.ByIDBody(s.Delete))
	rt.Handle("POST", "/api/v1/resources/{id}/file", upload, web.Doc{Summary: "Upload a new version of the file (multipart field file), streamed, type checked by content, size-limited per kind", Tag: tag,
		Upload: "file", MaxBody: MaxUploadBytes, Response: Detail{}}, api.upload)
	rt.Handle("GET", "/api/v1/resources/{id}/file", read, web.Doc{Summary: "Download the file (attachment, nosniff, HTTP Range for seeking); play=true for the page's player, not counted", Tag: tag,
		Query: []web.Param{web.Q("no", "integer", "the version; the current one when absent"), web.Q("play", "boolean", "")}, Produces: "application/octet-stream"}, api.download)
	rt.Handle("GET", "/api/v1/resources/{id}/thumbnail", read, web.Doc{Summary: "A video's thumbnail (JPEG), once the media job has read it", Tag: tag,
		Produces: "image/jpeg"}, api.thumbnail)
	rt.Handle("POST", "/api/v1/resources/{id}/submit", upload, web.Doc{Summary: "Submit to the school's review", Tag: tag,
		Request: Decision{}, Response: Detail{}}, web.ByIDBody(s.Submit))
	rt.Handle("POST", "/api/v1/resources/{id}/accept", review, web.Doc{Summary: "Accept at the current level (校级优质 / 集团优质 / 县级精品); two reviewers when the setting says", Tag: tag,
		Request: Decision{}, Response: Detail{}}, web.ByIDBody(s.Accept))
	rt.Handle("POST", "/api/v1/resources/{id}/return", review, web.Doc{Summary: "Return to the author with comments", Tag: tag,
		Request: Decision{}, Response: Detail{}}, web.ByIDBody(s.Return))
	rt.Handle("POST", "/api/v1/resources/{id}/reject", review, web.Doc{Summary: "Reject at the current level, with a reason; a label earned below stays", Tag: tag,
		Request: Decision{}, Response: Detail{}}, web.ByIDBody(s.Reject))
	rt.Handle("POST", "/api/v1/resources/{id}/view", read, web.Doc{Summary: "Record that the caller opened the resource (counted by the caller's school)", Tag: tag,
		Response: Usage{}}, web.ByID(s.View))
	rt.Handle("POST", "/api/v1/resources/{id}/favourite", read, web.Doc{Summary: "Mark or unmark the resource as the caller's favourite", Tag: tag,
		Request: FavouriteInput{}, Response: Usage{}}, web.ByIDBody(s.Favourite))
	rt.Handle("GET", "/api/v1/resources/{id}/usage", read, web.Doc{Summary: "Views, downloads and favourites, by the users' schools", Tag: tag,
		Response: Usage{}}, web.ByID(s.UsageOf))
	rt.Handle("GET", "/api/v1/resource-nodes", read, web.Doc{Summary: "The textbook tree's children of a node (the stages without parent)", Tag: tag,
		Query: []web.Param{web.Q("parent", "integer", "")}, Response: []Node{}}, api.nodes)
	rt.Handle("GET", "/api/v1/resource-coverage", read, web.Doc{Summary: "Which textbook lessons the group's accepted resources cover, per kind", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("stage", "string", ""), web.Q("subject", "string", "")}, Response: Coverage{}}, api.coverage)
	rt.Handle("GET", "/api/v1/resource-reach", read, web.Doc{Summary: "How much each member school uses the group's shared resources, month by month", Tag: tag,
		Query: []web.Param{web.Q("group_id", "integer", ""), web.Q("months", "integer", "1 to 24").Range(1, 24)}, Response: Reach{}}, api.reach)
}

func (api *API) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size := web.Page(r)
	f := Filter{Q: q.Get("q"), Kind: q.Get("kind"), Stage: q.Get("stage"), Subject: q.Get("subject"), Version: q.Get("version"),
		NodeID: queryID(r, "node_id"), SchoolID: queryID(r, "school_id"), Label: q.Get("label"), Status: q.Get("status"),
		Mine: q.Get("mine") == "true", Review: q.Get("review") == "true", Sort: q.Get("sort"), Page: page, Size: size}
	items, total, err := api.svc.List(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, web.List[Resource]{Items: items, Total: total, Page: page, PageSize: size})
}

// upload streams the multipart field "file" straight into the service: the
// form is read part by part, never buffered whole (not even to a temporary
// file of the multipart reader's own).
func (api *API) upload(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return errs.New(errs.UnsupportedMedia, "error.multipart_content_type", nil)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.FieldError("file", "field.file_missing", errs.Args{"field": "file"})
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errs.FieldError("file", "field.file_missing", errs.Args{"field": "file"})
		}
		if err != nil {
			return tooLargeOr(err)
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		d, err := api.svc.Upload(r.Context(), web.Actor(r), id, part.FileName(), part)
		part.Close()
		if err != nil {
			return tooLargeOr(err)
		}
		return web.Respond(w, r, http.StatusOK, d)
	}
}

// tooLargeOr maps a body cut by the route's limit to 413.
func tooLargeOr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errs.TooLargeError("file", mb.Limit)
	}
	if errors.Is(err, multipart.ErrMessageTooLarge) {
		return errs.TooLargeError("file", MaxUploadBytes)
	}
	return err
}

// download serves the file through http.ServeContent over the blob reader:
// Range requests (the player seeking) read only the bytes asked for, from
// disk or as ranged GETs of the object store (proxied streaming, no signed
// URLs to leak).
func (api *API) download(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	no, _ := strconv.Atoi(r.URL.Query().Get("no"))
	play := r.URL.Query().Get("play") == "true"
	// A player's continuation ranges are not new downloads.
	count := !play && (r.Header.Get("Range") == "" || r.Header.Get("Range") == "bytes=0-")
	d, err := api.svc.Open(r.Context(), web.Actor(r), id, no, count)
	if err != nil {
		return err
	}
	defer d.Body.Close()
	serve(w, r, d)
	return nil
}

func serve(w http.ResponseWriter, r *http.Request, d Download) {
	h := w.Header()
	h.Set("Content-Type", d.MediaType)
	h.Set("Content-Disposition", xlsx.AttachmentHeader(d.Filename))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", d.ModTime, d.Body)
}

func (api *API) thumbnail(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := api.svc.Thumbnail(r.Context(), web.Actor(r), id)
	if err != nil {
		return err
	}
	defer d.Body.Close()
	serve(w, r, d)
	return nil
}

func (api *API) nodes(w http.ResponseWriter, r *http.Request) error {
	out, err := api.svc.Nodes(r.Context(), web.Actor(r), queryID(r, "parent"))
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) coverage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	out, err := api.svc.Coverage(r.Context(), web.Actor(r), CoverageFilter{GroupID: queryID(r, "group_id"), Stage: q.Get("stage"), Subject: q.Get("subject")})
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}

func (api *API) reach(w http.ResponseWriter, r *http.Request) error {
	months, _ := strconv.Atoi(r.URL.Query().Get("months"))
	out, err := api.svc.Reach(r.Context(), web.Actor(r), queryID(r, "group_id"), months)
	if err != nil {
		return err
	}
	return web.Respond(w, r, http.StatusOK, out)
}
