package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/jsonshape"
)

// page is one answer of the search (or list) endpoint.
type page struct {
	Total   int
	Results []json.RawMessage
	After   string // paging.next.after; "" on the last page
}

// parsePage reads a search answer. Missing fields are tolerated; a field of the wrong
// type is an invalid response naming it.
func parsePage(op string, body []byte) (page, error) {
	var p page
	top, err := jsonshape.Object(body)
	if err != nil {
		return p, connector.InvalidResponse(tool, op, "body", err)
	}
	if raw, ok := top["total"]; ok && !jsonshape.IsNull(raw) {
		if err := json.Unmarshal(raw, &p.Total); err != nil || p.Total < 0 {
			return p, connector.InvalidResponse(tool, op, "total", jsonshape.WantType("a non-negative integer", raw))
		}
	}
	if raw, ok := top["results"]; ok && !jsonshape.IsNull(raw) {
		if err := json.Unmarshal(raw, &p.Results); err != nil {
			return p, connector.InvalidResponse(tool, op, "results", jsonshape.WantType("an array", raw))
		}
	}
	if raw, ok := top["paging"]; ok && !jsonshape.IsNull(raw) {
		paging, err := jsonshape.Object(raw)
		if err != nil {
			return p, connector.InvalidResponse(tool, op, "paging", err)
		}
		if raw, ok := paging["next"]; ok && !jsonshape.IsNull(raw) {
			next, err := jsonshape.Object(raw)
			if err != nil {
				return p, connector.InvalidResponse(tool, op, "paging.next", err)
			}
			if raw, ok := next["after"]; ok && !jsonshape.IsNull(raw) {
				// Documented as a string; tolerate a number, which some SDK fixtures show.
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					var n json.Number
					dec := json.NewDecoder(bytes.NewReader(raw))
					dec.UseNumber()
					if dec.Decode(&n) != nil {
						return p, connector.InvalidResponse(tool, op, "paging.next.after", jsonshape.WantType("a string", raw))
					}
					s = n.String()
				}
				p.After = s
			}
		}
	}
	return p, nil
}

// props names the contact properties holding the optional Customer values ("" = not
// read).
type props struct {
	Plan   string
	Status string
}

// list is every property the connector asks for.
func (p props) list() []string {
	out := []string{"email", "firstname", "lastname", "company", "phone", "mobilephone", "createdate", "lastmodifieddate",
		"address", "city", "state", "zip", "country"}
	for _, x := range []string{p.Plan, p.Status} {
		if x != "" && !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// contact is one normalized result plus what choosing among duplicates needs.
type contact struct {
	connector.Customer
	modified time.Time
}

// normalize maps one contact object onto connector.Customer: the only place where
// HubSpot property names meet the normalized model.
//
//	id → ID, properties.email → Email (fallbackEmail when empty), firstname, lastname,
//	company → Company, phone (mobilephone when empty) → Phone, p.Plan → Plan,
//	p.Status → Status (lower-cased), createdate (else createdAt) → CreatedAt (UTC),
//	address, city, state, zip, country → Address (Street, City, Region, PostalCode,
//	Country).
//
// HubSpot sends every property value as a string or null.
func normalize(op, at string, raw json.RawMessage, p props, fallbackEmail string) (contact, error) {
	var c contact
	obj, err := jsonshape.Object(raw)
	if err != nil {
		return c, connector.InvalidResponse(tool, op, at, err)
	}
	top := func(key string) (string, error) {
		v, ok := obj[key]
		if !ok || jsonshape.IsNull(v) {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			// Contact ids are strings in v3; tolerate a bare integer.
			var n json.Number
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			if key == "id" && dec.Decode(&n) == nil {
				return n.String(), nil
			}
			return "", connector.InvalidResponse(tool, op, at+"."+key, jsonshape.WantType("a string", v))
		}
		return strings.TrimSpace(s), nil
	}
	properties := map[string]json.RawMessage{}
	if raw, ok := obj["properties"]; ok && !jsonshape.IsNull(raw) {
		if properties, err = jsonshape.Object(raw); err != nil {
			return c, connector.InvalidResponse(tool, op, at+".properties", err)
		}
	}
	var errs error
	prop := func(name string) string {
		if name == "" || errs != nil {
			return ""
		}
		v, ok := properties[name]
		if !ok || jsonshape.IsNull(v) {
			return ""
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			errs = connector.InvalidResponse(tool, op, at+".properties."+name, jsonshape.WantType("a string", v))
			return ""
		}
		return strings.TrimSpace(s)
	}
	c.Email = prop("email")
	c.FirstName = prop("firstname")
	c.LastName = prop("lastname")
	c.Company = prop("company")
	c.Phone = prop("phone")
	mobile := prop("mobilephone")
	c.Plan = prop(p.Plan)
	c.Status = strings.ToLower(prop(p.Status))
	c.Address = connector.Address{Street: prop("address"), City: prop("city"), Region: prop("state"),
		PostalCode: prop("zip"), Country: prop("country")}
	created := prop("createdate")
	modified := prop("lastmodifieddate")
	if errs != nil {
		return c, errs
	}
	if c.ID, err = top("id"); err != nil {
		return c, err
	}
	if c.ID == "" {
		c.ID = prop("hs_object_id")
	}
	if c.ID == "" {
		return c, connector.InvalidResponse(tool, op, at+".id", errors.New("missing"))
	}
	createdField := at + ".properties.createdate"
	if created == "" {
		if created, err = top("createdAt"); err != nil {
			return c, err
		}
		createdField = at + ".createdAt"
	}
	modifiedField := at + ".properties.lastmodifieddate"
	if modified == "" {
		if modified, err = top("updatedAt"); err != nil {
			return c, err
		}
		modifiedField = at + ".updatedAt"
	}
	if c.Email == "" {
		c.Email = fallbackEmail
	}
	if c.Phone == "" {
		c.Phone = mobile
	}
	if created != "" {
		if c.CreatedAt, err = parseTime(created); err != nil {
			return c, connector.InvalidResponse(tool, op, createdField, err)
		}
	}
	if modified != "" {
		if c.modified, err = parseTime(modified); err != nil {
			return c, connector.InvalidResponse(tool, op, modifiedField, err)
		}
	}
	return c, nil
}

// choose picks one contact when several match (HubSpot keeps email unique per
// account, but imports and merges can leave more): the most recently modified, then
// the lowest id.
func choose(cs []contact) contact {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if !a.modified.Equal(b.modified) {
			return a.modified.After(b.modified)
		}
		if len(a.ID) != len(b.ID) { // numeric ids: shorter is lower
			return len(a.ID) < len(b.ID)
		}
		return a.ID < b.ID
	})
	return cs[0]
}

// parseTime reads HubSpot's ISO 8601 datetimes (2023-03-14T09:30:00.000Z) and, for
// older date properties, epoch milliseconds.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	var ms int64
	if _, err := fmt.Sscan(s, &ms); err == nil && ms > 0 && fmt.Sprint(ms) == s {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 datetime", jsonshape.Clip(s))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
