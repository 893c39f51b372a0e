// Package names is the contract of the chatbot platforms: each one's canonical name
// (the URL path segment under /webhooks/, the configuration key, the "platform"
// attribute of logs and metrics), its older spellings, its route shape, the webhook
// authentication methods it can use, its default deadline and its docs page.
//
// It is a leaf: it imports nothing of Switchboard's, so the CDK app (infra) and
// shared/config can list the platforms without linking an adapter. The adapters
// themselves (decode, encode, smoke cases, response schema) register from their own
// folders, shared/platform/<name> (see platform.Register); each entry there names its
// Spec here. Adding a platform is one entry in the table below plus its folder
// (docs/extending.md).
package names

import (
	"strings"
	"time"
)

// Webhook auth methods a platform may support (config security.<name>.method).
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthHeader = "header"
	AuthToken  = "token"
	// AuthBearer is the secret's token as "Authorization: Bearer <token>" (the tool
	// API and the MCP server: what an LLM tool runtime or a custom client sends).
	AuthBearer = "bearer"
)

// Spec is what is fixed about a platform, known without its adapter.
type Spec struct {
	// Name is the canonical name: /webhooks/<Name>, security.<Name>, intents.<Name>,
	// deadlines.<Name>, platform.<Name>, the CLI's --platform.
	Name string
	// Title is the platform as people call it ("Dialogflow CX").
	Title string
	// Aliases are the older spellings in use before the platforms had one name (the
	// configuration's dialogflow_cx, the CLI's dialogflow-es, the folders' dialogflowcx
	// and lexv2), still accepted for one release, in configuration (with a warning)
	// and by the CLI (with a note).
	Aliases []string
	// HTTP is true for a platform that calls the HTTP API at /webhooks/<Name>; false
	// for one that invokes the router's Lambda directly (Lex V2, authorized by IAM).
	HTTP bool
	// LocalOnly, when set, says why the CDK app does not deploy the platform yet: only
	// `switchboard serve` answers it. No platform is local-only today.
	LocalOnly string
	// APIRoutes, when set, are the platform's HTTP API routes ("METHOD /path"), all to the
	// router, in place of POST /webhooks/<Name> (the tool API: its operations, its
	// OpenAPI description and its MCP server).
	APIRoutes []string
	// IntentPath is true when /webhooks/<Name>/{intent} is a route too (API Gateway
	// sends each Dialogflow CX fulfillment tag straight to its intent's function).
	IntentPath bool
	// Auth lists the webhook auth methods the platform itself can send (none always
	// included): Dialogflow's basic auth and custom headers, Rasa's endpoints.yml
	// basic_auth, headers and token. Lex V2 sends none: IAM authorizes it.
	Auth []string
	// DefaultAuth is the method the CDK app provisions for it (its secret's shape);
	// "" for a platform authorized otherwise (IAM).
	DefaultAuth string
	// Deadline is how long the platform waits for a webhook, by default.
	Deadline time.Duration
	// Agent is true for a platform whose replies a model reads (an LLM agent's tool
	// call) rather than a person: the answer's prose then quotes no text that came
	// from a tool, only references to the structured fields that hold it
	// ("[tickets[0].subject]"), so a ticket subject that reads like an instruction
	// reaches the model as data, never in the sentence it takes for the tool's own
	// words (docs/security.md).
	Agent bool
	// Doc is its page under docs/platforms/.
	Doc string
	// Folder is its folder under shared/platform/ (a Go package name: no "-").
	Folder string
	// DefaultIntentName is the platform's default name of an intent (intents.<Name>
	// when the configuration gives none), from the intent's canonical name
	// (search_kb) and display name (SearchKnowledgeBase).
	DefaultIntentName func(name, display string) string
}

// displayName, kebabName and rasaAction are the platforms' naming conventions.
func displayName(_, display string) string { return display }
func kebabName(name, _ string) string      { return strings.ReplaceAll(name, "_", "-") }
func rasaAction(name, _ string) string     { return "action_" + name }
func canonicalName(name, _ string) string  { return name }

// Path is the platform's webhook path (/webhooks/<Name>).
func (s Spec) Path() string { return PathPrefix + s.Name }

// HTTPRoutes are the HTTP API routes ("METHOD /path") of a platform that calls the API:
// its APIRoutes, or POST /webhooks/<Name> (and POST /webhooks/<Name>/{intent} for
// IntentPath); none for one that invokes a Lambda directly.
func (s Spec) HTTPRoutes() []string {
	switch {
	case !s.HTTP:
		return nil
	case len(s.APIRoutes) > 0:
		return append([]string(nil), s.APIRoutes...)
	case s.IntentPath:
		return []string{"POST " + s.Path(), "POST " + s.Path() + "/{intent}"}
	}
	return []string{"POST " + s.Path()}
}

