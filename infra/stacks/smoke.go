package stacks

import (
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/contract/envnames"
	"github.com/switchboard-dev/switchboard/shared/contract/smoketarget"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/platform/names"
)

// SmokeName is the smoke function's directory under functions/ and build/.
const SmokeName = "smoke"

// SyntheticName is the function name suffix of the scheduled synthetic conversations.
const SyntheticName = "synthetic"

// SmokeTimeout bounds one smoke run (hook or synthetic).
const SmokeTimeout = 5 * time.Minute

// SyntheticIntents are the intents the synthetic conversations hold (and alarm on):
// every deployed intent, but create_ticket only with a ticket sandbox.
func (s Settings) SyntheticIntents() []conversation.Intent {
	var out []conversation.Intent
	for _, in := range s.EnabledIntents() {
		if i, _ := spec.Lookup(string(in)); i.Write && s.Smoke.TicketSandbox == "" {
			continue
		}
		out = append(out, in)
	}
	return out
}

// smokeFunction creates one smoke function (log group, role, function) named
// <prefix>-<suffix>, holding targets; the role may invoke exactly invokable.
func smokeFunction(scope constructs.Construct, s Settings, suffix string, targets []smoketarget.Target, invokable []*string) awslambda.Function {
	fnName := s.FunctionName(suffix)
	logs := awslogs.NewLogGroup(scope, jsii.String("SmokeLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/lambda/" + fnName),
		Retention:     retentionDays[s.LogRetentionDays],
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	role := awsiam.NewRole(scope, jsii.String("SmokeRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Switchboard " + suffix + " smoke function"),
	})
	logs.GrantWrite(role)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("InvokeTestedFunctions"),
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &invokable,
	}))
	env := s.Smoke.Env()
	// The smoke conversations present the webhook credentials the functions check.
	settings.WebhookEnv(s.Settings, env)
	grantWebhookSecretNames(role, s)
	env[config.EnvPrefix+"SERVICE"] = s.Prefix
	env[envnames.SmokeTargets] = smoketarget.Format(targets)
	if s.IdentitySecret != "" {
		// The smoke customer signs in as the site would: the conversations need the
		// identity token key to get the full answers.
		env[config.EnvPrefix+"CONNECTORS_SECRETS_PROVIDER"] = config.SecretsAWS
		env[config.EnvPrefix+"IDENTITY_TOKEN_SECRET_ID"] = s.IdentitySecret
		for k, v := range map[string]string{"IDENTITY_TOKEN_ISSUER": s.TokenIssuer, "IDENTITY_TOKEN_AUDIENCE": s.TokenAudience} {
			if v != "" {
				env[config.EnvPrefix+k] = v
			}
		}
		// GetSecretValue only (no DescribeSecret), as for the functions' own secrets.
		grantToolSecrets(role, []string{s.IdentitySecret})
	}
	return awslambda.NewFunction(scope, jsii.String("SmokeFunction"), &awslambda.FunctionProps{
		FunctionName: jsii.String(fnName),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(s.AssetDir, SmokeName)), nil),
		MemorySize:   jsii.Number(256),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(SmokeTimeout.Seconds())),
		LogGroup:     logs,
		Role:         role,
		Environment:  strMap(env),
		Description:  jsii.String("Switchboard smoke conversations: " + suffix),
	})
}

// smokeHook creates the BeforeAllowTraffic hook of one deployment group: a smoke
// function that holds every platform's conversation of intents with exactly the new
// version. The alias waits for it, so CodeDeploy never runs the previous
// configuration of the hook against the new version.
func smokeHook(scope constructs.Construct, s Settings, name string, version awslambda.IVersion, intents []conversation.Intent) awslambda.Function {
	var targets []smoketarget.Target
	for _, in := range intents {
		for _, p := range DeployedPlatforms() {
			targets = append(targets, smoketarget.Target{Intent: in, Platform: p, Function: *version.FunctionArn()})
		}
	}
	return smokeFunction(scope, s, SmokeName+"-"+name, targets, []*string{version.FunctionArn()})
}

// addSynthetic creates the synthetic conversations: a smoke function run on a schedule
// against the `live` aliases, each platform by the way it reaches production (Dialogflow
// CX straight to the intent's function, the others through the router).
func (fs *FunctionsStack) addSynthetic(s Settings) {
	scope := constructs.NewConstruct(fs.Stack, jsii.String("Synthetic"))
	var targets []smoketarget.Target
	invokable := []*string{fs.Router.Alias.FunctionArn()}
	for _, in := range s.SyntheticIntents() {
		direct := fs.Intents[in].Alias.FunctionArn()
		invokable = append(invokable, direct)
		for _, p := range DeployedPlatforms() {
			fn := fs.Router.Alias.FunctionArn()
			if spec, _ := names.Lookup(string(p)); spec.IntentPath {
				fn = direct // API Gateway sends its per-intent path straight to the function
			}
			targets = append(targets, smoketarget.Target{Intent: in, Platform: p, Function: *fn})
		}
	}
	fn := smokeFunction(scope, s, SyntheticName, targets, invokable)
	fs.Synthetic = fn
	fs.Schedule = awsevents.NewRule(scope, jsii.String("Schedule"), &awsevents.RuleProps{
		RuleName:    jsii.String(s.Prefix + "-synthetic"),
		Description: jsii.String("Switchboard synthetic conversations every " + strconv.Itoa(s.Smoke.SyntheticMinutes) + " minutes"),
		Schedule:    awsevents.Schedule_Rate(awscdk.Duration_Minutes(jsii.Number(float64(s.Smoke.SyntheticMinutes)))),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			Event:         awsevents.RuleTargetInput_FromObject(map[string]string{"switchboard": "synthetic"}),
			RetryAttempts: jsii.Number(0),
		})},
	})
}
