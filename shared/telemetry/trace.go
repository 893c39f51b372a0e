package telemetry

import (
	"context"
	"fmt"
	"io"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// tracerName names Switchboard's tracer (the instrumentation scope).
const tracerName = "github.com/switchboard-dev/switchboard"

// TraceHeader is the HTTP header and Lambda context key carrying the X-Ray trace.
const TraceHeader = "X-Amzn-Trace-Id"

// lambdaTraceKey is the context key aws-lambda-go stores the invocation's trace header
// under (a plain string: that is the library's choice).
const lambdaTraceKey = "x-amzn-trace-id"

// Tracing holds the tracer provider, the X-Ray propagator and the tracer.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	tracer     trace.Tracer
	shutdown   func(context.Context) error
	// recording: spans are recorded (not the no-op provider), so the incoming X-Ray
	// parent is worth extracting into the context.
	recording bool
}

// newTracing returns tracing for mode "none" (spans not recorded; incoming X-Ray
// trace ids still propagate) or "stdout" (spans exported as JSON to w, synchronously:
// a local-run aid). Span and trace ids are X-Ray compatible (the trace id starts with
// the epoch seconds) so that they can be sent to X-Ray through an OTLP collector.
func newTracing(mode string, w io.Writer) (*Tracing, error) {
	t := &Tracing{Propagator: xray.Propagator{}, shutdown: func(context.Context) error { return nil }}
	switch mode {
	case "", "none":
		t.Provider = noop.NewTracerProvider()
	case "stdout":
		exp, err := stdouttrace.New(stdouttrace.WithWriter(w))
		if err != nil {
			return nil, err
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithIDGenerator(xray.NewIDGenerator()))
		t.Provider, t.shutdown, t.recording = tp, tp.Shutdown, true
	default:
		return nil, fmt.Errorf("telemetry: tracing %q: want none or stdout", mode)
	}
	t.tracer = t.Provider.Tracer(tracerName)
	return t, nil
}

// newTracingWith wraps a caller's provider (tests, or an OTLP pipeline set up in main).
func newTracingWith(tp trace.TracerProvider) *Tracing {
	_, isNoop := tp.(noop.TracerProvider)
	return &Tracing{Provider: tp, Propagator: xray.Propagator{}, tracer: tp.Tracer(tracerName),
		shutdown: func(context.Context) error { return nil }, recording: !isNoop}
}

// Tracer returns Switchboard's tracer.
func (t *Tracing) Tracer() trace.Tracer { return t.tracer }

// Shutdown flushes and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Extract returns ctx with the remote X-Ray parent named by header (an
// X-Amzn-Trace-Id value: Root=1-…;Parent=…;Sampled=1), or ctx unchanged.
func (t *Tracing) Extract(ctx context.Context, header string) context.Context {
	if header == "" {
		return ctx
	}
	return t.Propagator.Extract(ctx, propagation.MapCarrier{TraceHeader: header})
}

// XRayTraceID formats an OpenTelemetry trace id the way X-Ray and CloudWatch show it
// (1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy), or "" for an invalid id.
func XRayTraceID(id trace.TraceID) string {
	if !id.IsValid() {
		return ""
	}
	h := id.String()
	return "1-" + h[:8] + "-" + h[8:]
}

// AWSMiddleware is an AWS SDK API option (a service client's Options.APIOptions) that
// adds a client span around every call, retries included: named
// "<Service>.<Operation>" (the SDK's service id: "DynamoDB.PutItem") with the rpc.*
// attributes, the region and the request id, as a child of the turn's span.
func (t *Tracing) AWSMiddleware() func(*middleware.Stack) error {
	tracer := t.tracer
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("switchboard.Tracing",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				service, op := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
				ctx, span := tracer.Start(ctx, service+"."+op, trace.WithSpanKind(trace.SpanKindClient),
					trace.WithAttributes(attribute.String("rpc.system", "aws-api"),
						attribute.String("rpc.service", service), attribute.String("rpc.method", op),
						attribute.String("cloud.region", awsmiddleware.GetRegion(ctx))))
				defer span.End()
				out, md, err := next.HandleInitialize(ctx, in)
				if id, ok := awsmiddleware.GetRequestIDMetadata(md); ok && id != "" {
					span.SetAttributes(attribute.String("aws.request_id", id))
				}
				if err != nil {
					span.RecordError(err)
					span.SetStatus(codes.Error, "aws call failed")
				}
				return out, md, err
			}), middleware.Before)
	}
}

// spanAfter records a span for work that already finished (a business-tool call
// attempt reported by the resilience layer after the fact).
func (t *Tracing) spanAfter(ctx context.Context, name string, start time.Time, d time.Duration, attrs ...attribute.KeyValue) trace.Span {
	_, span := t.tracer.Start(ctx, name, trace.WithTimestamp(start), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	return span
}
