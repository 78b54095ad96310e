// Package i18n renders server messages (errors, export headers) in the
// caller's language. Catalogs are JSON files embedded from locales/; zh-CN is
// the default and the fallback for a key missing in another language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed locales/*.json
var files embed.FS

// Default is the language used when the caller names none we have.
const Default = "zh-CN"

// Catalog holds the messages of every language.
type Catalog struct {
	langs map[string]map[string]string
}

// Load reads the embedded catalogs.
func Load() (*Catalog, error) {
	c := &Catalog{langs: map[string]map[string]string{}}
	for _, lang := range []string{"zh-CN", "en"} {
		b, err := files.ReadFile("locales/" + lang + ".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n %s: %w", lang, err)
		}
		c.langs[lang] = m
	}
	return c, nil
}

// MustLoad is Load for callers that cannot continue without messages.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Pick chooses a language from an Accept-Language header value.
func Pick(acceptLanguage string) string {
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh-CN"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return Default
}

// Has reports whether the default catalog knows key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.langs[Default][key]
	return ok
}

// Keys lists the keys of one language, for tests that compare catalogs.
func (c *Catalog) Keys(lang string) []string {
	var out []string
	for k := range c.langs[lang] {
		out = append(out, k)
	}
	return out
}

// T renders key in lang, replacing {name} with args[name].
func (c *Catalog) T(lang, key string, args map[string]any) string {
	msg, ok := c.langs[lang][key]
	if !ok {
		msg, ok = c.langs[Default][key]
	}
	if !ok {
		msg = key
	}
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			break
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			b.WriteString(msg)
			break
		}
		b.WriteString(msg[:i])
		name := msg[i+1 : i+j]
		if v, ok := args[name]; ok {
			fmt.Fprint(&b, v)
		} else {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
	return b.String()
}

// Lang is the catalog bound to one language: what a service is given to word
// messages, export headers and code labels for its caller, without knowing
// where the language came from. The zero Lang renders every key as itself.
type Lang struct {
	cat *Catalog
	tag string
}

// In binds the catalog to lang.
func (c *Catalog) In(lang string) Lang { return Lang{cat: c, tag: lang} }

// Tag is the language's name ("zh-CN", "en").
func (l Lang) Tag() string { return l.tag }

// T renders key with args in the bound language.
func (l Lang) T(key string, args map[string]any) string {
	if l.cat == nil {
		return key
	}
	return l.cat.T(l.tag, key, args)
}

// Languages lists the languages of the catalog, the default first.
func (c *Catalog) Languages() []string {
	out := []string{Default}
	for l := range c.langs {
		if l != Default {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return out
}

// CodePrefix starts the key of every code label: "code.<list>.<code>", as in
// "code.stage.primary".
const CodePrefix = "code."

// Codes returns the code lists of lang with their labels, list → code →
// label. They are the one catalog of code labels: the exports write them and
// the web client shows them (GET /api/v1/codes).
func (c *Catalog) Codes(lang string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, v := range c.langs[lang] {
		rest, ok := strings.CutPrefix(k, CodePrefix)
		if !ok {
			continue
		}
		list, code, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		if out[list] == nil {
			out[list] = map[string]string{}
		}
		out[list][code] = v
	}
	return out
}
