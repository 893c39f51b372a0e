package hubspot

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/rest"
)

// objectID is a HubSpot CRM object id: a decimal number.
var objectID = regexp.MustCompile(`^[0-9]{1,20}$`)

// addressProperties are the contact properties a new address writes, in the order of
// connector.Address's fields.
var addressProperties = [...]string{"address", "city", "state", "zip", "country"}

// ContactInput is SimplePublicObjectInput, the body of the contact PATCH: property
// internal names to new values (strings; "" clears a property).
type ContactInput struct {
	Properties map[string]string `json:"properties"`
}

// ContactPatch is the PATCH body for change: phone when the change sets it, and all
// five address properties (address, city, state, zip, country) when it sets an
// address, an empty field as "" (which clears it). Never email.
func ContactPatch(change connector.ContactChange) ContactInput {
	p := map[string]string{}
	if change.Phone != "" {
		p["phone"] = change.Phone
	}
	if a := change.Address; a != nil {
		for i, v := range [...]string{a.Street, a.City, a.Region, a.PostalCode, a.Country} {
			p[addressProperties[i]] = v
		}
	}
	return ContactInput{Properties: p}
}

// UpdateCustomer changes the phone number and/or the postal address of the contact
// FindCustomerByEmail finds for this email: PATCH /crm/v3/objects/contacts/{contactId}
// with ContactPatch's properties (200 with the object), then GET of the contact by id
// with the lookup's properties, whose answer — never the change — is returned. The
// email property is never written. A PATCH sets absolute values, so applying a change
// twice leaves the contact as applying it once. The private app needs the scope
// crm.objects.contacts.write (and crm.objects.contacts.read for the lookup).
//
// A contact deleted or merged away between the search and the PATCH (404) is
// connector.ErrNotFound.
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
	if !objectID.MatchString(ct.ID) {
		return connector.Customer{}, connector.InvalidResponse(tool, op, "id", errors.New("not a HubSpot object id"))
	}
	if _, err := c.do(ctx, rest.Request{Op: op, Method: http.MethodPatch, Path: "/crm/v3/objects/contacts/" + ct.ID,
		JSON: ContactPatch(ch)}); err != nil {
		return connector.Customer{}, objectError(err)
	}
	return c.readContact(ctx, ct.ID, ct.Email)
}

// readContact reads one contact by id with the lookup's properties, as HubSpot holds
// it now. fallbackEmail fills an empty email, as in the lookup.
func (c *Client) readContact(ctx context.Context, id, fallbackEmail string) (connector.Customer, error) {
	const op = "read_contact"
	q := url.Values{"properties": {strings.Join(c.props.list(), ",")}, "archived": {"false"}}
	raw, err := c.do(ctx, rest.Request{Op: op, Path: "/crm/v3/objects/contacts/" + id + "?" + q.Encode()})
	if err != nil {
		return connector.Customer{}, objectError(err)
	}
	ct, err := normalize(op, "body", raw, c.props, fallbackEmail)
	if err != nil {
		return connector.Customer{}, err
	}
	if ct.ID != id {
		return connector.Customer{}, connector.InvalidResponse(tool, op, "id", errors.New("another contact than the one asked for"))
	}
	return ct.Customer, nil
}

// objectError makes a 404 on a contact's own URL (deleted, or merged into another) a
// not-found error; decodeError reads every other 404 as a wrong base URL.
func objectError(err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) && ce.StatusCode == http.StatusNotFound {
		return &connector.Error{Kind: connector.KindNotFound, Tool: tool, Op: ce.Op, StatusCode: ce.StatusCode,
			Code: ce.Code, Err: ce.Err}
	}
	return err
}
