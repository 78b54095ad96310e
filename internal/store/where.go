package store

import (
	"strconv"
	"strings"
)

// Where builds a WHERE clause from conditions written with ? for each value;
// it numbers them $1, $2 … so the same text runs on both engines.
type Where struct {
	parts []string
	Args  []any
}

// Add appends a condition; each ? in expr takes the next value.
func (w *Where) Add(expr string, vals ...any) {
	for _, v := range vals {
		w.Args = append(w.Args, v)
		expr = strings.Replace(expr, "?", "$"+strconv.Itoa(len(w.Args)), 1)
	}
	w.parts = append(w.parts, expr)
}

// Arg adds a value and returns its placeholder, for LIMIT and OFFSET.
func (w *Where) Arg(v any) string {
	w.Args = append(w.Args, v)
	return "$" + strconv.Itoa(len(w.Args))
}

// In adds the ids as values and returns "($n,$n+1,…)" for an IN list.
func (w *Where) In(ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = w.Arg(id)
	}
	return "(" + strings.Join(ph, ",") + ")"
}

// SQL is " WHERE a AND b …", or "" with no conditions.
func (w *Where) SQL() string {
	if len(w.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.parts, " AND ")
}
