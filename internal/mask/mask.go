// Package mask hides personal data where it leaves the store: in responses,
// exports and audit records. It is the one definition of each mask, so the
// registry, the audit log and every capability show the same thing.
package mask

import "strings"

// Phone shows the first three and last four characters: 138****5678. Numbers
// too short to keep any part are hidden whole.
func Phone(p string) string {
	if len(p) < 8 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// IDCard shows the province and city (first four) and the last four
// characters: 3403**********123X. The hidden part holds the county, the birth
// date and the sequence's first two digits, so no response may carry a full
// birth date beside it (see the registry's staff detail).
func IDCard(id string) string {
	if len(id) < 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}
