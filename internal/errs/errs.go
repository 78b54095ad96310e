// Package errs holds the domain errors every use case returns. They carry a
// code the web layer maps to an HTTP status, and message keys (not text) so
// the same error reads in Chinese or English depending on the caller.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies a domain error.
type Code string

// The codes the web layer knows how to answer.
const (
	Invalid                Code = "invalid"
	Rule                   Code = "rule"
	NotFound               Code = "not_found"
	Conflict               Code = "conflict"
	Forbidden              Code = "forbidden"
	Unauthenticated        Code = "unauthenticated"
	PasswordChangeRequired Code = "password_change_required"
	OTPRequired            Code = "otp_required"
	TOTPEnrollment         Code = "totp_enrollment_required"
	Busy                   Code = "busy"
	// UnsupportedMedia is a request body of a type the route does not take.
	UnsupportedMedia Code = "unsupported_media_type"
	// TooLarge is a request body over the route's limit.
	TooLarge Code = "too_large"
	// TooMany is a client refused for a while (the login throttle); Args
	// "retry_after" holds the seconds to wait.
	TooMany Code = "too_many_requests"
)

// Args are the named values a message template refers to as {name}.
type Args map[string]any

// Detail names one field or rule that failed, with its message key.
type Detail struct {
	Field string
	Rule  string
	Key   string
	Args  Args
}

// Error is a domain error.
type Error struct {
	Code    Code
	Key     string
	Args    Args
	Details []Detail
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Key
	for _, d := range e.Details {
		s += fmt.Sprintf(" [%s%s: %s]", d.Field, d.Rule, d.Key)
	}
	return s
}

// New builds an error with a code and message key.
func New(code Code, key string, args Args) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// FieldError is an invalid-input error about one field.
func FieldError(field, key string, args Args) *Error {
	return &Error{Code: Invalid, Key: "error.invalid", Details: []Detail{{Field: field, Key: key, Args: args}}}
}

// RuleError is a broken business or policy rule.
func RuleError(rule, key string, args Args) *Error {
	return &Error{Code: Rule, Key: "error.rule", Details: []Detail{{Rule: rule, Key: key, Args: args}}}
}

// NotFoundError is what a missing or out-of-scope object answers.
func NotFoundError(what string) *Error {
	return &Error{Code: NotFound, Key: "error.not_found", Args: Args{"what": what}}
}

// ConflictError reports a stale version or a duplicate.
func ConflictError(key string, args Args) *Error {
	return &Error{Code: Conflict, Key: key, Args: args}
}

// TooLargeError reports a body (or the file in field) over limit bytes; the
// message names the limit in MB.
func TooLargeError(field string, limit int64) *Error {
	mb := (limit + 1<<20 - 1) >> 20
	e := &Error{Code: TooLarge, Key: "error.too_large", Args: Args{"mb": mb}}
	if field != "" {
		e.Details = []Detail{{Field: field, Key: "field.too_large", Args: Args{"mb": mb}}}
	}
	return e
}

// ForbiddenError reports a missing permission.
func ForbiddenError() *Error { return &Error{Code: Forbidden, Key: "error.forbidden"} }

// Fields collects field errors so a form reports all of its problems at once.
type Fields struct{ details []Detail }

// Add records a problem with one field.
func (f *Fields) Add(field, key string, args Args) {
	f.details = append(f.details, Detail{Field: field, Key: key, Args: args})
}

// Err returns nil when nothing was added, or one invalid error listing every field.
func (f *Fields) Err() error {
	if len(f.details) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Key: "error.invalid", Details: f.details}
}

// As returns the domain error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Is reports whether err is a domain error with the given code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
