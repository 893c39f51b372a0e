package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
	"github.com/switchboard-dev/switchboard/shared/router"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// TestToolAPIRouterRIE runs the tool API and the MCP server as they are deployed: the
// real router bootstrap under aws-lambda-rie, reached by API Gateway HTTP API events
// (testenv.APIGateway), forwarding to the real lookup_customer and search_kb
// bootstraps (HubSpot, Zendesk, DynamoDB and Secrets Manager stand-ins) through the
// Lambda Invoke API. Every call needs the generated Bearer token (401 with a JSON
// reason otherwise, nothing forwarded); the end user's identity comes from the
// X-Switchboard-Identity header only: an email argument naming someone else, or a
// token in the body, gets the answer an address with no account gets.
func TestToolAPIRouterRIE(t *testing.T) {
	rieBin, ok := testenv.LookPath("aws-lambda-rie")
	if !ok {
		testenv.Missing(t, "aws-lambda-rie", "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@latest (make tool-rie)")
	}
	bin := buildBootstraps(t)
	data := t.TempDir()
	common := productionEnv(t)
	fns := map[string]*rie{}
	var routes []string
	for _, fn := range []string{"lookupcustomer", "searchkb"} {
		in, name := intentFunctions[fn], "sb-"+fn
		env := append(slices.Clone(common), "SWITCHBOARD_DATA_DIR="+filepath.Join(data, fn), "SWITCHBOARD_INTENTS_ENABLED="+string(in))
		for _, c := range []string{"customers", "tickets", "payments", "kb"} {
			tool := "none"
			if slices.Contains(functionUses[fn], c) {
				tool = productionTools[c]
			}
			env = append(env, "SWITCHBOARD_CONNECTORS_"+strings.ToUpper(c)+"="+tool)
		}
		fns[name] = startRIE(t, rieBin, name, filepath.Join(bin, fn), env)
		routes = append(routes, router.RouteEnvPrefix+strings.ToUpper(string(in))+"="+name)
	}
	calls := map[string]int{}
	var mu sync.Mutex // the forwarder's calls map, read here while MCP requests run
	fwd := lambdaForwarder(t, fns, calls)
	rt := startRIE(t, rieBin, "sb-router", filepath.Join(bin, "router"),
		append(append(routes, common...), "AWS_ENDPOINT_URL_LAMBDA="+fwd.URL, "SWITCHBOARD_DATA_DIR="+filepath.Join(data, "router"),
			"AWS_ACCESS_KEY_ID="+routerAccessKey))
	forwards := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range calls {
			n += c
		}
		return n
	}

	gw := testenv.APIGateway{Invoke: func(event []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		resp, err := http.Post(rt.url, "application/json", bytes.NewReader(event))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("RIE answered %d: %s", resp.StatusCode, b)
		}
		return b, err
	}}
	client := func(h map[string]string) *http.Client { return &http.Client{Transport: withHeaders{h, gw}} }
	bearer := "Bearer " + webhookCreds.toolToken
	ada := e2eToken(t, "ada@example.com", "", "")
	call := func(t *testing.T, c *http.Client, method, path, body string) (int, http.Header, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, "https://abc123.execute-api.eu-west-1.amazonaws.com"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, rt.proc.LogTail())
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	result := func(t *testing.T, c *http.Client, path, in string) toolapi.Result {
		t.Helper()
		status, _, body := call(t, c, http.MethodPost, path, in)
		var r toolapi.Result
		if status != 200 || json.Unmarshal(body, &r) != nil || r.Outcome == "" {
			t.Fatalf("HTTP %d %s\n%s", status, body, rt.proc.LogTail())
		}
		return r
	}

	t.Run("openapi", func(t *testing.T) {
		status, _, body := call(t, client(nil), http.MethodGet, toolapi.OpenAPIPath, "")
		var doc struct {
			OpenAPI string                     `json:"openapi"`
			Paths   map[string]json.RawMessage `json:"paths"`
		}
		if status != 200 || json.Unmarshal(body, &doc) != nil || !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/api/v1/lookup_customer"] == nil {
			t.Errorf("GET /openapi.json: %d %.300s", status, body)
		}
	})

	t.Run("credentials", func(t *testing.T) {
		before := forwards()
		for name, h := range map[string]map[string]string{
			"none":   {toolapi.IdentityHeader: ada},
			"wrong":  {"Authorization": bearer[:len(bearer)-1] + "X", toolapi.IdentityHeader: ada},
			"basic":  {"Authorization": "Basic " + webhookCreds.toolToken, toolapi.IdentityHeader: ada},
			"rasa's": {"Authorization": "Bearer " + webhookCreds.rasaToken, toolapi.IdentityHeader: ada},
		} {
			for _, path := range []string{"/api/v1/lookup_customer", "/mcp"} {
				status, h, body := call(t, client(h), http.MethodPost, path,
					`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`)
				if status != 401 || string(body) != `{"error":"unauthorized"}` || !strings.HasPrefix(h.Get("Www-Authenticate"), "Bearer") {
					t.Errorf("%s credentials, %s: HTTP %d %s %v", name, path, status, body, h)
				}
			}
		}
		if n := forwards() - before; n != 0 {
			t.Errorf("%d calls forwarded without the Bearer token", n)
		}
	})

	t.Run("operations", func(t *testing.T) {
		authed := client(map[string]string{"Authorization": bearer, toolapi.IdentityHeader: ada})
		before := forwards()
		r := result(t, authed, "/api/v1/lookup_customer", `{}`)
		if r.Outcome != conversation.OutcomeFulfilled || !strings.Contains(r.Answer, "I found") {
			t.Errorf("signed lookup: %+v", r)
		}
		if forwards() != before+1 {
			t.Errorf("%d forwards for one call", forwards()-before)
		}
		// The email argument names someone else: the answer an unknown address gets.
		other := result(t, authed, "/api/v1/lookup_customer", `{"email":"grace.hopper@example.com"}`)
		nobodyEmail := nextID("nobody") + "@example.com"
		nobody := result(t, authed, "/api/v1/lookup_customer", `{"email":"`+nobodyEmail+`"}`)
		oa, na := strings.ReplaceAll(other.Answer, "grace.hopper@example.com", "<email>"), strings.ReplaceAll(nobody.Answer, nobodyEmail, "<email>")
		t.Logf("signed: %q; another's email: %q; unknown email: %q", r.Answer, other.Answer, nobody.Answer)
		if oa != na || other.Outcome != nobody.Outcome || strings.Contains(oa, "Hopper") || strings.Contains(oa, "I found") {
			t.Errorf("another customer's email with Ada's token:\n%+v\nunknown email:\n%+v", other, nobody)
		}
		// A token in the body is not an identity.
		anon := client(map[string]string{"Authorization": bearer})
		r = result(t, anon, "/api/v1/lookup_customer", `{"email":"ada@example.com","identity_token":"`+ada+`"}`)
		if leak := revealsAda(r.Answer); leak != "" || strings.Contains(r.Answer, "I found") {
			t.Errorf("a body token was read: %+v", r)
		}
		// Another intent's function; an intent that is not routed; no such operation.
		r = result(t, anon, "/api/v1/search_kb", `{"query":"reset password"}`)
		if r.Outcome != conversation.OutcomeFulfilled || len(r.Articles) == 0 && !strings.Contains(strings.ToLower(r.Answer), "password") {
			t.Errorf("search_kb: %+v", r)
		}
		r = result(t, anon, "/api/v1/verify_payment", `{}`)
		if r.Outcome != conversation.OutcomeRejected {
			t.Errorf("unrouted verify_payment: %+v", r)
		}
		status, _, body := call(t, anon, http.MethodPost, "/api/v1/transfer_funds", `{}`)
		var reason struct{ Error string }
		if status != 404 || json.Unmarshal(body, &reason) != nil || reason.Error == "" {
			t.Errorf("unknown operation: %d %s", status, body)
		}
	})

	t.Run("mcp", func(t *testing.T) {
		ctx := context.Background()
		c := mcp.NewClient(&mcp.Implementation{Name: "rie-test", Version: "1"}, nil)
		s, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: "https://abc123.execute-api.eu-west-1.amazonaws.com/mcp",
			MaxRetries: -1, HTTPClient: client(map[string]string{"Authorization": bearer, toolapi.IdentityHeader: ada})}, nil)
		if err != nil {
			t.Fatalf("initialize: %v\n%s", err, rt.proc.LogTail())
		}
		defer s.Close()
		if s.InitializeResult().ServerInfo.Name != "switchboard" {
			t.Errorf("server %+v", s.InitializeResult().ServerInfo)
		}
		tools, err := s.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tl := range tools.Tools {
			names = append(names, tl.Name)
		}
		for _, want := range []string{"lookup_customer", "search_kb"} {
			if !slices.Contains(names, want) {
				t.Errorf("tools/list %v lacks %s", names, want)
			}
		}
		answer := func(args map[string]any) toolapi.Result {
			t.Helper()
			res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "lookup_customer", Arguments: args})
			if err != nil {
				t.Fatalf("tools/call: %v\n%s", err, rt.proc.LogTail())
			}
			b, _ := json.Marshal(res.StructuredContent)
			var r toolapi.Result
			if res.IsError || json.Unmarshal(b, &r) != nil || r.Outcome == "" {
				t.Fatalf("tools/call: error %v, %s", res.IsError, b)
			}
			return r
		}
		before := forwards()
		if r := answer(map[string]any{}); !strings.Contains(r.Answer, "I found") {
			t.Errorf("signed tools/call: %+v", r)
		}
		if forwards() != before+1 {
			t.Errorf("%d forwards for one tool call", forwards()-before)
		}
		nobodyEmail := nextID("nobody") + "@example.com"
		other := answer(map[string]any{"email": "grace.hopper@example.com", "identity_token": "forged"})
		nobody := answer(map[string]any{"email": nobodyEmail})
		if strings.ReplaceAll(other.Answer, "grace.hopper@example.com", "<email>") != strings.ReplaceAll(nobody.Answer, nobodyEmail, "<email>") ||
			strings.Contains(other.Answer, "Hopper") {
			t.Errorf("tools/call naming another customer:\n%+v\nunknown email:\n%+v", other, nobody)
		}
	})
}

// withHeaders adds headers to every request.
type withHeaders struct {
	h    map[string]string
	next http.RoundTripper
}

func (w withHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range w.h {
		r.Header.Set(k, v)
	}
	return w.next.RoundTrip(r)
}
