package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
)

// hostileStreet is a street name with a Markdown link and an HTML img onerror.
const hostileStreet = "[Reset](https://evil.example/login) <img src=x onerror=alert(1)> 5 Rue de Rivoli"

// TestGoldenUpdateCustomer runs update_customer end to end on every platform, on the
// demo backend (adapter → identity → engine → intents → demo CRM → adapter): the
// signed-in owner gets the question and nothing is written; the yes writes and the
// answer states what the CRM now holds, read back; a hostile street comes back inert in
// the question and the answer; an anonymous caller gets the neutral answer and changes
// nothing; a signed-in caller naming another email changes only their own record; a
// CRM that fails says nothing was changed. Every response is schema-checked and
// compared with its golden file.
func TestGoldenUpdateCustomer(t *testing.T) {
	for _, p := range webhookPlatforms() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			e, b := updateEngine(t, false)
			phone := map[string]*string{intents.SlotConfirm: nil}
			yes := map[string]*string{intents.SlotConfirm: str("yes")}
			address := map[string]*string{intents.SlotField: str("address"), intents.SlotConfirm: nil,
				intents.SlotNewValue: str(hostileStreet + ", 75001 Paris, France")}
			addressYes := map[string]*string{intents.SlotField: str("address"), intents.SlotConfirm: str("yes"),
				intents.SlotNewValue: str(hostileStreet + ", 75001 Paris, France")}
			steps := []struct {
				name, file string
				slots      map[string]*string
			}{
				{"anonymous_yes", "update_customer.json", yes},
				{"question", "update_customer_signed.json", phone},
				{"no", "update_customer_signed.json", nil},
				{"yes", "update_customer_signed.json", yes},
				{"other_email_yes", "update_customer_signed.json", map[string]*string{intents.SlotConfirm: str("yes"),
					intents.SlotEmail: str("grace.hopper@example.com"), intents.SlotNewValue: str("+1 202 555 0199")}},
				{"address_question", "update_customer_signed.json", address},
				{"address_yes", "update_customer_signed.json", addressYes},
			}
			ada := func() connector.Customer {
				c, err := b.FindCustomerByEmail(context.Background(), "ada@example.com")
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			for i, s := range steps {
				before := ada()
				body := withPlatformTurnID(t, p, readEvent(t, p, s.file), "update-"+string(rune('a'+i)))
				if s.slots != nil {
					body = withSlots(t, p, body, s.slots)
				}
				resp := e.Serve(context.Background(), p, body)
				checkResponse(t, p, resp)
				checkInert(t, s.name, resp.Body)
				golden(t, filepath.Join("testdata", "golden", string(p), "update_customer", s.name+".json"), resp)
				now := ada()
				switch s.name {
				case "anonymous_yes", "question", "no", "address_question":
					if now.Phone != before.Phone || now.Address != before.Address {
						t.Fatalf("%s changed the record: %+v", s.name, now)
					}
					// (The platform's own state echoes what the caller typed; nothing of the
					// account's is in the reply.)
					if s.name == "anonymous_yes" && (strings.Contains(string(resp.Body), "Lovelace") ||
						strings.Contains(string(resp.Body), "0018") || strings.Contains(string(resp.Body), "James")) {
						t.Errorf("an anonymous caller learns about the account: %s", resp.Body)
					}
				case "yes":
					if now.Phone != "+442079460958" || !strings.Contains(string(resp.Body), "442079460958") {
						t.Fatalf("yes: record %+v, reply %s", now, resp.Body)
					}
				case "other_email_yes":
					grace, _ := b.FindCustomerByEmail(context.Background(), "grace.hopper@example.com")
					if grace.Phone != "+1 202 555 0143" || now.Phone != "+12025550199" {
						t.Fatalf("another email: grace %q, ada %q", grace.Phone, now.Phone)
					}
				case "address_yes":
					if now.Address.Street != hostileStreet || now.Address.City != "Paris" || now.Address.PostalCode != "75001" {
						t.Fatalf("address: %+v", now.Address)
					}
				}
			}
			down, _ := updateEngine(t, true)
			resp := down.Serve(context.Background(), p, withSlots(t, p, readEvent(t, p, "update_customer_signed.json"), yes))
			checkResponse(t, p, resp)
			golden(t, filepath.Join("testdata", "golden", string(p), "update_customer", "crm_down.json"), resp)
		})
	}
}

