package router

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/switchboard-dev/switchboard/shared/contract/envnames"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/i18n"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/lambdafn"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/security"
	"github.com/switchboard-dev/switchboard/shared/server"
)

// RouteEnvPrefix starts the environment variables naming each intent's function:
// SWITCHBOARD_ROUTE_LOOKUP_CUSTOMER=<function name or alias ARN>. The CDK app sets one
// per intent in the rollout stage.
const RouteEnvPrefix = envnames.Prefix + "ROUTE_"

// DefaultQualifier is the alias invoked when a route names a function without one.
const DefaultQualifier = "live"

// Invoker invokes a Lambda function synchronously (RequestResponse).
type Invoker interface {
	// Invoke runs function (a name, invoked at qualifier, or a qualified ARN, with
	// qualifier "") with payload. A function's unhandled error is not an error here:
	// it comes back in Invocation.FunctionError.
	Invoke(ctx context.Context, function, qualifier string, payload []byte) (Invocation, error)
}

// Invocation is a function's answer.
type Invocation struct {
	Payload []byte
	// FunctionError is X-Amz-Function-Error ("Unhandled"), or "".
	FunctionError string
}

// LambdaAPI is the Lambda call the router makes, with the AWS SDK's signature:
// *lambda.Client implements it.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// NewLambdaInvoker is the Lambda Invoke API over the SDK's client: the router's
// default Invoker.
func NewLambdaInvoker(c LambdaAPI) Invoker { return lambdaInvoker{c} }

type lambdaInvoker struct{ c LambdaAPI }

func (l lambdaInvoker) Invoke(ctx context.Context, function, qualifier string, payload []byte) (Invocation, error) {
	in := &lambda.InvokeInput{FunctionName: aws.String(function), InvocationType: lambdatypes.InvocationTypeRequestResponse, Payload: payload}
	if qualifier != "" {
		in.Qualifier = aws.String(qualifier)
	}
	out, err := l.c.Invoke(ctx, in)
	if err != nil {
		return Invocation{}, err
	}
	return Invocation{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError)}, nil
}

// NewLambdaClient is the SDK's Lambda client from cfg (awsenv.Load: its retryer fits a
// chat turn), at endpoint when not "" (else AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL
// or the regional endpoint), with apiOptions on every call (tracing). Its HTTP client
// is cfg's (the SDK's default when none) behind WholeRequests.
func NewLambdaClient(cfg aws.Config, endpoint string, apiOptions ...func(*middleware.Stack) error) *lambda.Client {
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.APIOptions = append(o.APIOptions, apiOptions...)
		o.HTTPClient = WholeRequests(o.HTTPClient)
	})
}

// MaxWholeBody is the largest request body WholeRequests hands over in memory.
const MaxWholeBody = 64 << 10

// WholeRequests is c sending each request of at most MaxWholeBody bytes of body with
// its headers, in one write to the connection. The SDK hands net/http a body net/http
// cannot tell is in memory, so net/http writes the headers out first and the body
// after: two writes, two segments (two TLS records on AWS) and two wake-ups of the
// other side for every Invoke. Read into a bytes.Reader first (the payload is in
// memory already; the SDK builds a new request for every attempt, rewinding its own
// copy), the body goes out with the headers.
func WholeRequests(c lambda.HTTPClient) lambda.HTTPClient { return wholeRequests{c} }

type wholeRequests struct{ c lambda.HTTPClient }

