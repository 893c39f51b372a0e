package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/connector/sqldb"
	"github.com/switchboard-dev/switchboard/shared/connector/zendesk/zdtest"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/schematest"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// commitThenSlow is a helpdesk whose creation commits at once and answers only after
// the caller has given up (the SQL helpdesk and the demo backend have no fault
// switch of their own; the Zendesk stand-in has zdtest.CommitSlow). It counts the
// creations that reach the helpdesk and passes look-ups through.
type commitThenSlow struct {
	hd interface {
		connector.Helpdesk
		connector.TicketFinder
	}
	slow    atomic.Bool
	creates atomic.Int64
}

func (c *commitThenSlow) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	c.creates.Add(1)
	tk, err := c.hd.CreateTicket(context.WithoutCancel(ctx), t)
	if err != nil || !c.slow.Load() {
		return tk, err
	}
	<-ctx.Done() // the answer is never delivered in time
	return connector.Ticket{}, &connector.Error{Kind: connector.KindUnavailable, Tool: "slow", Op: "create_ticket", Err: ctx.Err()}
}

func (c *commitThenSlow) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	return c.hd.OpenTickets(ctx, email)
}

func (c *commitThenSlow) FindTicketByExternalID(ctx context.Context, externalID, email string) (connector.Ticket, bool, error) {
	return c.hd.FindTicketByExternalID(ctx, externalID, email)
}

// helpdeskUnderTest is one helpdesk the unknown-outcome tests run against: a
// connector.Helpdesk for each process, and how many tickets it holds and how many
// creations reached it.
type helpdeskUnderTest struct {
	helpdesk func() connector.Helpdesk // one per process (its own in-process state)
	tickets  func() int
	creates  func() int
}

func zendeskUnderTest(t *testing.T) helpdeskUnderTest {
	zd := zdtest.New(t)
	zd.Fail(zdtest.Fault{Kind: zdtest.CommitSlow, Delay: 10 * time.Second}.On(http.MethodPost, "/api/v2/tickets"))
	return helpdeskUnderTest{
		helpdesk: func() connector.Helpdesk { return zendeskHelpdesk(t, zd) },
		tickets:  func() int { return len(zd.Tickets()) },
		creates:  func() int { return ticketPosts(zd) },
	}
}

func slowUnderTest(t *testing.T, hd interface {
	connector.Helpdesk
	connector.TicketFinder
}) helpdeskUnderTest {
	c := &commitThenSlow{hd: hd}
	c.slow.Store(true)
	return helpdeskUnderTest{
		helpdesk: func() connector.Helpdesk { return c },
		tickets: func() int {
			ts, err := hd.OpenTickets(context.Background(), "ada@example.com")
			if err != nil {
				t.Fatal(err)
			}
			return len(ts)
		},
		creates: func() int { return int(c.creates.Load()) },
	}
}

