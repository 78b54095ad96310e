package workbench

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"edugroup/internal/auth"
	"edugroup/internal/errs"
)

// Message is one outward delivery, already worded.
type Message struct {
	Channel string // email, wecom, dingtalk
	To      string // the e-mail address or the robot's webhook URL
	Secret  string // 钉钉 加签 secret
	Title   string
	Text    string
}

// WebhookPoster sends a JSON body to a URL and returns the HTTP status. The
// app supplies it (this package does not speak HTTP itself).
type WebhookPoster func(ctx context.Context, url string, body []byte) (status int, respBody []byte, err error)

// Words renders a notice kind in the default language for outward messages.
type Words func(key string) string

// SMTPConfig is the mail server the e-mails go through. Addr empty turns
// e-mail off.
type SMTPConfig struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
}

// Deliverer runs the outward deliveries: it claims due rows of the outbox,
// sends them and records the outcome, retrying with backoff and moving a
// delivery that keeps failing to the dead letters. Several instances may run
// it at once: each row is claimed by one of them (FOR UPDATE SKIP LOCKED on
// PostgreSQL; SQLite has one process).
type Deliverer struct {
	svc     *Service
	SMTP    SMTPConfig
	Webhook WebhookPoster
	Words   Words
	// BaseURL is the platform's public address, for links in messages.
	BaseURL string
	// MaxAttempts before a delivery is dead; Backoff(n) is the wait after
	// the n-th failure.
	MaxAttempts int
	Backoff     func(attempt int) time.Duration
	// Lease is how long a claimed row is kept from other runners while it is
	// being sent.
	Lease time.Duration
}

// NewDeliverer builds the delivery job on the workbench's store.
func (s *Service) NewDeliverer() *Deliverer {
	return &Deliverer{svc: s, MaxAttempts: 6, Lease: 5 * time.Minute, Words: func(k string) string { return k },
		Backoff: func(n int) time.Duration { return time.Duration(1<<min(n, 10)) * time.Minute }}
}

type claimed struct {
	id       int64
	channel  string
	attempts int
	kind     string
	subject  string
	link     string
	prefs    Prefs
}

// claimBatch is how many deliveries one pass takes.
const claimBatch = 20

