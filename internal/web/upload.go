package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strings"

	"edugroup/internal/errs"
)

// maxUploadMemory is how much of a multipart form is held in memory; the
// rest of a file spills to a temporary file.
const maxUploadMemory = 32 << 20

// UploadedFile is the file in the multipart field of an upload route, at
// most limit bytes. A body over the route's limit (Doc.MaxBody) or a file
// over limit answers 413 naming the field and the limit in MB; a form
// without the field answers 422 naming it. The caller closes the file.
func UploadedFile(r *http.Request, field string, limit int64) (multipart.File, *multipart.FileHeader, error) {
	if err := requireMultipart(r); err != nil {
		return nil, nil, err
	}
	if err := r.ParseMultipartForm(min(limit, maxUploadMemory)); err != nil {
		if tooLarge(err) {
			return nil, nil, errs.TooLargeError(field, limit)
		}
		return nil, nil, errs.FieldError(field, "field.file_missing", errs.Args{"field": field})
	}
	f, h, err := r.FormFile(field)
	if err != nil {
		return nil, nil, errs.FieldError(field, "field.file_missing", errs.Args{"field": field})
	}
	if h.Size > limit {
		f.Close()
		return nil, nil, errs.TooLargeError(field, limit)
	}
	return f, h, nil
}

// tooLarge reports whether a body read failed on the request's size limit.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb) || errors.Is(err, multipart.ErrMessageTooLarge) ||
		strings.Contains(err.Error(), "request body too large")
}
