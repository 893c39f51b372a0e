package config

// Name checks shared by the configuration and the connectors that put these names into
// queries. They are plain loops, not regular expressions: a package-level regexp is
// compiled at every process start, and a Lambda's cold start pays for it.

// ValidSalesforceAPIVersion reports whether v looks like "v61.0".
func ValidSalesforceAPIVersion(v string) bool {
	if len(v) < 5 || len(v) > 6 || v[0] != 'v' || v[len(v)-2] != '.' || !isDigit(v[len(v)-1]) {
		return false
	}
	for i := 1; i < len(v)-2; i++ {
		if !isDigit(v[i]) {
			return false
		}
	}
	return true
}

// ValidSalesforceField reports whether f is a SOQL field reference: a field of Contact
// (Phone) or of up to four parents (Account.Owner.Name), each part a letter followed by
// at most 79 letters, digits or underscores.
func ValidSalesforceField(f string) bool {
	parts, start := 0, 0
	for i := 0; i <= len(f); i++ {
		if i < len(f) && f[i] != '.' {
			continue
		}
		part := f[start:i]
		if len(part) == 0 || len(part) > 80 || !isLetter(part[0]) {
			return false
		}
		for j := 1; j < len(part); j++ {
			if !isLetter(part[j]) && !isDigit(part[j]) && part[j] != '_' {
				return false
			}
		}
		parts++
		start = i + 1
	}
	return parts >= 1 && parts <= 5
}

// ValidHubSpotProperty reports whether p is a HubSpot property internal name: 1 to 100
// letters, digits or underscores.
func ValidHubSpotProperty(p string) bool {
	if len(p) == 0 || len(p) > 100 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if !isLetter(p[i]) && !isDigit(p[i]) && p[i] != '_' {
			return false
		}
	}
	return true
}

// validZendeskSubdomain: a letter or digit, then up to 62 letters, digits or hyphens.
func validZendeskSubdomain(s string) bool {
	if len(s) == 0 || len(s) > 63 || !(isLetter(s[0]) || isDigit(s[0])) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
