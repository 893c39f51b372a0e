package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/jsonshape"
)

// page is one answer of the query resource (or of a nextRecordsUrl).
type page struct {
	TotalSize      int
	Done           bool
	NextRecordsURL string
	Records        []json.RawMessage
}

// parsePage reads a query answer. Missing fields are tolerated (no records, done
// unless a nextRecordsUrl is given); a field of the wrong type is an invalid response
// naming it.
func parsePage(op string, body []byte) (page, error) {
	var p page
	top, err := jsonshape.Object(body)
	if err != nil {
		return p, connector.InvalidResponse(tool, op, "body", err)
	}
	if raw, ok := top["totalSize"]; ok && !jsonshape.IsNull(raw) {
		if err := json.Unmarshal(raw, &p.TotalSize); err != nil || p.TotalSize < 0 {
			return p, connector.InvalidResponse(tool, op, "totalSize", jsonshape.WantType("a non-negative integer", raw))
		}
	}
	if raw, ok := top["nextRecordsUrl"]; ok && !jsonshape.IsNull(raw) {
		if err := json.Unmarshal(raw, &p.NextRecordsURL); err != nil {
			return p, connector.InvalidResponse(tool, op, "nextRecordsUrl", jsonshape.WantType("a string", raw))
		}
	}
	p.Done = p.NextRecordsURL == ""
	if raw, ok := top["done"]; ok && !jsonshape.IsNull(raw) {
		if err := json.Unmarshal(raw, &p.Done); err != nil {
			return p, connector.InvalidResponse(tool, op, "done", jsonshape.WantType("a boolean", raw))
		}
	}
	if !p.Done && p.NextRecordsURL == "" {
		return p, connector.InvalidResponse(tool, op, "nextRecordsUrl", errors.New("missing while done is false"))
	}
	if raw, ok := top["records"]; ok && !jsonshape.IsNull(raw) {
		if err := json.Unmarshal(raw, &p.Records); err != nil {
			return p, connector.InvalidResponse(tool, op, "records", jsonshape.WantType("an array", raw))
		}
	}
	return p, nil
}

// fieldMap names the SOQL fields holding the optional Customer values ("" = not read).
type fieldMap struct {
	Plan   string
	Status string
}

func (f fieldMap) extra() []string { return []string{f.Plan, f.Status} }

// contact is one normalized record plus what choosing among duplicates needs.
type contact struct {
	connector.Customer
	hasAccount bool
	modified   time.Time
}

// normalize maps one Contact record onto connector.Customer: the only place where
// Salesforce field names meet the normalized model.
//
//	Id → ID, Email → Email (fallbackEmail when null), FirstName, LastName,
//	Account.Name → Company, Phone (MobilePhone when Phone is empty) → Phone,
//	fields.Plan → Plan, fields.Status → Status (lower-cased: picklist labels such as
//	"Active" become "active"), CreatedDate → CreatedAt (UTC), MailingStreet,
//	MailingCity, MailingState, MailingPostalCode, MailingCountry → Address.
//
// at prefixes field names in errors ("records[3]").
func normalize(op, at string, raw json.RawMessage, fields fieldMap, fallbackEmail string) (contact, error) {
	var c contact
	rec, err := jsonshape.Object(raw)
	if err != nil {
		return c, connector.InvalidResponse(tool, op, at, err)
	}
	str := func(path string) (string, error) {
		v, err := stringAt(rec, path)
		if err != nil {
			return "", connector.InvalidResponse(tool, op, at+"."+path, err)
		}
		return strings.TrimSpace(v), nil
	}
	var errs error
	get := func(path string) string {
		if path == "" || errs != nil {
			return ""
		}
		v, err := str(path)
		errs = err
		return v
	}
	c.ID = get("Id")
	c.Email = get("Email")
	c.FirstName = get("FirstName")
	c.LastName = get("LastName")
	c.Company = get("Account.Name")
	c.Phone = get("Phone")
	mobile := get("MobilePhone")
	c.Plan = get(fields.Plan)
	c.Status = strings.ToLower(get(fields.Status))
	created := get("CreatedDate")
	modified := get("LastModifiedDate")
	accountID := get("AccountId")
	c.Address = connector.Address{
		Street:     get("MailingStreet"),
		City:       get("MailingCity"),
		Region:     get("MailingState"),
		PostalCode: get("MailingPostalCode"),
		Country:    get("MailingCountry"),
	}
	if errs != nil {
		return c, errs
	}
	if c.ID == "" {
		return c, connector.InvalidResponse(tool, op, at+".Id", errors.New("missing"))
	}
	if c.Email == "" {
		c.Email = fallbackEmail
	}
	if c.Phone == "" {
		c.Phone = mobile
	}
	if created != "" {
		t, err := parseTime(created)
		if err != nil {
			return c, connector.InvalidResponse(tool, op, at+".CreatedDate", err)
		}
		c.CreatedAt = t
	}
	if modified != "" {
		t, err := parseTime(modified)
		if err != nil {
			return c, connector.InvalidResponse(tool, op, at+".LastModifiedDate", err)
		}
		c.modified = t
	}
	c.hasAccount = accountID != "" || c.Company != ""
	return c, nil
}

// choose picks one contact among those sharing an email (Salesforce does not make
// Contact.Email unique): one linked to an Account first, then the most recently
// modified, then the lowest Id, so the answer does not depend on the order or the page
// boundaries of the query result.
func choose(cs []contact) contact {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.hasAccount != b.hasAccount {
			return a.hasAccount
		}
		if !a.modified.Equal(b.modified) {
			return a.modified.After(b.modified)
		}
		return a.ID < b.ID
	})
	return cs[0]
}

// Salesforce writes dateTime values as 2023-03-14T09:30:00.000+0000.
var timeLayouts = []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano}

func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Salesforce dateTime", jsonshape.Clip(s))
}

// stringAt follows a dotted path through nested relationship objects. A null or absent
// step yields "" (a contact without an Account has "Account": null); a value of another
// type is an error.
func stringAt(rec map[string]json.RawMessage, path string) (string, error) {
	cur := rec
	parts := strings.Split(path, ".")
	for i, p := range parts {
		raw, ok := lookup(cur, p)
		if !ok || jsonshape.IsNull(raw) {
			return "", nil
		}
		if i == len(parts)-1 {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", jsonshape.WantType("a string", raw)
			}
			return s, nil
		}
		next, err := jsonshape.Object(raw)
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		cur = next
	}
	return "", nil
}

// lookup finds key exactly, else case-insensitively: SOQL field names are
// case-insensitive and the answer may spell them as the org's metadata does.
func lookup(m map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
