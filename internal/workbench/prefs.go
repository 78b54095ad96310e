package workbench

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// The outward webhook formats: group robots of 企业微信 and 钉钉.
const (
	WebhookWeCom    = "wecom"
	WebhookDingTalk = "dingtalk"
)

// DefaultWebhookHosts are the public robot endpoints of 企业微信 and 钉钉.
func DefaultWebhookHosts() map[string][]string {
	return map[string][]string{WebhookWeCom: {"qyapi.weixin.qq.com"}, WebhookDingTalk: {"oapi.dingtalk.com"}}
}

// webhookAllowed: https, and a host the robot kind is served from.
func (s *Service) webhookAllowed(kind, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || len(raw) > 500 {
		return false
	}
	s.hostsMu.RLock()
	defer s.hostsMu.RUnlock()
	for _, h := range s.WebhookHosts[kind] {
		if strings.EqualFold(u.Host, h) {
			return true
		}
	}
	return false
}

// AllowWebhookHost adds a host robots of kind may be served from (a
// county's own relay).
func (s *Service) AllowWebhookHost(kind, host string) {
	s.hostsMu.Lock()
	defer s.hostsMu.Unlock()
	hosts := append([]string{}, s.WebhookHosts[kind]...)
	m := map[string][]string{}
	for k, v := range s.WebhookHosts {
		m[k] = v
	}
	m[kind] = append(hosts, host)
	s.WebhookHosts = m
}

func (s *Service) webhookHosts(kind string) string {
	s.hostsMu.RLock()
	defer s.hostsMu.RUnlock()
	return strings.Join(s.WebhookHosts[kind], ", ")
}

// Kinds lists the notice kinds a person may choose to receive outward.
var Kinds = []string{"exchange.to_act", "exchange.approved", "exchange.rejected", "exchange.cancelled",
	"planning.opened", "planning.submitted", "planning.accepted", "planning.returned", "planning.published",
	"rulebook.published", "rulebook.adopted", "rulebook.objected", "rulebook.replied",
	"followup.assigned", "followup.reported", "followup.closed",
	"report.submitted", "report.accepted", "report.returned", "reminder.due_soon", "reminder.overdue", "reminder.escalated"}

// Prefs is what one person wants delivered outward, and where.
type Prefs struct {
	Email         string   `json:"email"`
	WebhookKind   string   `json:"webhook_kind" enum:",wecom,dingtalk"` // "", wecom or dingtalk
	WebhookURL    string   `json:"webhook_url"`
	WebhookSecret string   `json:"webhook_secret,omitempty"` // 钉钉 加签 secret; never sent back
	HasSecret     bool     `json:"has_secret"`
	Kinds         []string `json:"kinds"`
	AllKinds      []string `json:"all_kinds"`
}

func (s *Service) prefs(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}, userID int64) (Prefs, error) {
	var p Prefs
	var kinds string
	err := q.QueryRowContext(ctx, `SELECT email, webhook_kind, webhook_url, webhook_secret, kinds FROM notification_prefs WHERE user_id = $1`, userID).
		Scan(&p.Email, &p.WebhookKind, &p.WebhookURL, &p.WebhookSecret, &kinds)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	p.Kinds = []string{}
	for _, k := range strings.Split(kinds, ",") {
		if k != "" {
			p.Kinds = append(p.Kinds, k)
		}
	}
	p.AllKinds = Kinds
	return p, err
}

// Prefs reads the actor's own delivery preferences (without the secret).
func (s *Service) Prefs(ctx context.Context, a auth.Actor) (Prefs, error) {
	if a.UserID == 0 {
		return Prefs{}, errs.ForbiddenError()
	}
	p, err := s.prefs(ctx, s.st.R, a.UserID)
	p.HasSecret, p.WebhookSecret = p.WebhookSecret != "", ""
	return p, err
}

// SavePrefs replaces the actor's delivery preferences. An empty secret keeps
// the one saved.
func (s *Service) SavePrefs(ctx context.Context, a auth.Actor, in Prefs) (Prefs, error) {
	if a.UserID == 0 {
		return Prefs{}, errs.ForbiddenError()
	}
	in.Email, in.WebhookURL, in.WebhookSecret = strings.TrimSpace(in.Email), strings.TrimSpace(in.WebhookURL), strings.TrimSpace(in.WebhookSecret)
	var f errs.Fields
	if in.Email != "" {
		if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email || len(in.Email) > 200 {
			f.Add("email", "workbench.email", nil)
		}
	}
	switch in.WebhookKind {
	case "":
		in.WebhookURL, in.WebhookSecret = "", ""
	case WebhookWeCom, WebhookDingTalk:
		if !s.webhookAllowed(in.WebhookKind, in.WebhookURL) {
			f.Add("webhook_url", "workbench.webhook_url", errs.Args{"hosts": s.webhookHosts(in.WebhookKind)})
		}
	default:
		f.Add("webhook_kind", "workbench.webhook_kind", nil)
	}
	if len(in.WebhookSecret) > 200 {
		f.Add("webhook_secret", "field.max", errs.Args{"max": 200})
	}
	known := map[string]bool{}
	for _, k := range Kinds {
		known[k] = true
	}
	seen := map[string]bool{}
	var kinds []string
	for i, k := range in.Kinds {
		if !known[k] {
			f.Add("kinds["+itoa(i)+"]", "workbench.kind", nil)
		} else if !seen[k] {
			seen[k] = true
			kinds = append(kinds, k)
		}
	}
	if err := f.Err(); err != nil {
		return Prefs{}, err
	}
	sort.Strings(kinds)
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		old, err := s.prefs(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		if in.WebhookSecret == "" && in.WebhookKind != "" {
			in.WebhookSecret = old.WebhookSecret
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, email, webhook_kind, webhook_url, webhook_secret, kinds, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, webhook_kind = excluded.webhook_kind,
			webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret, kinds = excluded.kinds, updated_at = excluded.updated_at`,
			a.UserID, in.Email, in.WebhookKind, in.WebhookURL, in.WebhookSecret, strings.Join(kinds, ","), s.Now().UTC())
		return err
	})
	if err != nil {
		return Prefs{}, err
	}
	return s.Prefs(ctx, a)
}

// queue adds the outward deliveries the recipient chose for this kind.
func (s *Service) queue(ctx context.Context, tx *sql.Tx, notificationID, userID int64, kind string, now time.Time) error {
	p, err := s.prefs(ctx, tx, userID)
	if err != nil {
		return err
	}
	wanted := false
	for _, k := range p.Kinds {
		wanted = wanted || k == kind
	}
	if !wanted {
		return nil
	}
	var channels []string
	if p.Email != "" {
		channels = append(channels, "email")
	}
	if p.WebhookKind != "" && p.WebhookURL != "" {
		channels = append(channels, p.WebhookKind)
	}
	for _, c := range channels {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notification_outbox (notification_id, channel, next_at) VALUES ($1, $2, $3)
			ON CONFLICT (notification_id, channel) DO NOTHING`, notificationID, c, now); err != nil {
			return err
		}
	}
	return nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
