// Package ui embeds the built web client. Vite writes the real client to
// dist/app; the committed dist/index.html is a plain page that keeps `go build`
// working on a fresh clone without Node and tells the visitor how to build.
package ui

import "embed"

// Dist holds dist/index.html (the no-Node fallback) and, once built, dist/app.
//
//go:embed all:dist
var Dist embed.FS