func (w wholeRequests) Do(req *http.Request) (*http.Response, error) {
	if n := req.ContentLength; req.Body != nil && req.Body != http.NoBody && n > 0 && n <= MaxWholeBody {
		b := make([]byte, n)
		_, err := io.ReadFull(req.Body, b)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("router: request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	return w.c.Do(req)
}

// Settings are what the configuration decides for the router (functions/router
// converts them with shared/app/wiring).
type Settings struct {
	// Engine is the engine's settings: the enabled intents (only those are
	// forwarded), deadlines and the support address.
	Engine engine.Settings
	// Adapters are the platforms' intent names and rendering.
	Adapters adapters.Options
	// MaxBodyBytes caps a webhook body (server.max_body_bytes).
	MaxBodyBytes int64
}

// Options configure a Router. Zero values are the documented defaults.
type Options struct {
	// Routes maps each canonical intent to the function answering it: a function name
	// (invoked at Qualifier) or a full, qualified function ARN. An intent without a
	// route is answered "not available here".
	Routes map[conversation.Intent]string
	// Qualifier is the alias or version invoked for routes given by name (default "live").
	Qualifier string
	// Client invokes the intent functions. Default: a Lambda client from the ambient
	// AWS configuration, at Endpoint when set.
	Client Invoker
	// Endpoint overrides the Lambda API endpoint of the default client (local tests;
	// AWS_ENDPOINT_URL_LAMBDA does the same).
	Endpoint string
	// AWSConfig is the configuration of the default client: region and credentials,
	// loaded by the caller (functions/router loads the ambient one; no network).
	AWSConfig *aws.Config
	// APIOptions are added to the default client's middleware stack (tracing).
	APIOptions []func(*middleware.Stack) error
	Logger     *slog.Logger
	// Guard authenticates and rate-limits HTTP webhook calls before anything is
	// inflated, decoded or forwarded (Lex invokes are authorized by IAM). Nil: none
	// (unit tests only; functions/router always builds one).
	Guard *security.Guard
	// Hook observes refusals (telemetry's refused_total) and, when it implements
	// engine.RelayHook, every relayed turn's outcome; may be nil.
	Hook engine.TurnHook
	// Version is the MCP server's version in its handshake ("dev" when empty).
	Version string
}

// Router forwards events to intent functions.
type Router struct {
	cfg       Settings
	routes    map[conversation.Intent]string
	qualifier string
	client    Invoker
	eng       *engine.Engine // answers what is not forwarded
	door      server.Door    // admits every call, over eng
	failed    *engine.Engine // renders honest failures when a forward fails
	log       *slog.Logger
	relay     engine.RelayHook // nil: relayed outcomes are not recorded
	tool      *toolRoutes      // the tool API and the MCP server (tools.go)
}

// New returns a router. It makes no network calls.
func New(cfg Settings, o Options) (*Router, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if o.Qualifier == "" {
		o.Qualifier = DefaultQualifier
	}
	r := &Router{cfg: cfg, routes: map[conversation.Intent]string{}, qualifier: o.Qualifier, client: o.Client, log: o.Logger}
	r.relay, _ = o.Hook.(engine.RelayHook)
	// An intent is forwarded only when it is both enabled (the rollout stage) and
	// routed; everything else is answered here, by an engine whose enabled list is
	// exactly the forwarded intents.
	var forwarded []conversation.Intent
	for in, fn := range o.Routes {
		if fn = strings.TrimSpace(fn); fn != "" && cfg.Engine.Enables(in) {
			r.routes[in] = fn
			forwarded = append(forwarded, in)
		}
	}
	slices.Sort(forwarded)
	if r.client == nil {
		var ac aws.Config
		if o.AWSConfig != nil {
			ac = *o.AWSConfig
		}
		if ac.Region == "" {
			return nil, fmt.Errorf("router: no AWS region configured (AWS_REGION)")
		}
		if ac.Credentials == nil {
			return nil, fmt.Errorf("router: no AWS credentials configured")
		}
		// The retryer is the configuration's (awsenv: three quick attempts at throttling,
		// a 5xx from the Lambda service or a dropped connection), within the platform's
		// deadline: a function's own failure is an answer (X-Amz-Function-Error), never
		// retried here.
		r.client = NewLambdaInvoker(NewLambdaClient(ac, o.Endpoint, o.APIOptions...))
	}
	local := cfg.Engine
	local.Enabled = forwarded
	if len(forwarded) == 0 {
		// An empty list means "all" to the engine; none routed means none enabled.
		local.Enabled = []conversation.Intent{"none"}
	}
	adapters := adapters.Default(cfg.Adapters)
	r.eng = engine.New(local, conversation.HandlerFunc(r.unrouted), engine.Options{Adapters: adapters, Logger: o.Logger, Guard: o.Guard, Hook: o.Hook})
	r.door = server.Door{Engine: r.eng, MaxBody: cfg.MaxBodyBytes}
	all := cfg.Engine
	all.Enabled = nil
	r.failed = engine.New(all, conversation.HandlerFunc(r.failure), engine.Options{Adapters: adapters, Logger: o.Logger})
	r.tool = r.newToolRoutes(o.Version)
	return r, nil
}

// RoutesFromEnv reads SWITCHBOARD_ROUTE_<INTENT> variables from environ (os.Environ()
// when nil).
func RoutesFromEnv(environ []string) map[conversation.Intent]string {
	if environ == nil {
		environ = os.Environ()
	}
	out := map[conversation.Intent]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, RouteEnvPrefix) || strings.TrimSpace(v) == "" {
			continue
		}
		name := strings.ToLower(strings.TrimPrefix(k, RouteEnvPrefix))
		for _, in := range conversation.Intents {
			if string(in) == name {
				out[in] = strings.TrimSpace(v)
			}
		}
	}
	return out
}

