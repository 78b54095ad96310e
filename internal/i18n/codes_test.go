package i18n

import (
	"strings"
	"testing"
)

// TestCodesInEveryLanguage: every code of every list has a label, and the
// same codes, in each language.
func TestCodesInEveryLanguage(t *testing.T) {
	c := MustLoad()
	langs := c.Languages()
	if len(langs) < 2 || langs[0] != Default {
		t.Fatalf("languages %v", langs)
	}
	base := c.Codes(Default)
	if len(base) == 0 {
		t.Fatal("no code lists")
	}
	for _, lang := range langs {
		lists := c.Codes(lang)
		for list, codes := range base {
			for code := range codes {
				label := lists[list][code]
				if strings.TrimSpace(label) == "" {
					t.Errorf("%s: %s%s.%s has no label", lang, CodePrefix, list, code)
				}
				// The web client renders labels as vue-i18n messages, where
				// these characters are syntax.
				if strings.ContainsAny(label, "{}@|") {
					t.Errorf("%s: %s%s.%s = %q holds message syntax", lang, CodePrefix, list, code, label)
				}
			}
		}
		for list, codes := range lists {
			for code := range codes {
				if _, ok := base[list][code]; !ok {
					t.Errorf("%s: %s%s.%s is not in %s", lang, CodePrefix, list, code, Default)
				}
			}
		}
	}
	if got := base["stage"]["primary"]; got != "小学" {
		t.Errorf("stage primary = %q", got)
	}
}
