package zendesk

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// maxExternalID is the longest external id accepted; Zendesk stores it as a string
// column and the intent layer's keys are far shorter.
const maxExternalID = 255

// maxRequesterUsers bounds how many Zendesk users with one email (several identities
// or duplicates) OpenTickets reads.
const maxRequesterUsers = 5

type createBody struct {
	Ticket createTicket `json:"ticket"`
}

type createTicket struct {
	Subject    string        `json:"subject"`
	Comment    createComment `json:"comment"`
	Priority   string        `json:"priority"`
	Requester  createUser    `json:"requester"`
	ExternalID string        `json:"external_id,omitempty"`
	Tags       []string      `json:"tags,omitempty"`
}

type createComment struct {
	Body string `json:"body"`
}

type createUser struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

func invalidInput(op, field, msg string) error {
	return &connector.Error{Kind: connector.KindInvalidInput, Tool: tool, Op: op, Field: field, Err: errors.New(msg)}
}

// CreateTicket files a ticket for t.RequesterEmail (Zendesk creates the end user when
// the email is new). With an ExternalID it is idempotent: a ticket already holding that
// external_id is returned instead of filing a second one, concurrent calls in this
// process are serialized per ExternalID, and when the creation's answer is lost (a
// dropped connection, a 5xx) the ticket is looked up again before giving up.
func (c *Client) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	const op = "create_ticket"
	email, err := requesterEmail(op, t.RequesterEmail)
	if err != nil {
		return connector.Ticket{}, err
	}
	subject := strings.TrimSpace(t.Subject)
	if subject == "" {
		return connector.Ticket{}, invalidInput(op, "subject", "empty subject")
	}
	if len(t.ExternalID) > maxExternalID {
		return connector.Ticket{}, invalidInput(op, "external_id", "external id too long")
	}
	prio := t.Priority
	if prio == "" {
		prio = connector.PriorityNormal
	}
	if _, ok := Priority(string(prio)); !ok {
		return connector.Ticket{}, invalidInput(op, "priority", "unknown priority")
	}
	body := strings.TrimSpace(t.Description)
	if body == "" {
		// Zendesk requires a first comment; the subject is the best description left.
		body = subject
	}
	if t.ExternalID != "" {
		unlock, err := c.creates.lock(ctx, t.ExternalID)
		if err != nil {
			return connector.Ticket{}, connector.Transport(ctx, tool, op, err)
		}
		defer unlock()
		if tk, found, err := c.byExternalID(ctx, t.ExternalID, email); err != nil || found {
			return tk, err
		}
	}
	req := createBody{Ticket: createTicket{
		Subject:    subject,
		Comment:    createComment{Body: body},
		Priority:   string(prio),
		Requester:  createUser{Email: email, Name: strings.TrimSpace(t.RequesterName)},
		ExternalID: t.ExternalID,
		Tags:       c.opts.Tags,
	}}
	if t.Unverified {
		req.Ticket.Tags = append(slices.Clip(req.Ticket.Tags), connector.UnverifiedTag)
	}
	var out TicketEnvelope
	err = c.do(ctx, op, "POST", "/api/v2/tickets.json", req, &out)
	if err != nil {
		k := connector.KindOf(err)
		if t.ExternalID != "" && ctx.Err() == nil && (k == connector.KindUnavailable || k == connector.KindInvalidResponse) {
			// Zendesk may have filed the ticket although its answer never arrived.
			if tk, found, lerr := c.byExternalID(ctx, t.ExternalID, email); lerr == nil && found {
				c.log.InfoContext(ctx, "zendesk ticket found after a lost create answer",
					slog.String("tool", tool), slog.String("ticket_id", tk.ID))
				return tk, nil
			}
		}
		return connector.Ticket{}, err
	}
	if out.Ticket != nil {
		c.known.remember(email, out.Ticket.RequesterID)
	}
	return c.ticket(normalizeTicket(op, out.Ticket, email, c.opts.RequestURL))
}

// FindTicketByExternalID implements connector.TicketFinder: the oldest ticket holding
// externalID, for requester email.
func (c *Client) FindTicketByExternalID(ctx context.Context, externalID, email string) (connector.Ticket, bool, error) {
	const op = "find_ticket_by_external_id"
	if externalID == "" || len(externalID) > maxExternalID {
		return connector.Ticket{}, false, invalidInput(op, "external_id", "missing or too long")
	}
	email, err := requesterEmail(op, email)
	if err != nil {
		return connector.Ticket{}, false, err
	}
	return c.byExternalID(ctx, externalID, email)
}

// byExternalID finds the oldest ticket holding externalID (Zendesk does not make
// external ids unique; should two exist, every caller converges on the first).
func (c *Client) byExternalID(ctx context.Context, externalID, email string) (connector.Ticket, bool, error) {
	const op = "find_ticket_by_external_id"
	q := url.Values{"external_id": {externalID}, "include": {"users"}}
	var page TicketPage
	if err := c.do(ctx, op, "GET", "/api/v2/tickets.json?"+q.Encode(), nil, &page); err != nil {
		return connector.Ticket{}, false, err
	}
	if page.Tickets == nil {
		return connector.Ticket{}, false, connector.InvalidResponse(tool, op, "tickets", errors.New("missing"))
	}
	var first *Ticket
	for i := range *page.Tickets {
		w := &(*page.Tickets)[i]
		if w.ExternalID != externalID {
			continue // never trust a filter we cannot see applied
		}
		if first == nil || w.ID < first.ID {
			first = w
		}
	}
	if first == nil {
		return connector.Ticket{}, false, nil
	}
	requester := email
	for _, u := range page.Users {
		if u.ID == first.RequesterID && u.Email != "" {
			requester = u.Email
		}
	}
	tk, err := c.ticket(normalizeTicket(op, first, requester, c.opts.RequestURL))
	return tk, err == nil, err
}

