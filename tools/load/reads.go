package main

// The county read scenarios beyond the two lists: a school's and a person's
// detail, the exchange ledger and one exchange, each drawn at random and
// judged against the 50 ms target; and the bare handler they are compared
// with.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
)

// prepareReads builds the requests of the scenarios in this file; ok is
// false for a name it does not know.
func (l *loader) prepareReads(ctx context.Context, name string) (mk requestMaker, note string, ok bool, err error) {
	switch name {
	case "school":
		mk, note, err = l.prepareRegistry(ctx, "school-detail")
		return mk, note, true, err
	case "person":
		mk, note, err = l.prepareRegistry(ctx, "staff-detail")
		return mk, note, true, err
	case "exchanges", "exchange":
	case "bare":
		mk, note, err = l.prepareBare(ctx)
		return mk, note, true, err
	default:
		return nil, "", false, nil
	}
	cookies, err := l.cookiesOf(ctx, l.cfg.listUser)
	if err != nil {
		return nil, "", true, err
	}
	var page struct {
		Total int `json:"total"`
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := l.getJSON(ctx, cookies[0], "/api/v1/exchanges?page=1&page_size=100", &page); err != nil {
		return nil, "", true, err
	}
	if len(page.Items) == 0 {
		return nil, "", true, fmt.Errorf("%s sees no exchanges", l.cfg.listUser)
	}
	get := func(i int, path string) *http.Request {
		req, _ := http.NewRequest("GET", l.url(path), nil)
		req.AddCookie(cookies[i])
		return req
	}
	if name == "exchanges" {
		pages := max(1, (page.Total+19)/20)
		return func(i int, rng *rand.Rand) *http.Request {
			return get(i, "/api/v1/exchanges?page_size=20&page="+strconv.Itoa(1+rng.IntN(pages)))
		}, fmt.Sprintf("random page of %d as %s", pages, l.cfg.listUser), true, nil
	}
	return func(i int, rng *rand.Rand) *http.Request {
		return get(i, "/api/v1/exchanges/"+strconv.FormatInt(page.Items[rng.IntN(len(page.Items))].ID, 10))
	}, fmt.Sprintf("random one of %d exchanges, as %s", len(page.Items), l.cfg.listUser), true, nil
}

// prepareBare starts, in this process, a plain net/http handler on loopback
// that answers every request with the bytes of a real staff page (fetched
// once from the server): the most a Go HTTP server on this machine can do
// for such an answer, the yardstick of the "× bare" column.
func (l *loader) prepareBare(ctx context.Context) (requestMaker, string, error) {
	cookies, err := l.cookiesOf(ctx, l.cfg.listUser)
	if err != nil {
		return nil, "", err
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", l.url("/api/v1/staff?page=1&page_size=20"), nil)
	req.AddCookie(cookies[0])
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := l.hc.Do(req)
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return nil, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("staff page for the bare handler: %d", resp.StatusCode)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("bare handler:", err)
		}
	}()
	l.closers = append(l.closers, func() { _ = srv.Close() })
	target := "http://" + ln.Addr().String() + "/bare"
	return func(i int, _ *rand.Rand) *http.Request {
		req, _ := http.NewRequest("GET", target, nil)
		req.AddCookie(cookies[i])
		return req
	}, fmt.Sprintf("a plain net/http handler in the load process writing a %d-byte staff page", len(body)), nil
}