// Handle is the Lambda handler: the raw event in, the intent function's payload (or
// the router's own platform-valid reply) out. Each call passes the door once (for HTTP
// calls: source rate, credentials, size, budget, inflation, depth, decoding; a Lex
// invoke is authorized by IAM); a routed turn is then handed to its intent function
// as an Envelope, which the function does not admit again.
func (r *Router) Handle(ctx context.Context, event json.RawMessage) (any, error) {
	var dr server.Request
	var wire *lambdafn.WireBody
	requestID := ""
	switch ev := lambdafn.Parse(event); ev.Kind {
	case lambdafn.KindLex, lambdafn.KindDirect:
		dr = lambdafn.LexRequest(event)
		if ev.Kind == lambdafn.KindDirect {
			dr = lambdafn.DirectRequest(ev.Platform, event)
		}
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			requestID = lc.AwsRequestID
		}
	case lambdafn.KindHTTP:
		if ev.Invalid {
			// Not a webhook call: the standard handler gives the standard answer.
			return lambdafn.Handler(r.eng, r.cfg.MaxBodyBytes)(ctx, event)
		}
		if r.tool.Serves(ev.HTTP.RawPath) {
			return r.serveTool(ctx, ev.HTTP), nil
		}
		var bad *events.APIGatewayV2HTTPResponse
		if dr, bad = lambdafn.HTTPRequest(ev.HTTP); bad != nil {
			return *bad, nil
		}
		requestID = ev.HTTP.RequestContext.RequestID
		wire = &lambdafn.WireBody{Body: ev.HTTP.Body, Base64: ev.HTTP.IsBase64Encoded, Encoding: dr.Encoding}
	default:
		// Nothing else is the router's, an Envelope least of all: it sends them.
		return nil, lambdafn.ErrUnknownEvent
	}
	p := dr.Platform
	a, ref := r.door.Admit(ctx, dr)
	if ref != nil {
		return lambdafn.Answer(p, event, engine.Response{Status: ref.Status, Body: ref.Body}), nil
	}
	defer a.Release()
	in := a.Turn().Intent
	fn, routed := r.routes[in]
	if in == "" || !routed {
		r.log.LogAttrs(ctx, slog.LevelInfo, "not routed", slog.String("platform", string(p)), slog.String("canonical", string(in)))
		return lambdafn.Answer(p, event, r.eng.ServeDecoded(ctx, p, a.Request, a.Body)), nil
	}
	caller := lambdafn.CallerAuthenticated
	switch {
	case lambdafn.Direct(p):
		caller = lambdafn.CallerIAM
	case r.eng.Guard().Open(p):
		caller = lambdafn.CallerOpen
	}
	env := lambdafn.Envelope{Version: lambdafn.EnvelopeVersion, Platform: p, Body: a.Body, Caller: caller, RequestID: requestID}
	if !lambdafn.Fits(a.Body) && wire != nil {
		// Inflated, the body would not fit the Invoke: it goes as it came (it did fit
		// the router's own invocation), and the function inflates it again.
		env.Body, env.Wire = nil, wire
	}
	payload, err := r.forward(ctx, p, fn, env)
	if err != nil {
		return lambdafn.Answer(p, event, r.forwardFailed(ctx, p, in, fn, err, a)), nil
	}
	if r.relay != nil {
		// Recorded before the reply returns: nothing runs after it on Lambda.
		out, known := RelayedOutcome(p, payload)
		r.relay.Relayed(ctx, engine.RelayEnd{Platform: p, Intent: in, Outcome: out, Known: known})
	}
	return json.RawMessage(payload), nil
}