// claim takes the due deliveries and pushes their next attempt past the
// lease, so no other runner takes them while this one sends.
func (d *Deliverer) claim(ctx context.Context) ([]claimed, error) {
	s := d.svc
	now := s.Now().UTC()
	var out []claimed
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		lock := ""
		if s.st.Dialect == "postgres" {
			lock = " FOR UPDATE OF o SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.channel, o.attempts, n.kind, n.subject, n.link, n.user_id FROM notification_outbox o
			JOIN notifications n ON n.id = o.notification_id WHERE o.status = 'pending' AND o.next_at <= $1 ORDER BY o.next_at, o.id LIMIT $2`+lock, now, claimBatch)
		if err != nil {
			return err
		}
		var users []int64
		for rows.Next() {
			var c claimed
			var uid int64
			if err := rows.Scan(&c.id, &c.channel, &c.attempts, &c.kind, &c.subject, &c.link, &uid); err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
			users = append(users, uid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].prefs, err = s.prefs(ctx, tx, users[i]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notification_outbox SET next_at = $1 WHERE id = $2`, now.Add(d.Lease), out[i].id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RunOnce sends what is due and reports how many were sent and failed.
func (d *Deliverer) RunOnce(ctx context.Context) (sent, failed int, err error) {
	batch, err := d.claim(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, c := range batch {
		m := d.message(c)
		serr := d.send(ctx, m)
		now := d.svc.Now().UTC()
		err := d.svc.st.Tx(ctx, func(tx *sql.Tx) error {
			if serr == nil {
				_, err := tx.ExecContext(ctx, `UPDATE notification_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = '' WHERE id = $2`, now, c.id)
				return err
			}
			attempts := c.attempts + 1
			status, next := "pending", now.Add(d.Backoff(attempts))
			if attempts >= d.MaxAttempts {
				status = "dead"
			}
			msg := serr.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			_, err := tx.ExecContext(ctx, `UPDATE notification_outbox SET status = $1, attempts = $2, next_at = $3, last_error = $4 WHERE id = $5`,
				status, attempts, next, msg, c.id)
			return err
		})
		if err != nil {
			return sent, failed, err
		}
		if serr == nil {
			sent++
		} else {
			failed++
		}
	}
	return sent, failed, nil
}

// message words a delivery. Outward messages name the kind and link to the
// object; a robot posts into a group chat, so it never carries the
// subject (a person's name) either, and no message carries a reason.
func (d *Deliverer) message(c claimed) Message {
	title := d.Words("workbench.notice." + c.kind)
	link := strings.TrimRight(d.BaseURL, "/") + c.link
	m := Message{Channel: c.channel, Title: title}
	switch c.channel {
	case "email":
		m.To = c.prefs.Email
		m.Text = title + "\n" + c.subject + "\n\n" + link + "\n"
	default:
		m.To, m.Secret = c.prefs.WebhookURL, c.prefs.WebhookSecret
		m.Text = title + "\n" + link
	}
	return m
}

func (d *Deliverer) send(ctx context.Context, m Message) error {
	switch m.Channel {
	case "email":
		if d.SMTP.Addr == "" {
			return errors.New("e-mail is not configured")
		}
		if m.To == "" {
			return errors.New("no e-mail address")
		}
		return SendMail(ctx, d.SMTP, m.To, m.Title, m.Text)
	case WebhookWeCom, WebhookDingTalk:
		if d.Webhook == nil {
			return errors.New("webhooks are not configured")
		}
		// Checked again at sending: the allowed hosts may have changed.
		if !d.svc.webhookAllowed(m.Channel, m.To) {
			return errors.New("webhook host not allowed")
		}
		target, body, err := WebhookRequest(m, d.svc.Now())
		if err != nil {
			return err
		}
		status, resp, err := d.Webhook(ctx, target, body)
		if err != nil {
			return err
		}
		if status/100 != 2 {
			return fmt.Errorf("webhook answered %d", status)
		}
		// Both robots answer 200 with errcode in the body.
		var r struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if json.Unmarshal(resp, &r) == nil && r.ErrCode != 0 {
			return fmt.Errorf("webhook errcode %d: %s", r.ErrCode, r.ErrMsg)
		}
		return nil
	}
	return fmt.Errorf("unknown channel %q", m.Channel)
}

// WebhookRequest is the URL and JSON body of a group-robot message: a text
// message in the 企业微信 format, or in the 钉钉 format with the 加签
// signature (timestamp + "\n" + secret, HMAC-SHA256, base64, URL-encoded)
// added to the URL when a secret is set.
func WebhookRequest(m Message, now time.Time) (string, []byte, error) {
	type text struct {
		Content string `json:"content"`
	}
	body, err := json.Marshal(struct {
		MsgType string `json:"msgtype"`
		Text    text   `json:"text"`
	}{"text", text{m.Text}})
	if err != nil {
		return "", nil, err
	}
	target := m.To
	if m.Channel == WebhookDingTalk && m.Secret != "" {
		ts := strconv.FormatInt(now.UnixMilli(), 10)
		u, err := url.Parse(target)
		if err != nil {
			return "", nil, err
		}
		q := u.Query()
		q.Set("timestamp", ts)
		q.Set("sign", DingTalkSign(ts, m.Secret))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	return target, body, nil
}

// DingTalkSign is 钉钉's robot signature of a millisecond timestamp, before
// URL encoding.
func DingTalkSign(timestamp, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// SendMail sends a plain-text UTF-8 e-mail through cfg, with STARTTLS when
// the server offers it and authentication when a username is set.
func SendMail(ctx context.Context, cfg SMTPConfig, to, subject, body string) error {
	dl := net.Dialer{Timeout: 10 * time.Second}
	conn, err := dl.DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	host, _, _ := net.SplitHostPort(cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(tlsConfig(host)); err != nil {
			return err
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(cfg.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	msg := "From: " + cfg.From + "\r\nTo: " + to + "\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(subject)) + "?=\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrap(base64.StdEncoding.EncodeToString([]byte(body))) + "\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func tlsConfig(host string) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

// DeadLetter is a delivery that failed every attempt.
type DeadLetter struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	Kind      string `json:"kind"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	Username  string `json:"username"`
}

// DeadLetters lists the dead deliveries, newest first, for the system
// administrator.
func (s *Service) DeadLetters(ctx context.Context, a auth.Actor) (DeadLetters, error) {
	if !a.Has(auth.PermUsersManage) {
		return DeadLetters{}, errs.ForbiddenError()
	}
	rows, err := s.st.R.QueryContext(ctx, `SELECT o.id, o.channel, n.kind, o.attempts, o.last_error, u.username FROM notification_outbox o
		JOIN notifications n ON n.id = o.notification_id JOIN users u ON u.id = n.user_id WHERE o.status = 'dead' ORDER BY o.id DESC LIMIT 200`)
	if err != nil {
		return DeadLetters{}, err
	}
	defer rows.Close()
	out := DeadLetters{Items: []DeadLetter{}}
	for rows.Next() {
		var x DeadLetter
		if err := rows.Scan(&x.ID, &x.Channel, &x.Kind, &x.Attempts, &x.LastError, &x.Username); err != nil {
			return out, err
		}
		out.Items = append(out.Items, x)
	}
	return out, rows.Err()
}

// DeadLetters is the dead-letter list.
type DeadLetters struct {
	Items []DeadLetter `json:"items"`
}
