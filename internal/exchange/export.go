package exchange

import (
	"context"
	"io"

	"edugroup/internal/audit"
	"edugroup/internal/auth"
	"edugroup/internal/i18n"
	"edugroup/internal/registry"
	"edugroup/internal/xlsx"
)

// exportMax bounds one export; a narrower filter gets the rest.
const exportMax = 50000

// exportCols are the ledger's columns: first those of the national teacher
// system's exchange record (类型, 是否调动人事关系, 起止日期, 原单位, 交流单位).
var exportCols = []string{"name", "id_card", "kind", "relation_moved", "start_on", "end_on", "original_unit", "exchange_unit",
	"group", "post", "days", "status", "returned_on", "staff_no"}

// Export writes the ledger matching f (in scope) to w as Excel in language
// l, ID numbers masked; filter is the caller's query as written, for the
// audit record.
func (s *Service) Export(ctx context.Context, w io.Writer, a auth.Actor, f Filter, l i18n.Lang, filter string) error {
	f.Page, f.Size = 1, exportMax
	items, _, err := s.List(ctx, a, f)
	if err != nil {
		return err
	}
	ids := map[int64]string{}
	for _, x := range items {
		ids[x.StaffID] = ""
	}
	for id := range ids {
		var card string
		if err := s.st.R.QueryRowContext(ctx, `SELECT id_card FROM staff WHERE id = $1`, id).Scan(&card); err != nil {
			return err
		}
		ids[id] = registry.MaskIDCard(card)
	}
	heads := make([]string, len(exportCols))
	for i, c := range exportCols {
		heads[i] = l.T("col.exchange."+c, nil)
	}
	t, err := xlsx.NewTable(l.T("export.exchanges", nil), heads)
	if err != nil {
		return err
	}
	for _, x := range items {
		if err := t.Row(x.StaffName, ids[x.StaffID], l.T("code.exchange_kind."+x.Kind, nil), l.T("code.bool.false", nil),
			x.StartOn.String(), x.EndOn.String(), x.HomeSchoolName, x.HostSchoolName, x.GroupName, l.T("code.post."+x.Post, nil),
			x.Days, l.T("code.exchange_status."+x.Status, nil), x.ReturnedOn.String(), x.StaffNo); err != nil {
			return err
		}
	}
	if err := s.log.Record(ctx, a.Who(), audit.Entry{Action: "exchanges.export", ObjectType: "exchange", Detail: map[string]any{"rows": len(items), "filter": filter}}); err != nil {
		return err
	}
	_, err = t.WriteTo(w)
	return err
}
