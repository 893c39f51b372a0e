package connector

import "strings"

func normalizeWord(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
