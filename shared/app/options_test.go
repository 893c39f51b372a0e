package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
)

func TestCachePoliciesDefaults(t *testing.T) {
	t.Parallel()
	p := app.CachePolicies(config.Default().Store.Cache)
	if p.Customer.MaxAge != 10*time.Minute || p.KB.MaxAge != 30*time.Minute || p.PaymentStatus.MaxAge != time.Minute ||
		p.Customer.StaleLimit != 24*time.Hour || p.PaymentStatus.StaleLimit != time.Hour {
		t.Fatalf("policies %+v", p)
	}
}

func TestIdempotencyOptions(t *testing.T) {
	t.Parallel()
	o := app.IdempotencyOptions(config.Default(), "createticket")
	if o.Function != "createticket" || o.Expiration != time.Hour {
		t.Fatalf("options %+v", o)
	}
	if !o.Idempotent(conversation.CreateTicket) || o.Idempotent(conversation.LookupCustomer) || o.Idempotent(conversation.SearchKB) ||
		o.FailOpen(conversation.CreateTicket) || !o.FailOpen(conversation.SearchKB) {
		t.Fatal("defaults: only create_ticket idempotent, only reads fail open")
	}
	h := conversation.HandlerFunc(func(context.Context, conversation.Turn) conversation.Reply { return conversation.Reply{} })
	m := idempotency.New(memstore.New(nil), h, o)
	turn := conversation.Turn{Platform: conversation.DialogflowES, Intent: conversation.CreateTicket, SessionID: "s-1", TurnID: "t-1"}
	if k := m.Key(turn); !strings.HasPrefix(k, "createticket#idem#") {
		t.Fatalf("key %q", k)
	}
}

// The configuration names the registered sender and sink by the names their packages
// register under.
func TestRegisteredNamesMatchTheConfiguration(t *testing.T) {
	if identity.SenderSES != config.SenderSES || identity.AuditCloudWatch != config.AuditCloudWatch || identity.AuditDynamoDB != config.AuditDynamoDB {
		t.Fatalf("identity registers %q and %q; the configuration says %q and %q",
			identity.SenderSES, identity.AuditCloudWatch, config.SenderSES, config.AuditCloudWatch)
	}
}