// RelayedOutcome reads the outcome an intent function's payload carries: the Lex
// response itself, or the body of the API Gateway response of an HTTP platform.
func RelayedOutcome(p conversation.Platform, payload []byte) (platform.WireOutcome, bool) {
	body := payload
	if e, ok := platform.Lookup(p); ok && e.HTTP {
		// Only what the outcome needs: not the headers' maps.
		var resp struct {
			StatusCode      int    `json:"statusCode"`
			Body            string `json:"body"`
			IsBase64Encoded bool   `json:"isBase64Encoded"`
		}
		if json.Unmarshal(payload, &resp) != nil || resp.StatusCode == 0 {
			return platform.WireOutcome{}, false
		}
		body = []byte(resp.Body)
		if resp.IsBase64Encoded {
			b, err := base64.StdEncoding.DecodeString(resp.Body)
			if err != nil {
				return platform.WireOutcome{}, false
			}
			body = b
		}
	}
	return platform.ReadOutcome(p, body)
}

// ErrFunction is a forward whose intent function reported an unhandled error.
var ErrFunction = errors.New("router: intent function failed")

// forward invokes fn with the envelope under the platform's deadline (less the reply
// margin, kept to answer honestly if the function is too slow); the envelope carries
// the platform's deadline to the function, whose turn then ends no later than it would
// had the platform called the function itself.
func (r *Router) forward(ctx context.Context, p conversation.Platform, fn string, env lambdafn.Envelope) ([]byte, error) {
	platformDeadline := time.Now().Add(r.cfg.Engine.Deadline(p))
	budget := platformDeadline.Add(-r.cfg.Engine.ReplyMargin)
	ctx, cancel := context.WithDeadline(ctx, budget)
	defer cancel()
	env.Deadline = platformDeadline.UnixMilli()
	event, err := env.Marshal()
	if err != nil {
		return nil, fmt.Errorf("envelope for %s: %w", fn, err)
	}
	qualifier := r.qualifier
	if strings.HasPrefix(fn, "arn:") {
		qualifier = ""
	}
	out, err := r.client.Invoke(ctx, fn, qualifier, event)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", fn, err)
	}
	if out.FunctionError != "" {
		return nil, fmt.Errorf("%w: %s: %s: %.200s", ErrFunction, fn, out.FunctionError, out.Payload)
	}
	if !json.Valid(out.Payload) {
		return nil, fmt.Errorf("%w: %s returned a payload that is not JSON", ErrFunction, fn)
	}
	return out.Payload, nil
}

// unrouted answers an intent that is enabled in configuration but has no route (the
// engine answers unknown and disabled intents before reaching here).
func (r *Router) unrouted(_ context.Context, t conversation.Turn) conversation.Reply {
	return conversation.Reply{Outcome: conversation.OutcomeRejected,
		Messages: []string{i18n.For(t.Locale).T("reply.not_enabled", r.cfg.Engine.SupportEmail)}}
}

type failureKey struct{}

type failureInfo struct {
	intent conversation.Intent
	err    error
}

func withFailure(ctx context.Context, in conversation.Intent, err error) context.Context {
	return context.WithValue(ctx, failureKey{}, failureInfo{in, err})
}

// failure is the honest reply when the intent function could not answer: for a new
// ticket the user learns it may or may not exist (a redelivery of the same turn is
// looked up by the function, never filed twice; a new request is not promised that).
func (r *Router) failure(ctx context.Context, t conversation.Turn) conversation.Reply {
	f, _ := ctx.Value(failureKey{}).(failureInfo)
	key := "reply.apology"
	in, _ := spec.Lookup(string(t.Intent))
	switch {
	case in.Unfinished != "":
		key = in.Unfinished
	case errors.Is(f.err, context.DeadlineExceeded):
		key = "reply.slow"
	}
	// The function did not answer: an apology in its place is a fallback, on the wire
	// as in the relayed outcome.
	return conversation.Reply{Outcome: conversation.OutcomeFailed, Fallback: true,
		Messages: []string{i18n.For(t.Locale).T(key, r.cfg.Engine.SupportEmail)}}
}
