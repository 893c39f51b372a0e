package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// WebhookPaths are the HTTP API's POST routes to the router for webhooks, the same
// paths `switchboard serve` answers: /webhooks/<name> of every platform that calls the
// API (shared/platform/names), and /webhooks/<name>/{intent} of one that routes per
// intent (Dialogflow CX).
func WebhookPaths() []string {
	var out []string
	for _, r := range RouterRoutes() {
		if m, p, _ := strings.Cut(r, " "); m == "POST" && strings.HasPrefix(p, names.PathPrefix) {
			out = append(out, p)
		}
	}
	return out
}

// RouterRoutes are every HTTP API route ("METHOD /path") to the router: each deployed
// platform's (names.Spec.HTTPRoutes): the webhooks, and the tool API's operations
// (POST /api/v1/{intent}), its OpenAPI description (GET /openapi.json) and its MCP
// server (POST, GET and DELETE /mcp).
func RouterRoutes() []string {
	var out []string
	for _, p := range names.Deployed() {
		out = append(out, p.HTTPRoutes()...)
	}
	return out
}

// DeployedPlatforms lists the platforms the stacks deploy (shared/platform/names
// Deployed): smoke and synthetic conversations, routes and secrets cover these; a
// LocalOnly platform is answered by `switchboard serve` alone.
func DeployedPlatforms() []conversation.Platform {
	var out []conversation.Platform
	for _, p := range names.Deployed() {
		out = append(out, conversation.Platform(p.Name))
	}
	return out
}

// APIStack is the HTTP API the webhook platforms call.
type APIStack struct {
	awscdk.Stack
	API   awsapigatewayv2.HttpApi
	Stage awsapigatewayv2.HttpStage
	// AccessLogs receives the stage's access log (JSON, no query strings).
	AccessLogs awslogs.LogGroup
	// IntentRoutes maps each deployed intent's own path (/webhooks/<name>/<tag> of a
	// platform that routes per intent: Dialogflow CX) to its function name.
	IntentRoutes map[string]string
}

// NewAPIStack creates the API stack. Dialogflow ES and Rasa call one URL for every
// intent, so their routes go to the router. A platform that routes per intent
// (names.Spec.IntentPath: Dialogflow CX) can call a URL per webhook:
// /webhooks/<name>/<tag> goes straight to that intent's alias (no router hop); any
// other tag, and the tag-less path, go to the router, which answers "not available
// here" in the platform's format.
func NewAPIStack(scope constructs.Construct, id string, s Settings, fns *FunctionsStack, props *awscdk.StackProps) *APIStack {
	st := awscdk.NewStack(scope, jsii.String(id), props)
	as := &APIStack{Stack: st, IntentRoutes: map[string]string{}}
	as.API = awsapigatewayv2.NewHttpApi(st, jsii.String("Webhooks"), &awsapigatewayv2.HttpApiProps{
		ApiName:            jsii.String(s.Prefix + "-webhooks"),
		Description:        jsii.String("Switchboard webhooks for " + httpTitles()),
		CreateDefaultStage: jsii.Bool(false),
	})
	// Throttling sits on the stage: the one place every route passes through, and it
	// protects the business tools' quotas from a runaway bot.
	as.Stage = awsapigatewayv2.NewHttpStage(st, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    as.API,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(s.ThrottleRate),
			BurstLimit: jsii.Number(s.ThrottleBurst),
		},
	})
	as.AccessLogs = accessLogs(st, s, as.Stage)
	integrate := func(id string, alias awslambda.IFunction) awsapigatewayv2.HttpRouteIntegration {
		return awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(id), alias,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})
	}
	router := integrate("Router", fns.Router.Alias)
	integrations := map[string]awsapigatewayv2.HttpRouteIntegration{} // one per intent function
	for _, r := range RouterRoutes() {
		m, p, _ := strings.Cut(r, " ")
		as.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(p),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(m)},
			Integration: router,
		})
	}
	for _, p := range names.Deployed() {
		if !p.HTTP || !p.IntentPath {
			continue
		}
		tags := config.Default().Intents.Names(conversation.Platform(p.Name))
		for _, f := range s.Functions() {
			path := p.Path() + "/" + reverse(tags, f.Intent)
			integ := integrations[f.Name]
			if integ == nil {
				integ = integrate(constructID(f.Name), fns.Intents[f.Intent].Alias)
				integrations[f.Name] = integ
			}
			as.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
				Path:        jsii.String(path),
				Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
				Integration: integ,
			})
			as.IntentRoutes[path] = s.FunctionName(f.Name)
		}
	}
	awscdk.NewCfnOutput(st, jsii.String("WebhookBaseUrl"), &awscdk.CfnOutputProps{
		Value:       as.API.ApiEndpoint(),
		Description: jsii.String("Append " + appendPaths()),
	})
	return as
}

// httpTitles names the platforms that call the HTTP API ("Dialogflow ES, Dialogflow
// CX and Rasa").
func httpTitles() string {
	var t []string
	for _, p := range names.Deployed() {
		if p.HTTP {
			t = append(t, p.Title)
		}
	}
	return joinAnd(t, "and")
}

// appendPaths is the WebhookBaseUrl output's hint: the path each HTTP platform
// appends ("/webhooks/dialogflow, /webhooks/dialogflow-cx/<tag> or /webhooks/rasa").
func appendPaths() string {
	var t []string
	for _, p := range names.Deployed() {
		switch {
		case p.HTTP && len(p.APIRoutes) > 0:
			t = append(t, "/api/v1/<intent> (described at /openapi.json; MCP at /mcp)")
		case p.HTTP && p.IntentPath:
			t = append(t, p.Path()+"/<tag>")
		case p.HTTP:
			t = append(t, p.Path())
		}
	}
	return joinAnd(t, "or")
}

func joinAnd(items []string, and string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}

func reverse(names map[string]conversation.Intent, in conversation.Intent) string {
	for k, v := range names {
		if v == in {
			return k
		}
	}
	return string(in)
}
