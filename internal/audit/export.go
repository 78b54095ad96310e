package audit

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"edugroup/internal/i18n"
	"edugroup/internal/xlsx"
)

// exportLimit bounds one audit export; narrower filters get the rest.
const exportLimit = 100000

var exportCols = []string{"id", "at", "username", "role", "ip", "action", "object_type", "object_id", "outcome", "request_id", "detail"}

// Export writes the records matching f to w as Excel with headers in l, and
// records the export itself (who, how many rows, query as the caller wrote
// it) before any byte leaves.
func (l *Log) Export(ctx context.Context, w io.Writer, who Who, f Filter, lang i18n.Lang, query string) error {
	headers := make([]string, len(exportCols))
	for i, c := range exportCols {
		headers[i] = lang.T("audit.col."+c, nil)
	}
	t, err := xlsx.NewTable(lang.T("audit.sheet", nil), headers)
	if err != nil {
		return err
	}
	n := 0
	err = l.Each(ctx, f, exportLimit, func(rec Record) error {
		n++
		detail, _ := json.Marshal(rec.Detail)
		return t.Row(rec.ID, rec.At.Format(time.RFC3339), rec.Username, rec.Role, rec.IP, rec.Action, rec.ObjectType, rec.ObjectID, rec.Outcome, rec.RequestID, string(detail))
	})
	if err != nil {
		return err
	}
	if err := l.Record(ctx, who, Entry{Action: "audit.export", ObjectType: "audit_log", Detail: map[string]any{"rows": n, "filter": query}}); err != nil {
		return err
	}
	_, err = t.WriteTo(w)
	return err
}
