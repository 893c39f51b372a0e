package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkTableWidth is the width check's table wraps its STATUS column to: $COLUMNS
// when set (a shell's terminal width), else 100.
func checkTableWidth() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n >= 40 {
		return n
	}
	return 100
}

// printCheckTable prints one line per result: tool, capability, auth method, latency
// and status. A failure's status is its whole cause, wrapped onto indented lines under
// the STATUS column, never cut: the end of a cause is usually what to fix.
func printCheckTable(w io.Writer, results []checkResult, width int) {
	rows := [][]string{{"TOOL", "CAPABILITY", "AUTH METHOD", "LATENCY", "STATUS"}}
	for _, r := range results {
		latency := "-"
		if r.LatencyMS > 0 {
			latency = fmt.Sprintf("%.0fms", r.LatencyMS)
			if r.LatencyMS < 1 {
				latency = fmt.Sprintf("%.2fms", r.LatencyMS)
			}
		}
		status := "ok"
		if r.Warning != "" {
			status = "ok, WARNING: " + oneLine(r.Warning)
		}
		if !r.OK {
			status = "FAIL " + r.ErrorKind + ": " + oneLine(r.Error)
		}
		rows = append(rows, []string{r.Tool, strings.Join(r.Capabilities, ", "), r.AuthMethod, latency, status})
	}
	const gap = 2
	widths := make([]int, 4)
	for _, row := range rows {
		for i := range widths {
			widths[i] = max(widths[i], utf8.RuneCountInString(row[i]))
		}
	}
	indent := 0
	for _, wd := range widths {
		indent += wd + gap
	}
	statusWidth := max(24, width-indent)
	for _, row := range rows {
		var b strings.Builder
		for i := range widths {
			b.WriteString(row[i])
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(row[i])+gap))
		}
		for i, line := range wrapWords(row[4], statusWidth) {
			if i > 0 {
				b.WriteString("\n" + strings.Repeat(" ", indent))
			}
			b.WriteString(line)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// wrapWords breaks s into lines of at most width runes at spaces; a word longer than
// width (a URL, a secret id) stays whole on its own line.
func wrapWords(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// oneLine folds a message's whitespace (newlines included) into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