// PathPrefix starts every webhook path.
const PathPrefix = "/webhooks/"

var all = []Spec{
	{Name: "dialogflow", Title: "Dialogflow ES", Aliases: []string{"dialogflow-es"},
		HTTP: true, Auth: []string{AuthNone, AuthBasic, AuthHeader}, DefaultAuth: AuthBasic,
		Deadline: 5 * time.Second, Doc: "dialogflow-es.md", Folder: "dialogflow", DefaultIntentName: displayName},
	{Name: "dialogflow-cx", Title: "Dialogflow CX", Aliases: []string{"dialogflow_cx", "dialogflowcx"},
		HTTP: true, IntentPath: true, Auth: []string{AuthNone, AuthBasic, AuthHeader}, DefaultAuth: AuthHeader,
		Deadline: 5 * time.Second, Doc: "dialogflow-cx.md", Folder: "dialogflowcx", DefaultIntentName: kebabName},
	{Name: "lex", Title: "Amazon Lex V2", Aliases: []string{"lexv2"},
		Auth: []string{AuthNone}, Deadline: 30 * time.Second, Doc: "lex.md", Folder: "lexv2", DefaultIntentName: displayName},
	{Name: "rasa", Title: "Rasa",
		HTTP: true, Auth: []string{AuthNone, AuthBasic, AuthHeader, AuthToken}, DefaultAuth: AuthToken,
		Deadline: 10 * time.Second, Doc: "rasa.md", Folder: "rasa", DefaultIntentName: rasaAction},
	// The tool API: POST /api/v1/<intent> (and the MCP server beside it) for LLM
	// agents, Dialogflow CX playbook tools and custom chatbots. Its intent names are
	// the canonical ones.
	{Name: "tool-api", Title: "Tool API (OpenAPI and MCP)",
		HTTP: true, Auth: []string{AuthNone, AuthBearer}, DefaultAuth: AuthBearer, Agent: true,
		Deadline: 10 * time.Second, Doc: "tool-api.md", Folder: "toolapi", DefaultIntentName: canonicalName,
		// The MCP server is stateless on Lambda: GET and DELETE /mcp answer 405, which
		// MCP clients expect of a server without sessions (a 404 would mean "session
		// gone" to them).
		APIRoutes: []string{"POST /api/v1/{intent}", "GET /openapi.json", "POST /mcp", "GET /mcp", "DELETE /mcp"}},
	// An Amazon Bedrock agent's action group invokes the router's Lambda (authorized by
	// IAM: a resource policy for bedrock.amazonaws.com scoped to the configured agent
	// ARNs); `switchboard serve` answers it at /webhooks/bedrock-agent with the webhook
	// credentials of any platform. Its functions (and API paths, "/<name>") are the
	// intents' canonical names.
	{Name: "bedrock-agent", Title: "Amazon Bedrock Agents",
		Auth: []string{AuthNone}, Agent: true, Deadline: 30 * time.Second, Doc: "bedrock-agent.md", Folder: "bedrockagent",
		DefaultIntentName: canonicalName},
}

// All lists every platform in a stable order.
func All() []Spec { return append([]Spec(nil), all...) }

// Deployed lists the platforms the CDK app deploys (All without the LocalOnly ones).
func Deployed() []Spec {
	var out []Spec
	for _, s := range all {
		if s.LocalOnly == "" {
			out = append(out, s)
		}
	}
	return out
}

// List is every canonical name, in All's order.
func List() []string {
	out := make([]string, len(all))
	for i, s := range all {
		out[i] = s.Name
	}
	return out
}

// Lookup returns the platform of that canonical name.
func Lookup(name string) (Spec, bool) {
	for _, s := range all {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Resolve returns the platform named name or one of its aliases; old is true when
// name is an alias (the caller warns).
func Resolve(name string) (s Spec, old bool, ok bool) {
	if s, ok := Lookup(name); ok {
		return s, false, true
	}
	for _, s := range all {
		for _, a := range s.Aliases {
			if a == name {
				return s, true, true
			}
		}
	}
	return Spec{}, false, false
}

// IsAgent reports whether the platform of that canonical name is read by a model
// (Spec.Agent).
func IsAgent(name string) bool {
	s, ok := Lookup(name)
	return ok && s.Agent
}

// Supports reports whether the platform can use that auth method.
func (s Spec) Supports(method string) bool {
	for _, m := range s.Auth {
		if m == method {
			return true
		}
	}
	return false
}
