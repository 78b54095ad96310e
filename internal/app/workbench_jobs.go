package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"edugroup/internal/i18n"
	"edugroup/internal/workbench"
)

// Outward delivery is configured from the environment, so the SMTP password
// never appears on a command line:
//
//	EDUGROUP_PUBLIC_URL     the address people open the platform at, for links
//	EDUGROUP_SMTP_ADDR      host:port of the mail server (empty: no e-mail)
//	EDUGROUP_SMTP_FROM      the sender address
//	EDUGROUP_SMTP_USERNAME  and EDUGROUP_SMTP_PASSWORD when the server wants a login
//	EDUGROUP_WEBHOOK_HOSTS  more robot hosts, "wecom=host,dingtalk=host" (a
//	                        county's own relay); the public ones are always allowed
func (a *App) deliverer(getenv func(string) string) *workbench.Deliverer {
	for _, pair := range strings.Split(getenv("EDUGROUP_WEBHOOK_HOSTS"), ",") {
		if kind, host, ok := strings.Cut(strings.TrimSpace(pair), "="); ok && host != "" {
			a.Workbench.AllowWebhookHost(kind, host)
		}
	}
	d := a.Workbench.NewDeliverer()
	d.BaseURL = getenv("EDUGROUP_PUBLIC_URL")
	d.SMTP = workbench.SMTPConfig{Addr: getenv("EDUGROUP_SMTP_ADDR"), From: getenv("EDUGROUP_SMTP_FROM"),
		Username: getenv("EDUGROUP_SMTP_USERNAME"), Password: getenv("EDUGROUP_SMTP_PASSWORD")}
	d.Words = func(key string) string { return a.Catalog.T(i18n.Default, key, nil) }
	client := &http.Client{Timeout: 10 * time.Second}
	d.Webhook = func(ctx context.Context, url string, body []byte) (int, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		return res.StatusCode, b, nil
	}
	return d
}

// deliveryEvery is how often the outbox is looked at; a notice waits at
// most this long before it goes out.
const deliveryEvery = 30 * time.Second

// runWorkbenchJobs sends the outward deliveries in the background, never in
// a request. Every instance runs it: each delivery is claimed by one runner
// (FOR UPDATE SKIP LOCKED). The reminders are one of the periodic jobs.
func (a *App) runWorkbenchJobs(ctx context.Context, getenv func(string) string) {
	d := a.deliverer(getenv)
	t := time.NewTicker(deliveryEvery)
	defer t.Stop()
	for {
		if _, _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			a.Log.Error("notification delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