// requesterEmail checks that s is one plain email address and returns it lower-cased.
// It accepts every address the intents' slot validator accepts — any dot-atom local
// part, o'brien@example.com and a*b@example.com included — and refuses only what no
// plain address holds (spaces, quotes, backslashes, angle brackets, control
// characters, a second @). UserQuery quotes the address for the search; the search's
// answers are then held to exact equality, so no character can widen what is read.
func requesterEmail(op, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalidInput(op, "requester_email", "empty email")
	}
	if len(s) > 254 || strings.ContainsAny(s, "\"\\<> \t\r\n") || strings.Count(s, "@") != 1 {
		return "", invalidInput(op, "requester_email", "not a plain email address")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", invalidInput(op, "requester_email", "not a plain email address")
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", invalidInput(op, "requester_email", "not a plain email address")
	}
	return strings.ToLower(s), nil
}

// UserQuery is the user-search query for an email: the email keyword with the address
// quoted, a backslash before any quote or backslash (requesterEmail refuses both; the
// escape keeps the quoting sound whatever reaches it). Characters with a meaning in
// the search syntax outside quotes (*, :, parentheses) stay inside the quotes, and
// usersByEmail keeps only exact matches.
func UserQuery(email string) string {
	return `email:"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(email) + `"`
}

// OpenTickets lists the requester's new, open, pending and on-hold tickets, newest
// first. The requester is found with the user search (email keyword, exact match
// checked again here); their tickets come from the requested-tickets list with cursor
// pagination, which, unlike the ticket search, does not lag behind new tickets.
func (c *Client) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	const op = "open_tickets"
	email, err := requesterEmail(op, email)
	if err != nil {
		return nil, err
	}
	users, err := c.usersByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if len(users) == 0 {
		for _, id := range c.known.lookup(email) {
			users = append(users, User{ID: id, Email: email})
		}
	}
	out := []connector.Ticket{}
	for _, u := range users {
		ts, err := c.requested(ctx, u)
		if err != nil {
			if connector.KindOf(err) == connector.KindNotFound {
				continue // the user was deleted or merged since the search
			}
			return nil, err
		}
		out = append(out, ts...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		a, _ := strconv.ParseInt(out[i].ID, 10, 64)
		b, _ := strconv.ParseInt(out[j].ID, 10, 64)
		return a > b
	})
	return out, nil
}

// usersByEmail returns the users whose email is exactly email (case-insensitively).
func (c *Client) usersByEmail(ctx context.Context, email string) ([]User, error) {
	const op = "search_users"
	q := url.Values{"query": {UserQuery(email)}}
	next := "/api/v2/users/search.json?" + q.Encode()
	var users []User
	for page := 0; next != "" && page < c.opts.MaxPages && len(users) < maxRequesterUsers; page++ {
		var p UserPage
		if err := c.do(ctx, op, "GET", next, nil, &p); err != nil {
			return nil, err
		}
		if p.Users == nil {
			return nil, connector.InvalidResponse(tool, op, "users", errors.New("missing"))
		}
		for _, u := range *p.Users {
			// The search matches more loosely than equality (other identities,
			// partial words): keep only the requester.
			if u.ID > 0 && strings.EqualFold(u.Email, email) && len(users) < maxRequesterUsers {
				users = append(users, u)
				c.known.remember(email, u.ID)
			}
		}
		next = p.Next()
	}
	return users, nil
}

// requested reads the user's requested tickets, keeping the open ones.
func (c *Client) requested(ctx context.Context, u User) ([]connector.Ticket, error) {
	const op = "list_requested_tickets"
	next := "/api/v2/users/" + strconv.FormatInt(u.ID, 10) + "/tickets/requested.json?page%5Bsize%5D=" + strconv.Itoa(c.opts.PageSize)
	var out []connector.Ticket
	seen := map[string]bool{}
	for page := 0; next != ""; page++ {
		if page == c.opts.MaxPages {
			c.log.WarnContext(ctx, "zendesk requester has more tickets than max_pages reads; older pages skipped",
				slog.String("tool", tool), slog.Int("max_pages", c.opts.MaxPages))
			break
		}
		if seen[next] {
			return nil, connector.InvalidResponse(tool, op, "links.next", errors.New("pagination loops"))
		}
		seen[next] = true
		var p TicketPage
		if err := c.do(ctx, op, "GET", next, nil, &p); err != nil {
			return nil, err
		}
		if p.Tickets == nil {
			return nil, connector.InvalidResponse(tool, op, "tickets", errors.New("missing"))
		}
		for i := range *p.Tickets {
			w := &(*p.Tickets)[i]
			if w.RequesterID != 0 && w.RequesterID != u.ID {
				continue
			}
			tk, err := c.ticket(normalizeTicket(op, w, u.Email, c.opts.RequestURL))
			if err != nil {
				return nil, err
			}
			if tk.Status.IsOpen() {
				out = append(out, tk)
			}
		}
		next = p.Next()
	}
	return out, nil
}

// ticket keeps a normalized ticket's link only when it is allowed (Client.link).
func (c *Client) ticket(t connector.Ticket, err error) (connector.Ticket, error) {
	t.URL = c.link(t.URL)
	return t, err
}
