package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/resilience"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const lambdaTrace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

func recordingTelemetry(t *testing.T, logs *bytes.Buffer) (*Telemetry, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithIDGenerator(xray.NewIDGenerator()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tel, err := New(config.Default().Service, Settings(config.Default().Telemetry), Options{Logs: logs, EMF: &bytes.Buffer{}, Tracing: newTracingWith(tp)})
	if err != nil {
		t.Fatal(err)
	}
	return tel, exp
}

// TestTurnAndToolSpansJoinTheXRayTrace checks that a turn's span continues the
// caller's X-Ray trace, that each business-tool attempt is a child span with the
// attempt's duration, and that the log lines carry the same trace id.
func TestTurnAndToolSpansJoinTheXRayTrace(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	tel, exp := recordingTelemetry(t, &logs)
	ctx := WithRequest(context.Background(), RequestInfo{ID: "req-1", TraceHeader: lambdaTrace})
	turn := conversation.Turn{Platform: conversation.LexV2, Intent: conversation.VerifyPayment, SessionID: "s", TurnID: "t"}
	tctx := tel.StartTurn(ctx, engine.TurnStart{Platform: conversation.LexV2, Turn: turn})
	tel.OnCall(tctx, resilience.CallInfo{Tool: "stripe", Op: "find_payment", Attempt: 1, Latency: 80 * time.Millisecond,
		Err: &connector.Error{Kind: connector.KindRateLimited, Tool: "stripe"}})
	tel.OnCall(tctx, resilience.CallInfo{Tool: "stripe", Op: "find_payment", Attempt: 2, Latency: 20 * time.Millisecond})
	tel.EndTurn(tctx, engine.TurnEnd{Platform: conversation.LexV2, Turn: turn, Status: 200,
		Reply: conversation.Reply{Outcome: conversation.OutcomeFulfilled}, Latency: 120 * time.Millisecond})

	spans := exp.GetSpans()
	if len(spans) != 3 {
		t.Fatalf("want 2 tool spans and 1 turn span, got %d", len(spans))
	}
	turnSpan := spans[2]
	if turnSpan.Name != "turn verify_payment" || turnSpan.SpanKind != trace.SpanKindServer {
		t.Errorf("turn span %q kind %v", turnSpan.Name, turnSpan.SpanKind)
	}
	if got := turnSpan.SpanContext.TraceID().String(); got != "5759e988bd862e3fe1be46a994272793" {
		t.Errorf("turn span trace %s does not continue the X-Ray trace", got)
	}
	if got := turnSpan.Parent.SpanID().String(); got != "53995c3f42cd8ad8" {
		t.Errorf("turn span parent %s, want the Lambda segment 53995c3f42cd8ad8", got)
	}
	for i, s := range spans[:2] {
		if s.Name != "stripe.find_payment" || s.Parent.SpanID() != turnSpan.SpanContext.SpanID() {
			t.Errorf("tool span %d: %q parent %s", i, s.Name, s.Parent.SpanID())
		}
		want := []time.Duration{80 * time.Millisecond, 20 * time.Millisecond}[i]
		if d := s.EndTime.Sub(s.StartTime); d != want {
			t.Errorf("tool span %d lasts %v, want the attempt's %v", i, d, want)
		}
	}
	if spans[0].Status.Code.String() != "Error" || spans[1].Status.Code.String() == "Error" {
		t.Errorf("span statuses %v %v", spans[0].Status, spans[1].Status)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		if m[keyTraceID] != "1-5759e988-bd862e3fe1be46a994272793" {
			t.Errorf("log line trace id %v: %s", m[keyTraceID], line)
		}
	}
}

func TestNewTracingIDsAreXRayCompatible(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	tr, err := newTracing("stdout", &out)
	if err != nil {
		t.Fatal(err)
	}
	_, span := tr.Tracer().Start(context.Background(), "x")
	span.End()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := span.SpanContext().TraceID().String()
	epoch, _ := time.Parse(time.RFC3339, "2020-01-01T00:00:00Z")
	var secs int64
	for _, c := range id[:8] {
		secs = secs*16 + int64(strings.IndexRune("0123456789abcdef", c))
	}
	if secs < epoch.Unix() || secs > time.Now().Unix()+60 {
		t.Errorf("trace id %s does not start with the epoch seconds (X-Ray)", id)
	}
	if !strings.Contains(out.String(), id) {
		t.Errorf("stdout exporter did not write the span")
	}
	if XRayTraceID(span.SpanContext().TraceID()) != "1-"+id[:8]+"-"+id[8:] {
		t.Errorf("XRayTraceID format")
	}
}

// TestDynamoDBCallsAreTraced makes real DynamoDB calls (moto_server) through the
// store's client (dynamostore.NewClientWith) carrying AWSMiddleware and checks the
// spans: one per call, retries included.
func TestDynamoDBCallsAreTraced(t *testing.T) {
	endpoint := testenv.Moto(t)
	var logs bytes.Buffer
	tel, exp := recordingTelemetry(t, &logs)
	client := dynamostore.NewClientWith(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")},
		endpoint, tel.Tracing.AWSMiddleware())
	ctx, parent := tel.Tracing.Tracer().Start(context.Background(), "turn")
	if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("switchboard-telemetry-missing")})
	if err == nil {
		t.Fatal("DescribeTable of a missing table succeeded")
	}
	parent.End()
	spans := exp.GetSpans()
	names := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans.Snapshots() {
		names[s.Name()] = s
	}
	lt, ok := names["DynamoDB.ListTables"]
	if !ok {
		t.Fatalf("no DynamoDB.ListTables span among %v", spans)
	}
	if lt.Parent().SpanID() != parent.SpanContext().SpanID() || lt.SpanKind() != trace.SpanKindClient {
		t.Errorf("ListTables span not a client child of the turn")
	}
	attrs := map[string]string{}
	for _, kv := range lt.Attributes() {
		attrs[string(kv.Key)] = kv.Value.Emit()
	}
	if attrs["rpc.service"] != "DynamoDB" || attrs["rpc.method"] != "ListTables" || attrs["aws.request_id"] == "" || attrs["cloud.region"] != "us-east-1" {
		t.Errorf("ListTables span attributes %v", attrs)
	}
	if dt := names["DynamoDB.DescribeTable"]; dt == nil || dt.Status().Code.String() != "Error" {
		t.Errorf("failed DescribeTable span should have an error status")
	}
}