// updateEngine is newEngine's stack, returning its demo backend too (nil when down).
func updateEngine(t *testing.T, down bool) (*engine.Engine, *demo.Backend) {
	t.Helper()
	if down {
		return newEngine(t, true), nil
	}
	b, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return engineOver(t, intents.Deps{Customers: b, Tickets: b, Payments: b, KB: b, Updater: b}), b
}

// slowCRM is a CRM whose update answers only after the caller has given up: it commits
// the change first (commit true) or never (commit false). It counts the updates that
// reach it and passes reads through.
type slowCRM struct {
	be      *demo.Backend
	commit  bool
	updates atomic.Int64
}

func (c *slowCRM) UpdateCustomer(ctx context.Context, email string, ch connector.ContactChange) (connector.Customer, error) {
	c.updates.Add(1)
	if c.commit {
		if _, err := c.be.UpdateCustomer(context.WithoutCancel(ctx), email, ch); err != nil {
			return connector.Customer{}, err
		}
	}
	<-ctx.Done() // the answer is never delivered in time
	return connector.Customer{}, &connector.Error{Kind: connector.KindUnavailable, Tool: "slow", Op: "update_customer", Err: ctx.Err()}
}

func (c *slowCRM) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	return c.be.FindCustomerByEmail(ctx, email)
}

// An update whose answer never arrives in time is said as unknown, never as made; it
// is resolved by reading the record back, never by sending it again: the platform's
// redelivery (another process) and a new turn asking for the same change (a third)
// read the record back. A change that reached the CRM is then reported made, with what
// the record holds; one that did not stays unknown. One update reaches the CRM either
// way.
func TestUnknownUpdateIsResolvedByReadingBack(t *testing.T) {
	t.Parallel()
	for _, commit := range []bool{true, false} {
		t.Run(fmt.Sprintf("committed=%v", commit), func(t *testing.T) {
			t.Parallel()
			be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { be.Close() })
			crm := &slowCRM{be: be, commit: commit}
			client, table := storetest.MotoStore(t)
			st := dynamostore.New(client, table, dynamostore.Options{})
			process := func() *faultStack {
				return newFaultStack(t, stackOptions{store: st, updater: crm, stripe: "http://127.0.0.1:1"})
			}
			a, b, c := process(), process(), process()
			run := strconv.FormatInt(time.Now().UnixNano(), 10)
			yes := withSlots(t, conversation.DialogflowES, readEvent(t, conversation.DialogflowES, "update_customer_signed.json"),
				map[string]*string{intents.SlotConfirm: str("yes")})
			body := withTurnID(t, yes, "update-unknown-"+run)

			text := serveText(t, a, body)
			mustContain(t, text, "couldn't confirm whether your details were changed", "won't send the change twice")
			mustNotContain(t, text, "is now", "Done")
			// The platform redelivers the turn to another process; then the user asks
			// again in a new turn, on a third.
			redelivered := serveText(t, b, body)
			again := serveText(t, c, withTurnID(t, yes, "update-again-"+run))
			for _, text := range []string{redelivered, again} {
				if commit {
					mustContain(t, text, "Your change was made.", "Your phone number is now", "442079460958")
				} else {
					mustContain(t, text, "still can't tell whether your details were changed", "won't send it twice")
					mustNotContain(t, text, "is now", "was made")
				}
			}
			if n := crm.updates.Load(); n != 1 {
				t.Fatalf("%d updates reached the CRM, want exactly one", n)
			}
		})
	}
}
