package bedrockagent

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
	"github.com/switchboard-dev/switchboard/shared/platform/plaintext"
	"github.com/switchboard-dev/switchboard/shared/platform/toolapi"
)

//go:embed testdata/response.schema.json
var responseSchema []byte

// IsEvent reports whether a Lambda event has the shape of an action group input
// event (messageVersion, agent and actionGroup, with a function or an apiPath): how
// the router tells a Bedrock agent's direct invocation from the other events it gets.
func IsEvent(event []byte) bool {
	var p struct {
		MessageVersion string          `json:"messageVersion"`
		Agent          json.RawMessage `json:"agent"`
		ActionGroup    string          `json:"actionGroup"`
		Function       string          `json:"function"`
		APIPath        string          `json:"apiPath"`
	}
	if json.Unmarshal(event, &p) != nil {
		return false
	}
	return p.MessageVersion != "" && len(p.Agent) > 0 && p.Agent[0] == '{' && p.ActionGroup != "" &&
		(p.Function != "" || p.APIPath != "")
}

// Refused is the Lambda result for an event the door refused or could not decode
// (status and the JSON body {"error": reason} an HTTP platform would get): a response
// the agent accepts. An API operation gets the status and the reason as its JSON body;
// a function, a TEXT body saying the request was not served and why. Nothing of the
// event is echoed but its action group, function or operation and its attributes
// without a token.
func Refused(event []byte, status int, body []byte) []byte {
	var e Event
	_ = json.Unmarshal(event, &e) // best effort: the event is known to be bad
	var reason struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &reason)
	if reason.Error == "" {
		reason.Error = "request refused"
	}
	out := Response{
		MessageVersion:          MessageVersion,
		SessionAttributes:       withoutToken(e.SessionAttributes),
		PromptSessionAttributes: withoutToken(e.PromptSessionAttributes),
		Response:                ActionResponse{ActionGroup: e.ActionGroup},
	}
	if out.Response.ActionGroup == "" {
		out.Response.ActionGroup = "unknown"
	}
	outcome := conversation.Reply{Outcome: conversation.OutcomeFailed, Fallback: true}
	maps.Copy(out.SessionAttributes, platform.LexAttributes(outcome))
	if e.APIPath != "" && strings.HasPrefix(e.APIPath, "/") {
		doc, _ := json.Marshal(map[string]any{"outcome": outcome.Outcome, "fallback": true, "error": reason.Error})
		method := e.HTTPMethod
		if method == "" {
			method = "POST"
		}
		out.Response.APIPath, out.Response.HTTPMethod, out.Response.HTTPStatusCode = e.APIPath, method, status
		out.Response.ResponseBody = map[string]BodyString{ContentJSON: {Body: string(doc)}}
	} else {
		fn := e.Function
		if fn == "" {
			fn = "unknown"
		}
		out.Response.Function = fn
		out.Response.FunctionResponse = &FunctionResponse{ResponseBody: map[string]BodyString{"TEXT": {
			Body: plaintext.Inert(fmt.Sprintf("The request was not served (HTTP %d: %s). Tell the user it could not be done just now.", status, reason.Error))}}}
	}
	b, _ := platform.EncodeJSON(&out)
	return b
}

func init() {
	platform.Register(platform.Entry{
		Spec: names.Spec{Name: string(Platform)},
		New: func(n platform.Names, plain bool) platform.Adapter {
			a := New(n)
			a.PlainText = plain
			return a
		},
		IntentName: func(body []byte) string {
			var e struct {
				Function string `json:"function"`
				APIPath  string `json:"apiPath"`
			}
			_ = json.Unmarshal(body, &e)
			if e.Function != "" {
				return e.Function
			}
			return strings.TrimPrefix(e.APIPath, "/")
		},
		ReadOutcome: func(body []byte) (platform.WireOutcome, bool) {
			var w struct {
				SessionAttributes map[string]string `json:"sessionAttributes"`
			}
			if json.Unmarshal(body, &w) != nil {
				return platform.WireOutcome{}, false
			}
			attrs := w.SessionAttributes
			fb, err := strconv.ParseBool(attrs[platform.LexFallbackAttribute])
			if err != nil {
				return platform.WireOutcome{}, false
			}
			out := platform.WireOutcome{Outcome: conversation.Outcome(attrs[platform.LexOutcomeAttribute]), Fallback: fb}
			return out, out.Outcome != ""
		},
		Invoked:        IsEvent,
		Refused:        Refused,
		OutcomeWhere:   "sessionAttributes." + platform.LexOutcomeAttribute,
		ResponseSchema: responseSchema,
		Setup: func(w io.Writer, in platform.SetupInfo) {
			fmt.Fprintf(w, "Agent > Action group > Lambda function: %s\n", in.RouterARN)
			fmt.Fprintln(w, "Bedrock may invoke it only from the agents in bedrockAgentArns (infra/env/<name>.yaml).")
			fmt.Fprintln(w, "Action group definition: upload docs/platforms/bedrock-agent/functions.json (function details)")
			fmt.Fprintln(w, "or docs/platforms/bedrock-agent/openapi.json (API schema). Functions (or API paths /<name>):")
			for _, n := range in.Intents {
				fmt.Fprintln(w, "  "+n)
			}
			fmt.Fprintln(w, "Your application passes the signed-in user's token in InvokeAgent's")
			fmt.Fprintln(w, "sessionState.sessionAttributes.identity_token, on every call.")
		},
		Console: simulator,
		Smoke: platform.Smoke{
			FreshIDs: func(doc map[string]any, id, _ string) { doc["sessionId"] = id },
			IdentityToken: func(doc map[string]any, tok string) {
				platform.Obj(doc, "sessionAttributes")[conversation.IdentityField] = tok
			},
			Messages: func(body []byte) ([]string, string, error) {
				var w struct {
					Response struct {
						FunctionResponse *struct {
							ResponseState string                `json:"responseState"`
							ResponseBody  map[string]BodyString `json:"responseBody"`
						} `json:"functionResponse"`
						ResponseBody map[string]BodyString `json:"responseBody"`
					} `json:"response"`
				}
				if err := json.Unmarshal(body, &w); err != nil {
					return nil, "", err
				}
				state, doc, ok := "", w.Response.ResponseBody[ContentJSON], false
				if fr := w.Response.FunctionResponse; fr != nil {
					// A function's TEXT body is the same result as an operation's body.
					state, doc, ok = fr.ResponseState, fr.ResponseBody["TEXT"], true
				} else {
					_, ok = w.Response.ResponseBody[ContentJSON]
				}
				if !ok || doc.Body == "" {
					return nil, state, nil
				}
				var b Body
				if err := json.Unmarshal([]byte(doc.Body), &b); err != nil {
					if w.Response.FunctionResponse != nil {
						// A refusal's TEXT is one sentence (Refused).
						return strings.Split(doc.Body, "\n"), state, nil
					}
					return nil, state, fmt.Errorf("bedrockagent: response body: %w", err)
				}
				if b.Answer == "" {
					return nil, state, nil
				}
				// The answer as a person reads it, its references filled from the
				// fields (toolapi.Fill).
				return strings.Split(toolapi.Fill(b), "\n"), state, nil
			},
		},
	})
}
