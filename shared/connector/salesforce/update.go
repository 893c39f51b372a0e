package salesforce

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// recordID is a Salesforce record id: 15 characters, or 18 with the case-safe suffix.
var recordID = regexp.MustCompile(`^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$`)

// UpdateCustomer changes the phone number and/or the mailing address of the contact
// FindCustomerByEmail finds for this email: it PATCHes the sObject Rows resource
// (/services/data/vXX.X/sobjects/Contact/{Id}) with Phone and/or all five Mailing
// fields (MailingStreet, MailingCity, MailingState, MailingPostalCode,
// MailingCountry; an empty field is sent as null, which clears it), which answers 204
// No Content, and then reads the contact back by Id with the lookup's own query. The
// Email field is never written. A PATCH sets absolute values, so applying a change
// twice leaves the contact as applying it once. The running user needs Edit on
// Contact and on those fields.
//
// A contact deleted between the lookup and the PATCH (404 NOT_FOUND or
// ENTITY_IS_DELETED) is connector.ErrNotFound.
func (c *Client) UpdateCustomer(ctx context.Context, email string, change connector.ContactChange) (connector.Customer, error) {
	const op = "update_contact"
	ch, err := connector.CheckContactChange(tool, op, email, change)
	if err != nil {
		return connector.Customer{}, err
	}
	ct, err := c.findContact(ctx, email)
	if err != nil {
		return connector.Customer{}, err
	}
	if !recordID.MatchString(ct.ID) {
		return connector.Customer{}, connector.InvalidResponse(tool, op, "Id", errors.New("not a Salesforce record id"))
	}
	path := "/services/data/" + c.version + "/sobjects/Contact/" + url.PathEscape(ct.ID)
	if _, err := c.call(ctx, op, http.MethodPatch, path, contactPatch(ch)); err != nil {
		return connector.Customer{}, patchError(err)
	}
	return c.readContact(ctx, ct.ID, ct.Email)
}

// contactPatch is the PATCH body: the Contact fields the change sets, and only those.
func contactPatch(ch connector.ContactChange) map[string]any {
	body := map[string]any{}
	if ch.Phone != "" {
		body["Phone"] = ch.Phone
	}
	if a := ch.Address; a != nil {
		for field, v := range map[string]string{
			"MailingStreet": a.Street, "MailingCity": a.City, "MailingState": a.Region,
			"MailingPostalCode": a.PostalCode, "MailingCountry": a.Country,
		} {
			if v == "" {
				body[field] = nil // null clears the field
			} else {
				body[field] = v
			}
		}
	}
	return body
}

// patchError makes a 404 on the record (it was deleted after the lookup) a not-found
// error; decodeError reads every other 404 as a wrong URL.
func patchError(err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound {
		return &connector.Error{Kind: connector.KindNotFound, Tool: tool, Op: ce.Op, StatusCode: ce.StatusCode,
			Code: ce.Code, Err: ce.Err}
	}
	return err
}

// readContact reads one contact by Id with the lookup's fields, as the org holds it
// now. fallbackEmail fills a null Email, as in the lookup.
func (c *Client) readContact(ctx context.Context, id, fallbackEmail string) (connector.Customer, error) {
	const op = "read_contact"
	fields := c.effectiveFields()
	p, err := c.query(ctx, op, "/services/data/"+c.version+"/query?q="+url.QueryEscape(contactByIDQuery(id, fields.extra()...)))
	if err != nil {
		return connector.Customer{}, err
	}
	for i, raw := range p.Records {
		ct, err := normalize(op, "records["+strconv.Itoa(i)+"]", raw, fields, fallbackEmail)
		if err != nil {
			return connector.Customer{}, err
		}
		if ct.ID == id {
			return ct.Customer, nil
		}
	}
	return connector.Customer{}, connector.NotFound(tool, op)
}
