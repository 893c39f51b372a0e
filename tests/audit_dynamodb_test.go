package tests

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/golang-jwt/jwt/v5"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/identity/ddbaudit"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// heldPuts is a reverse proxy in front of moto that, while held, keeps the answer to
// every PutItem (after moto has written the item) until released.
type heldPuts struct {
	puts    atomic.Int64
	arrived chan struct{} // one value per PutItem moto has answered
	release chan struct{} // closed: answers go through
}

func holdPuts(t *testing.T, moto string) (string, *heldPuts) {
	t.Helper()
	target, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	h := &heldPuts{arrived: make(chan struct{}, 16), release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(r *http.Response) error {
		if r.Request.Header.Get("X-Amz-Target") == "DynamoDB_20120810.PutItem" {
			h.puts.Add(1)
			h.arrived <- struct{}{}
			<-h.release
		}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
		srv.Close()
	})
	return srv.URL, h
}

// dynamoAuditStack is the local stack (demo data) auditing to a fresh audit table on
// moto, reached through endpoint.
func dynamoAuditStack(t *testing.T, endpoint, table string) *identityStack {
	t.Helper()
	return newIdentityStack(t, "SWITCHBOARD_IDENTITY_CODES_SENDER=none",
		"SWITCHBOARD_IDENTITY_AUDIT_SINK=dynamodb", "SWITCHBOARD_IDENTITY_AUDIT_TABLE="+table,
		"SWITCHBOARD_IDENTITY_AUDIT_ENDPOINT="+endpoint)
}

func newAuditTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	c := storetest.MotoClient(t)
	name := fmt.Sprintf("switchboard-audit-e2e-%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ddbaudit.CreateTable(ctx, c, name); err != nil {
		t.Fatal(err)
	}
	return c, name
}

func auditItems(t *testing.T, c *dynamodb.Client, table string) []identity.Event {
	t.Helper()
	out, err := c.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var evs []identity.Event
	for _, it := range out.Items {
		e, err := ddbaudit.Event(it)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	return evs
}

// TestDynamoDBAuditIsDurableBeforeTheReply: with the dynamodb sink (what the CDK app
// deploys), a signed owner's lookup is not answered while the audit table's answer to
// its PutItem is held back (the item already written), and is answered in full once
// DynamoDB's acknowledgement arrives, with exactly that event in the table.
func TestDynamoDBAuditIsDurableBeforeTheReply(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	c, table := newAuditTable(t)
	proxy, held := holdPuts(t, moto)
	s := dynamoAuditStack(t, proxy, table)
	p := conversation.Rasa
	good := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	body := withToken(t, p, withTurn(t, p, readEvent(t, p, "lookup_customer_signed.json"), nextID("ddb"), nextID("t")), good)

	replied := make(chan string, 1)
	go func() {
		resp := s.eng.Serve(context.Background(), p, body)
		replied <- string(resp.Body)
	}()
	select {
	case <-held.arrived:
	case r := <-replied:
		t.Fatalf("replied before any audit PutItem: %s", r)
	case <-time.After(30 * time.Second):
		t.Fatal("no audit PutItem within 30 s")
	}
	// The event is in the table; DynamoDB's answer has not reached the sink.
	if n := len(auditItems(t, c, table)); n != 1 {
		t.Fatalf("%d audit items while the PutItem answer is held, want 1", n)
	}
	select {
	case r := <-replied:
		t.Fatalf("replied while the audit write was unacknowledged: %s", r)
	default:
	}
	close(held.release)
	got := <-replied
	if !strings.Contains(got, "Ada Lovelace") {
		t.Errorf("the owner's lookup after the audit write: want the account, got %s", got)
	}
	evs := auditItems(t, c, table)
	if len(evs) != 1 || evs[0].Outcome != "answered" || evs[0].Intent != "lookup_customer" || evs[0].Verification != "token" ||
		evs[0].CustomerID == "" || evs[0].Platform != string(p) {
		t.Errorf("audit table holds %+v, want the one answered lookup", evs)
	}
	if n := held.puts.Load(); n != 1 {
		t.Errorf("%d PutItems for one turn, want 1", n)
	}
}

// TestDynamoDBAuditFailureWithholdsTheAnswer: once the audit table is gone, a signed
// owner's lookup and payment check get the honest apology instead of the account (no
// trail, no disclosure), a ticket is still filed and said so, and the failure is
// logged — the dynamodb sink fails closed as the file sink does on a full disk
// (TestFullDiskWithholdsTheAnswer).
func TestDynamoDBAuditFailureWithholdsTheAnswer(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	c, table := newAuditTable(t)
	s := dynamoAuditStack(t, moto, table)
	p := conversation.Rasa
	good := mint(t, jwt.SigningMethodHS256, []byte(identity.DemoKey), nil)
	ask := func(name string) string {
		return s.serve(t, p, withToken(t, p, withTurn(t, p, readEvent(t, p, name), nextID("ddbfail"), nextID("t")), good))
	}
	if got := ask("lookup_customer_signed.json"); !strings.Contains(got, "Ada Lovelace") {
		t.Fatalf("with the audit table there the owner's lookup is answered in full: %s", got)
	}
	if n := len(auditItems(t, c, table)); n != 1 {
		t.Fatalf("%d audit items after one answered lookup, want 1", n)
	}
	if _, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"lookup_customer_signed.json", "verify_payment_signed.json"} {
		got := ask(name)
		if leak := revealsAda(got); leak != "" {
			t.Errorf("%s with the audit table gone reveals %q: %s", name, leak, got)
		}
		if !strings.Contains(got, "right now") {
			t.Errorf("%s with the audit table gone: want the honest apology, got %s", name, got)
		}
	}
	if got := ask("create_ticket_signed.json"); !strings.Contains(got, "#") {
		t.Errorf("a ticket filed while the audit table is gone is still confirmed: %s", got)
	}
	if !strings.Contains(s.logs.String(), "audit event not recorded") {
		t.Errorf("the failed audit writes were not logged")
	}
}
