package workbench_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"edugroup/internal/store"
	"edugroup/internal/store/storetest"
	"edugroup/internal/workbench"
)

// smtpServer is the smallest SMTP server the mailer talks to: it accepts
// every message and keeps it.
type smtpServer struct {
	addr string
	mu   sync.Mutex
	msgs []string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpServer{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			say("250 queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.msgs...)
}

// hooks is a fake robot endpoint: one URL answers errcode 0, the other 500.
type hooks struct {
	mu    sync.Mutex
	calls map[string][]string // host → bodies
	urls  []string
}

func (h *hooks) post(_ context.Context, target string, body []byte) (int, []byte, error) {
	u, _ := url.Parse(target)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.calls == nil {
		h.calls = map[string][]string{}
	}
	h.calls[u.Host] = append(h.calls[u.Host], string(body))
	h.urls = append(h.urls, target)
	if u.Host == "broken.example" {
		return 500, nil, nil
	}
	return 200, []byte(`{"errcode":0,"errmsg":"ok"}`), nil
}

func (h *hooks) count(host string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls[host])
}

// TestOutwardDelivery: the teacher's chosen kind goes out by e-mail and a
// signed 钉钉 robot, once; a robot that keeps failing is retried with backoff
// and ends in the dead letters, while the in-app notice stays.
func TestOutwardDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		wb := e.app.Workbench
		wb.WebhookHosts = map[string][]string{workbench.WebhookDingTalk: {"ding.example"}, workbench.WebhookWeCom: {"broken.example"}}
		teacher, renshi := e.actor("teacher"), e.actor("renshi")
		if _, err := wb.SavePrefs(ctx, teacher, workbench.Prefs{Email: "teacher@example.org", WebhookKind: workbench.WebhookDingTalk,
			WebhookURL: "https://ding.example/robot/send?access_token=abc", WebhookSecret: "SECxyz", Kinds: []string{"exchange.approved"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := wb.SavePrefs(ctx, renshi, workbench.Prefs{WebhookKind: workbench.WebhookWeCom, WebhookURL: "https://broken.example/cgi-bin/webhook/send?key=k",
			Kinds: []string{"exchange.to_act"}}); err != nil {
			t.Fatal(err)
		}
		if p, err := wb.Prefs(ctx, teacher); err != nil || p.WebhookSecret != "" || !p.HasSecret {
			t.Fatalf("prefs read back the secret: %+v %v", p, err)
		}
		if _, err := wb.SavePrefs(ctx, teacher, workbench.Prefs{WebhookKind: "slack", WebhookURL: "x"}); err == nil {
			t.Fatal("an unknown robot was accepted")
		}
		for _, bad := range []string{"http://ding.example/robot", "https://127.0.0.1/robot", "https://ding.example.evil/robot", "https://u:p@ding.example/"} {
			if _, err := wb.SavePrefs(ctx, renshi, workbench.Prefs{WebhookKind: workbench.WebhookDingTalk, WebhookURL: bad}); err == nil {
				t.Errorf("webhook %s accepted", bad)
			}
		}
		d := walk(t, e)

		clock := time.Now().UTC()
		wb.Now = func() time.Time { return clock }
		mail := startSMTP(t)
		h := &hooks{}
		dl := wb.NewDeliverer()
		dl.SMTP = workbench.SMTPConfig{Addr: mail.addr, From: "edugroup@example.org"}
		dl.Webhook = h.post
		dl.BaseURL = "https://edu.example"
		dl.MaxAttempts = 3
		dl.Words = func(k string) string { return e.app.Catalog.T("zh-CN", k, nil) }

		// Two runners at once: each delivery is sent by one of them.
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := dl.RunOnce(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if _, _, err := dl.RunOnce(ctx); err != nil { // nothing due again yet
			t.Fatal(err)
		}
		msgs := mail.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d e-mails, want 1", len(msgs))
		}
		if !strings.Contains(msgs[0], "To: teacher@example.org") || !strings.Contains(msgs[0], "Subject: =?UTF-8?B?") {
			t.Fatalf("e-mail headers: %.300s", msgs[0])
		}
		raw := msgs[0][strings.Index(msgs[0], "\r\n\r\n")+4:]
		body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.TrimSpace(raw), "\r\n", ""))
		if err != nil || !strings.Contains(string(body), "https://edu.example/exchanges/") {
			t.Fatalf("e-mail body %q: %v", body, err)
		}
		if n := h.count("ding.example"); n != 1 {
			t.Fatalf("钉钉 robot called %d times", n)
		}
		var signed string
		for _, u := range h.urls {
			if strings.Contains(u, "ding.example") {
				signed = u
			}
		}
		q, _ := url.Parse(signed)
		ts, sign := q.Query().Get("timestamp"), q.Query().Get("sign")
		if ts == "" || sign != workbench.DingTalkSign(ts, "SECxyz") || q.Query().Get("access_token") != "abc" {
			t.Fatalf("钉钉 URL not signed: %s", signed)
		}
		var msg struct {
			MsgType string `json:"msgtype"`
			Text    struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		if err := json.Unmarshal([]byte(h.calls["ding.example"][0]), &msg); err != nil || msg.MsgType != "text" || !strings.Contains(msg.Text.Content, "/exchanges/") {
			t.Fatalf("钉钉 body: %s (%v)", h.calls["ding.example"][0], err)
		}
		if strings.Contains(msg.Text.Content, d.StaffName) {
			t.Fatalf("the robot message names the person: %s", msg.Text.Content)
		}

		// The broken robot: tried, backed off, dead after three attempts.
		if n := h.count("broken.example"); n != 1 {
			t.Fatalf("broken robot tried %d times, want 1", n)
		}
		for i := 0; i < 5; i++ {
			clock = clock.Add(24 * time.Hour)
			if _, _, err := dl.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := h.count("broken.example"); n != 3 {
			t.Fatalf("broken robot tried %d times, want 3", n)
		}
		if _, err := wb.DeadLetters(ctx, teacher); err == nil {
			t.Fatal("a teacher read the dead letters")
		}
		dl2, err := wb.DeadLetters(ctx, e.actor("sysadmin"))
		dead := dl2.Items
		if err != nil || len(dead) != 1 || dead[0].Username != "renshi" || dead[0].Attempts != 3 {
			t.Fatalf("dead letters: %+v %v", dead, err)
		}
		if n := notices(t, st, "renshi", "exchange.to_act", "/exchanges/"+itoa(d.ID)); n != 1 {
			t.Fatalf("the failing robot lost the in-app notice (%d)", n)
		}
		if len(mail.messages()) != 1 || h.count("ding.example") != 1 {
			t.Fatal("a sent delivery went out again")
		}
	})
}

func itoa(n int64) string { return formatInt(n) }

func formatInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
