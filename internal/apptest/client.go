package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"

	"edugroup/internal/demo"
)

// Client is a browser: a cookie jar and the CSRF token of its session.
type Client struct {
	E     *Env
	HC    *http.Client
	CSRF  string
	Token string // bearer token instead of the cookie, when set
}

// Anon is a client that has not signed in.
func (e *Env) Anon() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{E: e, HC: &http.Client{Jar: jar}}
}

// Login is a client signed in as a demo account.
func (e *Env) Login(username string) *Client {
	e.T.Helper()
	c := e.Anon()
	c.MustLogin(username, demo.DefaultPassword)
	return c
}

// MustLogin signs in, failing the test when that is refused.
func (c *Client) MustLogin(username, password string) {
	c.E.T.Helper()
	status, body := c.Do("POST", "/api/v1/session", map[string]string{"username": username, "password": password})
	if status != 200 {
		c.E.T.Fatalf("login %s: %d %s", username, status, body)
	}
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.Unmarshal(body, &s)
	c.CSRF = s.CSRF
}

// Do sends a request (body as JSON, or a string as it is) and returns the
// status and the body of the answer.
func (c *Client) Do(method, path string, body any) (int, []byte) {
	c.E.T.Helper()
	status, b, _ := c.DoH(method, path, body, nil)
	return status, b
}

// DoH is Do with extra request headers (an empty value removes one) and the
// answer's headers.
func (c *Client) DoH(method, path string, body any, hdr map[string]string) (int, []byte, http.Header) {
	c.E.T.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = bytes.NewBufferString(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, c.E.Srv.URL+path, rd)
	if err != nil {
		c.E.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		c.E.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// Upload posts an .xlsx file with form fields.
func (c *Client) Upload(path string, file []byte, fields map[string]string) (int, []byte) {
	c.E.T.Helper()
	return c.UploadAs(path, "data.xlsx", file, fields)
}

// UploadAs posts file under a file name (its extension says its format).
func (c *Client) UploadAs(path, name string, file []byte, fields map[string]string) (int, []byte) {
	c.E.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(file)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.E.Srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF)
	resp, err := c.HC.Do(req)
	if err != nil {
		c.E.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
