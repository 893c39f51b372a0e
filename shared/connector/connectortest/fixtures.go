package connectortest

import (
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
)

// AdaEmail is the email of the canonical customer, as stored.
const AdaEmail = "ada@example.com"

// AdaCustomer is the canonical normalized customer every customer directory stand-in
// (Salesforce, HubSpot, SQL, demo) seeds, so the same lookup yields the same struct
// everywhere. ID is left empty: it is each tool's own identifier.
func AdaCustomer() connector.Customer {
	return connector.Customer{
		Email:     AdaEmail,
		FirstName: "Ada",
		LastName:  "Lovelace",
		Company:   "Analytical Engines Ltd",
		Phone:     "+44 20 7946 0018",
		Plan:      "Enterprise",
		Status:    "active",
		CreatedAt: time.Date(2023, time.March, 14, 9, 30, 0, 0, time.UTC),
	}
}

// AdaAddress is the canonical customer's postal address, as every customer directory
// stand-in seeds it.
func AdaAddress() connector.Address {
	return connector.Address{
		Street:     "12 St James's Square",
		City:       "London",
		Region:     "Greater London",
		PostalCode: "SW1Y 4LB",
		Country:    "United Kingdom",
	}
}

// MaxSnippetRunes is the longest Article.Snippet the contract accepts: a snippet is
// one line of plain text a chat bubble can show whole.
const MaxSnippetRunes = 160

// Fixtures describes the data a stand-in holds, so the suites know what to expect.
// Each suite uses only its own group of fields and fails at once when one it needs is
// empty, so a misconfigured stand-in cannot pass by checking nothing.
type Fixtures struct {
	// CustomerDirectory.

	// KnownCustomer is the customer whose Email exists, as the directory must return it
	// (ID aside). Usually AdaCustomer().
	KnownCustomer connector.Customer
	// UnknownEmail is an email the directory does not hold.
	UnknownEmail string

	// CustomerUpdater.

	// UpdateEmail is a customer TestCustomerUpdater may change (its phone and address
	// are left changed). It must differ from KnownCustomer, whose record the directory
	// suite checks exactly. UnknownEmail is used too.
	UpdateEmail string

	// Helpdesk.

	// Requester is the email the suite files its test tickets for. It must differ
	// from OpenTicketEmail, whose ticket list is checked exactly.
	Requester string
	// OpenTicketEmail is a requester whose open tickets (new, open, pending, hold) have
	// exactly OpenTicketSubjects, newest first.
	OpenTicketEmail    string
	OpenTicketSubjects []string
	// ClosedTicketSubjects are OpenTicketEmail's solved or closed tickets, which must
	// not be listed. Optional, but without it "open only" is checked by status alone.
	ClosedTicketSubjects []string
	// NoTicketsEmail, when set, is a requester without open tickets.
	NoTicketsEmail string

	// Payments.

	// PaymentRef is a payment id FindPayment knows, and Payment what it must return:
	// ID, CustomerEmail and Status are required and compared; the other fields are
	// compared when set (stand-ins such as stripe-mock cannot choose every value).
	PaymentRef string
	Payment    connector.Payment
	// OrderNumber, when set, is the same payment's order number.
	OrderNumber string
	// UnknownPaymentRef is a reference FindPayment does not know.
	UnknownPaymentRef string
	// MultiPaymentEmail, when set, is a customer with at least two payments, used to
	// check that the limit is honoured and the order is newest first.
	MultiPaymentEmail string

	// KnowledgeBase.

	// KBQuery is a search whose best hit is titled KBTopTitle.
	KBQuery    string
	KBTopTitle string
	// KBBroadQuery matches at least three articles.
	KBBroadQuery string
	// KBNoMatchQuery matches no article.
	KBNoMatchQuery string
}

// HostileQueries are search texts that must neither error nor break the tool's query
// syntax: quotes, operators, wildcards, SQL and markup.
var HostileQueries = []string{
	`" OR 1=1 --`,
	`NEAR(`,
	`*`,
	`password*`,
	`"unbalanced`,
	`title:password`,
	`-password ^reset`,
	`AND OR NOT`,
	`'; DROP TABLE articles; --`,
	`<script>alert(1)</script>`,
	`((()))`,
	"\x00\x01\x02",
	`%_\`,
	`pass"word`,
}
