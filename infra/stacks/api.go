package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
)

// Webhook paths on the HTTP API (the same paths `switchboard serve` answers).
const (
	PathDialogflow   = "/webhooks/dialogflow"
	PathDialogflowCX = "/webhooks/dialogflow-cx"
	PathCXIntent     = "/webhooks/dialogflow-cx/{intent}"
	PathRasa         = "/webhooks/rasa"
)

// APIStack is the HTTP API the webhook platforms call.
type APIStack struct {
	awscdk.Stack
	API   awsapigatewayv2.HttpApi
	Stage awsapigatewayv2.HttpStage
	// AccessLogs receives the stage's access log (JSON, no query strings).
	AccessLogs awslogs.LogGroup
	// CXRoutes maps each deployed intent's CX tag path to its function name.
	CXRoutes map[string]string
}

// NewAPIStack creates the API stack. Dialogflow ES and Rasa call one URL for every
// intent, so their routes go to the router. Dialogflow CX can call a URL per webhook:
// /webhooks/dialogflow-cx/<tag> goes straight to that intent's alias (no router hop);
// any other tag, and the tag-less path, go to the router, which answers "not available
// here" in CX's format.
func NewAPIStack(scope constructs.Construct, id string, s Settings, fns *FunctionsStack, props *awscdk.StackProps) *APIStack {
	st := awscdk.NewStack(scope, jsii.String(id), props)
	as := &APIStack{Stack: st, CXRoutes: map[string]string{}}
	as.API = awsapigatewayv2.NewHttpApi(st, jsii.String("Webhooks"), &awsapigatewayv2.HttpApiProps{
		ApiName:            jsii.String(s.Prefix + "-webhooks"),
		Description:        jsii.String("Switchboard webhooks for Dialogflow ES/CX and Rasa"),
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
	for _, p := range []string{PathDialogflow, PathRasa, PathDialogflowCX, PathCXIntent} {
		as.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(p),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
			Integration: router,
		})
	}
	cx := config.Default().Intents.Names(conversation.DialogflowCX)
	for _, f := range s.Functions() {
		tag := reverse(cx, f.Intent)
		path := PathDialogflowCX + "/" + tag
		as.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
			Integration: integrate(constructID(f.Name), fns.Intents[f.Intent].Alias),
		})
		as.CXRoutes[path] = s.FunctionName(f.Name)
	}
	awscdk.NewCfnOutput(st, jsii.String("WebhookBaseUrl"), &awscdk.CfnOutputProps{
		Value:       as.API.ApiEndpoint(),
		Description: jsii.String("Append /webhooks/dialogflow, /webhooks/dialogflow-cx/<tag> or /webhooks/rasa"),
	})
	return as
}

func reverse(names map[string]conversation.Intent, in conversation.Intent) string {
	for k, v := range names {
		if v == in {
			return k
		}
	}
	return string(in)
}