func TestMiddlewareAndMetricsEndpoint(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	tel := newTestTelemetry(t, "info", &logs, &bytes.Buffer{})
	var seen RequestInfo
	h := tel.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = requestFrom(r.Context())
		tel.MetricsHandler().ServeHTTP(w, r)
	}))
	exercise(t, tel)
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("X-Correlation-Id", "corr-9")
	req.Header.Set(TraceHeader, lambdaTrace)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if seen.ID == "" || rec.Header().Get("X-Request-Id") != seen.ID || seen.CorrelationID != "corr-9" || seen.TraceHeader != lambdaTrace {
		t.Errorf("request info %+v, response id %q", seen, rec.Header().Get("X-Request-Id"))
	}
	if ct := rec.Header().Get("Content-Type"); ct != PrometheusContentType || !strings.Contains(rec.Body.String(), "switchboard_turns_total{") {
		t.Errorf("metrics endpoint: %s\n%s", ct, rec.Body.String())
	}
}

func TestDebugSampling(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rate float64
		want bool
	}{{0, false}, {1, true}} {
		var logs bytes.Buffer
		cfg := config.Default()
		cfg.Telemetry.DebugSampleRate = tc.rate
		tel, err := New(cfg.Service, Settings(cfg.Telemetry), Options{Logs: &logs, EMF: &bytes.Buffer{}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := tel.StartTurn(context.Background(), engine.TurnStart{Platform: conversation.Rasa, Turn: conversation.Turn{Intent: conversation.SearchKB}, Body: []byte(`{"q":"x"}`)})
		tel.Logger.DebugContext(ctx, "inside the turn")
		tel.Logger.Debug("outside any turn")
		out := logs.String()
		if strings.Contains(out, "inside the turn") != tc.want || strings.Contains(out, "webhook request") != tc.want {
			t.Errorf("rate %v: debug lines of the turn logged = %v, want %v", tc.rate, !tc.want, tc.want)
		}
		if strings.Contains(out, "outside any turn") {
			t.Errorf("rate %v: a debug line outside a sampled turn was logged", tc.rate)
		}
	}
}
