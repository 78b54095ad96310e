package i18n

import "testing"

func TestPick(t *testing.T) {
	for in, want := range map[string]string{
		"": "zh-CN", "zh-CN,zh;q=0.9": "zh-CN", "en-US,en;q=0.9": "en", "fr-FR, en;q=0.5": "en", "de": "zh-CN", "zh-TW": "zh-CN",
	} {
		if got := Pick(in); got != want {
			t.Errorf("Pick(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestT(t *testing.T) {
	c := MustLoad()
	if got := c.T("zh-CN", "password.too_short", map[string]any{"min": 8}); got != "密码至少 8 位" {
		t.Errorf("zh: %q", got)
	}
	if got := c.T("en", "password.too_short", map[string]any{"min": 8}); got != "At least 8 characters" {
		t.Errorf("en: %q", got)
	}
	if got := c.T("en", "no.such.key", nil); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
	if got := c.T("zh-CN", "password.too_short", nil); got != "密码至少 {min} 位" {
		t.Errorf("missing arg: %q", got)
	}
}
