package hstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Patch is one contact PATCH the stand-in received: the id in the path and the
// properties of the body.
type Patch struct {
	ID         string
	Properties map[string]string
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
			cp := *c
			cp.Properties = map[string]string{}
			for k, v := range c.Properties {
				cp.Properties[k] = v
			}
			return cp, true
		}
	}
	return Contact{}, false
}

// Delete removes the contact with this id, as archiving it in HubSpot does.
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

// OnPatch makes f run when a PATCH arrives, before the stand-in handles it (a user
// editing or deleting the contact at that moment). nil removes it.
func (s *Server) OnPatch(f func(id string)) { s.mu.Lock(); s.onPatch = f; s.mu.Unlock() }

// readOnly are contact properties HubSpot computes: a PATCH may not set them.
var readOnly = map[string]bool{"createdate": true, "lastmodifieddate": true, "hs_object_id": true}

// object serves /crm/v3/objects/contacts/{contactId}. GET answers the contact
// (SimplePublicObjectWithAssociations: the default properties plus those named in
// ?properties=). PATCH takes SimplePublicObjectInput, {"properties": {name: string}},
// overwrites the named properties ("" clears one), leaves the others, and answers 200
// with the contact (SimplePublicObject, carrying the properties it set). As HubSpot
// does: 404 OBJECT_NOT_FOUND for an unknown id; 400 VALIDATION_ERROR for a body that is
// not that object, a value that is not a string, a property that does not exist
// (PROPERTY_DOESNT_EXIST) or is read-only (READ_ONLY_VALUE), with nothing applied;
// 415 for a body that is not JSON. ?idProperty (address the contact by another unique
// property) is not modelled: 400.
func (s *Server) object(w http.ResponseWriter, r *http.Request, id string) {
	if r.URL.Query().Has("idProperty") {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The stand-in does not support idProperty.", nil)
		return
	}
	if r.Method == http.MethodGet {
		s.mu.Lock()
		c := s.find(id)
		var out map[string]any
		if c != nil {
			var props []string
			for _, v := range r.URL.Query()["properties"] {
				props = append(props, strings.Split(v, ",")...)
			}
			out = c.render(props)
		}
		s.mu.Unlock()
		if out == nil {
			writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found", nil)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		_ = json.NewEncoder(w).Encode(out)
		return
	}

	s.mu.Lock()
	hook := s.onPatch
	s.mu.Unlock()
	if hook != nil {
		hook(id)
	}
	body, _ := io.ReadAll(r.Body)
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "VALIDATION_ERROR", "Unsupported Media Type", nil)
		return
	}
	var in struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil || dec.More() {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1", nil)
		return
	}
	if in.Properties == nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: missing required property properties.", nil)
		return
	}
	values := map[string]string{}
	for k, raw := range in.Properties {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("Invalid input JSON: properties.%s must be a string.", k), nil)
			return
		}
		values[k] = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.patches = append(s.patches, Patch{ID: id, Properties: values})
	c := s.find(id)
	if c == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found", nil)
		return
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		code, why := "", ""
		switch {
		case readOnly[k]:
			code, why = "READ_ONLY_VALUE", fmt.Sprintf("%s is a read only property; its value cannot be set.", k)
		case !s.known[k]:
			code, why = "PROPERTY_DOESNT_EXIST", fmt.Sprintf("Property \"%s\" does not exist", k)
		}
		if code != "" {
			detail, _ := json.Marshal([]map[string]any{{"isValid": false, "message": why, "error": code, "name": k}})
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid: "+string(detail), nil)
			return
		}
	}
	for _, k := range names {
		if k == "email" {
			values[k] = strings.ToLower(values[k])
		}
		c.Properties[k] = values[k]
	}
	c.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(c.render(names))
}

// find returns the contact with this id; s.mu is held.
func (s *Server) find(id string) *Contact {
	for _, c := range s.contacts {
		if c.ID == id {
			return c
		}
	}
	return nil
}
