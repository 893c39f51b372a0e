package stacks

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

// WebhookAuth is how one platform's calls to the HTTP API authenticate (settings).
type WebhookAuth = settings.WebhookAuth

// WebhookAuths are the platforms that call the HTTP API (settings.WebhookAuths).
var WebhookAuths = settings.WebhookAuths

// WebhookSecrets are the generated webhook secrets, by platform.
type WebhookSecrets map[string]awssecretsmanager.Secret

// newWebhookSecrets creates one generated secret per platform that calls the API. The
// values never appear in a template or an environment: functions read them at run
// time; docs/deploy.md says how to read them for the platforms' consoles.
func newWebhookSecrets(scope constructs.Construct, s Settings) WebhookSecrets {
	out := WebhookSecrets{}
	for _, w := range WebhookAuths {
		tpl := w.Template
		if tpl == nil {
			tpl = map[string]string{}
		}
		raw, _ := json.Marshal(tpl)
		out[w.Platform] = awssecretsmanager.NewSecret(scope, jsii.String("Webhook"+constructID(idSafe(w.Platform))), &awssecretsmanager.SecretProps{
			SecretName:  jsii.String(s.WebhookSecretName(w.Platform)),
			Description: jsii.String("Switchboard " + w.Platform + " webhook credentials (generated; rotate per docs/security.md)"),
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				SecretStringTemplate: jsii.String(string(raw)),
				GenerateStringKey:    jsii.String(w.Key),
				PasswordLength:       jsii.Number(48),
				// Letters and digits only: safe in a URL query, a header and basic auth.
				ExcludePunctuation: jsii.Bool(true),
				IncludeSpace:       jsii.Bool(false),
			},
		})
		// What `switchboard platform-config` prints for this platform: the method the
		// functions check and the secret that holds the credentials (never the value).
		awscdk.NewCfnOutput(scope, jsii.String(config.WebhookAuthOutput(w.Platform)), &awscdk.CfnOutputProps{
			Value:       jsii.String(w.Method + " " + s.WebhookSecretName(w.Platform)),
			Description: jsii.String("Webhook auth of " + w.Platform + ": method and Secrets Manager secret"),
		})
	}
	return out
}

// grantWebhookSecrets lets role read exactly the webhook secrets webhookEnv names —
// GetSecretValue only (no DescribeSecret: nothing reads the metadata).
func grantWebhookSecrets(role awsiam.Role, secs WebhookSecrets) {
	var arns []*string
	for _, w := range WebhookAuths {
		arns = append(arns, secs[w.Platform].SecretArn())
	}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadWebhookSecrets"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &arns,
	}))
}

// grantWebhookSecretNames is grantWebhookSecrets by name, for functions created where
// the secret constructs are not at hand (the smoke functions).
func grantWebhookSecretNames(role awsiam.Role, s Settings) {
	var arns []*string
	for _, w := range WebhookAuths {
		arns = append(arns, secretARN(s.WebhookSecretName(w.Platform)))
	}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadWebhookSecrets"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &arns,
	}))
}

// secretARN is the ARN pattern of the secret named n: Secrets Manager appends six
// random characters to a secret's name in its ARN.
func secretARN(n string) *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":secretsmanager:"), awscdk.Aws_REGION(),
		jsii.String(":"), awscdk.Aws_ACCOUNT_ID(), jsii.String(":secret:" + n + "-??????"),
	})
}

// grantToolSecrets lets role read exactly the named tool secrets (GetSecretValue only).
func grantToolSecrets(role awsiam.Role, names []string) {
	if len(names) == 0 {
		return
	}
	var arns []*string
	for _, n := range names {
		// Secrets Manager appends six random characters to a secret's name in its ARN.
		arns = append(arns, awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":secretsmanager:"), awscdk.Aws_REGION(),
			jsii.String(":"), awscdk.Aws_ACCOUNT_ID(), jsii.String(":secret:" + n + "-??????"),
		}))
	}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadToolSecrets"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &arns,
	}))
}

// AccessLogFormat is the HTTP API's access log line: JSON, the route key (method and
// path pattern) rather than the raw path or query — Rasa's token travels in the query
// string, and nothing personal belongs in a log.
var AccessLogFormat = func() string {
	b, _ := json.Marshal(map[string]string{
		"requestId":          "$context.requestId",
		"requestTime":        "$context.requestTimeEpoch",
		"sourceIp":           "$context.identity.sourceIp",
		"routeKey":           "$context.routeKey",
		"status":             "$context.status",
		"responseLength":     "$context.responseLength",
		"integrationStatus":  "$context.integrationStatus",
		"integrationLatency": "$context.integrationLatency",
		"integrationError":   "$context.integrationErrorMessage",
		"error":              "$context.error.message",
	})
	return string(b)
}()

// accessLogs writes the stage's access log to its own log group, kept like the
// functions' (retention, retained when the stack is removed).
func accessLogs(scope constructs.Construct, s Settings, stage awsapigatewayv2.HttpStage) awslogs.LogGroup {
	lg := awslogs.NewLogGroup(scope, jsii.String("AccessLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/apigateway/" + s.Prefix + "-webhooks"),
		Retention:     retentionDays[s.LogRetentionDays],
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	cfn := stage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
	cfn.AddPropertyOverride(jsii.String("AccessLogSettings"), map[string]any{
		"DestinationArn": lg.LogGroupArn(),
		"Format":         AccessLogFormat,
	})
	return lg
}
