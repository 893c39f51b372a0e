package sftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// writable are the Contact fields a PATCH may set, with their lengths and labels (the
// org's metadata: STRING_TOO_LONG names the label and the limit).
var writable = map[string]struct {
	label string
	max   int
	set   func(*Contact, string)
}{
	"FirstName":         {"First Name", 40, func(c *Contact, v string) { c.FirstName = v }},
	"LastName":          {"Last Name", 80, func(c *Contact, v string) { c.LastName = v }},
	"Email":             {"Email", 80, func(c *Contact, v string) { c.Email = v }},
	"Phone":             {"Business Phone", 40, func(c *Contact, v string) { c.Phone = v }},
	"MobilePhone":       {"Mobile Phone", 40, func(c *Contact, v string) { c.MobilePhone = v }},
	"MailingStreet":     {"Mailing Street", 255, func(c *Contact, v string) { c.MailingStreet = v }},
	"MailingCity":       {"Mailing City", 40, func(c *Contact, v string) { c.MailingCity = v }},
	"MailingState":      {"Mailing State/Province", 80, func(c *Contact, v string) { c.MailingState = v }},
	"MailingPostalCode": {"Mailing Zip/Postal Code", 20, func(c *Contact, v string) { c.MailingPostalCode = v }},
	"MailingCountry":    {"Mailing Country", 80, func(c *Contact, v string) { c.MailingCountry = v }},
}

// sfID is the shape of a record id: 15 characters, or 18 with the case-safe suffix.
var sfID = regexp.MustCompile(`^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$`)

// Patch is one PATCH the stand-in received: the record id and the decoded body.
type Patch struct {
	ID     string
	Fields map[string]any
}

// Patches returns the PATCHes received (applied or refused), in order.
func (s *Server) Patches() []Patch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Patch(nil), s.patches...)
}

// Contact returns a copy of the stored contact with this id.
func (s *Server) Contact(id string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.contacts {
		if c.ID == id {
			return *c, true
		}
	}
	return Contact{}, false
}

// OnPatch makes f run when a PATCH arrives, before the stand-in handles it (a user
// editing or deleting the record at that moment). nil removes it.
func (s *Server) OnPatch(f func(id string)) { s.mu.Lock(); s.onPatch = f; s.mu.Unlock() }

// Delete removes the contact with this id, as a user deleting it in the org does.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.contacts {
		if c.ID == id {
			s.contacts = append(s.contacts[:i:i], s.contacts[i+1:]...)
			return
		}
	}
}

// patch updates a record as the sObject Rows resource does: the body is a JSON object
// of field names (as the org spells them) to new values, null clearing a field; fields
// not named keep their values. Success is 204 No Content with no body. Errors are
// Salesforce's [{"message","errorCode","fields"}]: 404 NOT_FOUND for an unknown or
// malformed id, 400 JSON_PARSER_ERROR for a body that is not such an object, 400
// INVALID_FIELD for a field Contact lacks, 400 INVALID_FIELD_FOR_INSERT_UPDATE for a
// read-only one, 400 STRING_TOO_LONG for a value over the field's length, 400
// REQUIRED_FIELD_MISSING for a LastName cleared. Nothing is applied unless everything
// is valid.
func (s *Server) patch(w http.ResponseWriter, r *http.Request, sobject, id string) {
	s.mu.Lock()
	hook := s.onPatch
	s.mu.Unlock()
	if hook != nil {
		hook(id)
	}
	if !strings.EqualFold(sobject, "Contact") {
		writeErrors(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist", 0)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "Unable to read the request body", 0)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeErrors(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
			"Content-Type header specified in HTTP request is not supported: "+r.Header.Get("Content-Type"), 0)
		return
	}
	var body map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&body); err != nil || body == nil || dec.More() {
		writeErrors(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "The request body is not a JSON object", 0)
		return
	}
	values := map[string]*string{}
	logged := map[string]any{}
	for k, v := range body {
		var p *string
		if err := json.Unmarshal(v, &p); err != nil {
			writeErrorsFields(w, http.StatusBadRequest, "JSON_PARSER_ERROR",
				fmt.Sprintf("Cannot deserialize instance of string from %s value for field %s", jsonKind(v), k), nil)
			return
		}
		values[k] = p
		if p == nil {
			logged[k] = nil
		} else {
			logged[k] = *p
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.patches = append(s.patches, Patch{ID: id, Fields: logged})
	var target *Contact
	if sfID.MatchString(id) {
		for _, c := range s.contacts {
			if c.ID == id || (len(id) == 15 && c.ID[:15] == id) {
				target = c
			}
		}
	}
	if target == nil {
		writeErrors(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist", 0)
		return
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	type assignment struct {
		set func(*Contact, string)
		v   string
	}
	var apply []assignment
	for _, k := range names {
		spec, ok := writable[k]
		if !ok {
			if containsFold(contactFields, k) {
				writeErrorsFields(w, http.StatusBadRequest, "INVALID_FIELD_FOR_INSERT_UPDATE",
					"Unable to create/update fields: "+k+". Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
					[]string{k})
				return
			}
			writeErrorsFields(w, http.StatusBadRequest, "INVALID_FIELD", "No such column '"+k+"' on sobject of type Contact", nil)
			return
		}
		v := ""
		if values[k] != nil {
			v = *values[k]
		}
		if n := utf8.RuneCountInString(v); n > spec.max {
			writeErrorsFields(w, http.StatusBadRequest, "STRING_TOO_LONG",
				fmt.Sprintf("%s: data value too large: %s (max length=%d)", spec.label, v, spec.max), []string{k})
			return
		}
		if k == "LastName" && v == "" {
			writeErrorsFields(w, http.StatusBadRequest, "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", []string{k})
			return
		}
		apply = append(apply, assignment{spec.set, v})
	}
	for _, a := range apply {
		a.set(target, a.v)
	}
	target.LastModifiedDate = time.Now().UTC().Truncate(time.Millisecond)
	w.WriteHeader(http.StatusNoContent)
}

func jsonKind(v json.RawMessage) string {
	switch t := bytes.TrimSpace(v); {
	case len(t) == 0:
		return "empty"
	case t[0] == '{':
		return "an object"
	case t[0] == '[':
		return "an array"
	case t[0] == 't' || t[0] == 'f':
		return "a boolean"
	default:
		return "a number"
	}
}

// writeErrorsFields is writeErrors with the fields the error is about.
func writeErrorsFields(w http.ResponseWriter, status int, code, msg string, fields []string) {
	if fields == nil {
		fields = []string{}
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode([]map[string]any{{"message": msg, "errorCode": code, "fields": fields}})
}