func serveText(t *testing.T, s *faultStack, body []byte) string {
	t.Helper()
	resp := s.engine.Serve(context.Background(), conversation.DialogflowES, body)
	if resp.Status != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
	}
	schematest.Validate(t, conversation.DialogflowES, resp.Body)
	var out struct {
		FulfillmentText string `json:"fulfillmentText"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.FulfillmentText
}

// A creation that commits in the helpdesk but answers after the platform's deadline:
// the first delivery is told the outcome is unknown; the platform's redelivery of the
// same turn, landing on another process, finds the ticket by its external id; the
// user asking again in a new turn (same customer, same subject) on a third process is
// answered with that ticket. Exactly one ticket, one creation — on Zendesk, the SQL
// helpdesk and the demo backend.
func TestUnknownCreateIsNeverRepeatedAcrossProcesses(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T) helpdeskUnderTest{
		"zendesk": zendeskUnderTest,
		"sqldb": func(t *testing.T) helpdeskUnderTest {
			db, err := sqldb.Open(context.Background(), sqldb.Options{DSN: testenv.Postgres(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return slowUnderTest(t, db)
		},
		"demo": func(t *testing.T) helpdeskUnderTest {
			be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "tickets.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { be.Close() })
			return slowUnderTest(t, be)
		},
	}
	for name, setup := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hd := setup(t)
			client, table := storetest.MotoStore(t)
			st := dynamostore.New(client, table, dynamostore.Options{})
			process := func() *faultStack {
				return newFaultStack(t, stackOptions{store: st, tickets: hd.helpdesk(), stripe: "http://127.0.0.1:1"})
			}
			a, b, c := process(), process(), process()
			before := hd.tickets()
			body := withTurnID(t, readEvent(t, conversation.DialogflowES, "create_ticket.json"), "unknown-"+name+"-"+strconv.FormatInt(time.Now().UnixNano(), 10))

			text := serveText(t, a, body)
			mustContain(t, text, "couldn't confirm", "won't file it twice")
			mustNotContain(t, text, "I've created")
			if hd.creates() != 1 || hd.tickets() != before+1 {
				t.Fatalf("first delivery: %d creations, tickets %d -> %d", hd.creates(), before, hd.tickets())
			}
			// The platform redelivers the turn (its deadline has passed) to another process.
			text = serveText(t, b, body)
			mustContain(t, text, "Your ticket #", "was created")
			// The user asks again in a new turn, on a third process.
			again := withTurnID(t, body, "unknown-again-"+name+"-"+strconv.FormatInt(time.Now().UnixNano(), 10))
			text = serveText(t, c, again)
			mustContain(t, text, "Your ticket #", "was created")
			if hd.creates() != 1 || hd.tickets() != before+1 {
				t.Fatalf("after the redelivery and a new turn: %d creations, tickets %d -> %d; want exactly one", hd.creates(), before, hd.tickets())
			}
		})
	}
}

// lossyDynamo is a proxy in front of moto that forwards the first PutItem and then
// drops the connection without its answer: the write happened, its response was lost,
// and the SDK's retryer sends it again.
func lossyDynamo(t *testing.T, moto string) (endpoint string, dropped *atomic.Int64) {
	t.Helper()
	target, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	dropped = &atomic.Int64{}
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, target.String()+r.URL.RequestURI(), strings.NewReader(string(body)))
		out.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		drop := false
		// The claim: a TransactWriteItems for a write with a subject, else a PutItem.
		if tg := r.Header.Get("X-Amz-Target"); strings.HasSuffix(tg, ".PutItem") || strings.HasSuffix(tg, ".TransactWriteItems") {
			once.Do(func() { drop = true })
		}
		if drop {
			dropped.Add(1)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, dropped
}

// The store's first write (the claim) succeeds but its answer is lost; the SDK's
// retry meets the record it wrote itself. The owner token lets the delivery proceed
// instead of waiting on itself: one ticket, and the reply says so; a redelivery on
// another process gets the same answer.
func TestClaimWithItsAnswerLostProceeds(t *testing.T) {
	t.Parallel()
	moto := testenv.Moto(t)
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	endpoint, dropped := lossyDynamo(t, moto)
	client := dynamostore.NewClientWith(aws.Config{Region: "us-east-1", Retryer: awsenv.NewRetryer,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "testing")}, endpoint)
	st := dynamostore.New(client, table, dynamostore.Options{})
	be, err := demo.Open(context.Background(), filepath.Join(t.TempDir(), "tickets.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	hd := &commitThenSlow{hd: be}
	a := newFaultStack(t, stackOptions{store: st, tickets: hd, stripe: "http://127.0.0.1:1"})
	b := newFaultStack(t, stackOptions{store: st, tickets: hd, stripe: "http://127.0.0.1:1"})
	body := withTurnID(t, readEvent(t, conversation.DialogflowES, "create_ticket.json"), "lost-claim-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	text := serveText(t, a, body)
	if dropped.Load() != 1 {
		t.Fatalf("the proxy dropped %d answers, want 1", dropped.Load())
	}
	mustContain(t, text, "I've created ticket #")
	again := serveText(t, b, body)
	if again != text || hd.creates.Load() != 1 {
		t.Fatalf("redelivery %q (first %q), %d creations; want the same reply and one creation", again, text, hd.creates.Load())
	}
}

// bootstrapPID is the pid of the bootstrap process the RIE process started.
func bootstrapPID(t *testing.T, r *rie) int {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", r.proc.Cmd.Process.Pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, p := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(p); err == nil {
				return pid
			}
		}
	}
	t.Fatalf("%s: no bootstrap process under the RIE", r.name)
	return 0
}

// On Lambda nothing runs after the reply: the sandbox freezes. Two createticket
// functions under the RIE on one DynamoDB table (moto) and one Zendesk stand-in whose
// creation commits and then answers after 10 s. The first function's process is
// frozen (SIGSTOP) right after its reply; the platform's redelivery to the second
// function finds the ticket by its external id. One ticket, one creation: what the
// second delivery's correctness needed was written before the first reply.
func TestUnknownOutcomeWrittenBeforeTheReply(t *testing.T) {
	rieBin, ok := testenv.LookPath("aws-lambda-rie")
	if !ok {
		testenv.Missing(t, "aws-lambda-rie", "make tool-rie")
	}
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	zd := zdtest.New(t)
	zd.Fail(zdtest.Fault{Kind: zdtest.CommitSlow, Delay: 10 * time.Second}.On(http.MethodPost, "/api/v2/tickets"))
	prefix := fmt.Sprintf("rie-unknown-%d/", time.Now().UnixNano())
	putSecrets(t, moto, prefix, map[string]secrets.Secret{"switchboard/zendesk": zd.Secret(),
		"switchboard/webhook/dialogflow": {"username": "dialogflow", "password": webhookCreds.esPassword}})
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	bin := buildBootstraps(t)
	env := []string{
		"SWITCHBOARD_STORE_BACKEND=dynamodb", "SWITCHBOARD_STORE_TABLE=" + table, "SWITCHBOARD_STORE_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PROVIDER=aws", "SWITCHBOARD_CONNECTORS_SECRETS_ENDPOINT=" + moto,
		"SWITCHBOARD_CONNECTORS_SECRETS_PREFIX=" + prefix,
		"SWITCHBOARD_CONNECTORS_ZENDESK_SUBDOMAIN=acme", "SWITCHBOARD_CONNECTORS_ZENDESK_BASE_URL=" + zd.URL(),
		"SWITCHBOARD_CONNECTORS_CUSTOMERS=none", "SWITCHBOARD_CONNECTORS_TICKETS=zendesk",
		"SWITCHBOARD_CONNECTORS_PAYMENTS=none", "SWITCHBOARD_CONNECTORS_KB=none",
		"SWITCHBOARD_INTENTS_ENABLED=" + string(conversation.CreateTicket),
		"SWITCHBOARD_DEADLINES_DIALOGFLOW=2s",
		// Webhook auth as the CDK app sets it (closed by default).
		"SWITCHBOARD_SECURITY_DIALOGFLOW_METHOD=basic", "SWITCHBOARD_SECURITY_DIALOGFLOW_SECRET=switchboard/webhook/dialogflow",
		// The region the table and the secret were made in (moto keeps both per region).
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
	}
	var fns [2]*rie
	for i := range fns {
		e := append([]string{"SWITCHBOARD_DATA_DIR=" + t.TempDir()}, env...)
		fns[i] = startRIE(t, rieBin, "sb-createticket-"+strconv.Itoa(i), filepath.Join(bin, "createticket"), e)
		fns[i].invoke(t, []byte(`{"ping":true}`)) // start the bootstrap
	}
	body := withTurnID(t, readEvent(t, conversation.DialogflowES, "create_ticket.json"), "rie-unknown-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	event := apiEventAuth(t, webhookPaths[conversation.DialogflowES], body, true)
	text := func(payload []byte) string {
		status, b := platformResponse(t, conversation.DialogflowES, payload)
		var out struct {
			FulfillmentText string `json:"fulfillmentText"`
		}
		if status != 200 || json.Unmarshal(b, &out) != nil {
			t.Fatalf("HTTP %d %s", status, b)
		}
		return out.FulfillmentText
	}
	first := text(fns[0].invoke(t, event))
	pid := bootstrapPID(t, fns[0])
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	if !strings.Contains(first, "won't file it twice") {
		t.Fatalf("first delivery: %q\n%s", first, fns[0].proc.LogTail())
	}
	mustContain(t, first, "couldn't confirm")
	second := text(fns[1].invoke(t, event))
	mustContain(t, second, "Your ticket #", "was created")
	if n := ticketPosts(zd); n != 1 {
		t.Fatalf("%d ticket creations reached Zendesk, want 1", n)
	}
	// The frozen process recorded the unknown outcome before its reply: under the
	// turn's key and under the customer and subject (status UNKNOWN_OUTCOME, 24 h).
	out, err := storetest.MotoClient(t).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	unknown := 0
	for _, item := range out.Items {
		if s, ok := item[store.AttrStatus].(*types.AttributeValueMemberS); ok && s.Value == string(store.StatusUnknown) {
			unknown++
		}
	}
	if unknown != 1 {
		// The turn's own record was resolved (completed) by the redelivery; the one
		// keyed by customer and subject stays, now carrying the answer.
		t.Fatalf("%d unknown-outcome records, want the one by customer and subject", unknown)
	}
}
