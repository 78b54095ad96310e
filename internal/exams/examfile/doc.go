// Package examfile reads score files as marking systems export them (xlsx
// and CSV in UTF-8 or GBK; one row per student, one row per student and
// subject, or item scores) into the analysis engine's data: it finds the
// header rows, maps columns by their aliases (or guesses and says so), reads
// score tokens (缺考, 作弊, half points), matches class names in their
// variants and reports every row it cannot use with its line and field. It
// never evaluates a formula. See docs/exams.md.
package examfile
