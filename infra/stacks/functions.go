package stacks

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/contract/table"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

// Deployed is one function as deployed: the function, its `live` alias, the alarms
// that roll a deployment back, and its CodeDeploy deployment group.
type Deployed struct {
	Name      string
	Function  awslambda.Function
	Alias     awslambda.Alias
	Role      awsiam.Role
	ErrorRate awscloudwatch.Alarm
	Latency   awscloudwatch.Alarm
	// Rollback lists every alarm the deployment group rolls back on (canary.go).
	Rollback []awscloudwatch.IAlarm
	// Hook is the BeforeAllowTraffic smoke test of the new version (smoke.go).
	Hook  awslambda.Function
	Group awscodedeploy.LambdaDeploymentGroup
}

// FunctionsStack holds the intent functions and the router.
type FunctionsStack struct {
	awscdk.Stack
	Intents map[conversation.Intent]*Deployed
	Router  *Deployed
	// Webhooks are the generated webhook secrets every function checks.
	Webhooks WebhookSecrets
	// Synthetic runs the known conversations against the live aliases on Schedule.
	Synthetic awslambda.Function
	Schedule  awsevents.Rule
}

// FunctionsDeps are the other stacks' resources the functions use.
type FunctionsDeps struct {
	Data  *DataStack
	Topic awssns.ITopic
}

// NewFunctionsStack creates the functions stack for the settings' rollout stage.
func NewFunctionsStack(scope constructs.Construct, id string, s Settings, deps FunctionsDeps, props *awscdk.StackProps) *FunctionsStack {
	st := awscdk.NewStack(scope, jsii.String(id), props)
	fs := &FunctionsStack{Stack: st, Intents: map[conversation.Intent]*Deployed{}}
	fs.Webhooks = newWebhookSecrets(st, s)
	app := awscodedeploy.NewLambdaApplication(st, jsii.String("Deployments"), &awscodedeploy.LambdaApplicationProps{
		ApplicationName: jsii.String(s.Prefix),
	})
	pepper := newCodePepper(st, s)
	// Every function's environment names the hash salt by a dynamic reference, which
	// CloudFormation resolves only once the secret exists.
	salt := newHashSalt(st, s)
	for _, f := range s.Functions() {
		env := s.DeployedEnv(f)
		d := deploy(st, s, app, deps.Topic, f.Name, s.Timeout, env, &f)
		d.Function.Node().AddDependency(salt)
		grantStore(d.Role, deps.Data, f)
		grantIdentity(d, s, f, deps.Data)
		grantCodePepper(d, s, f, pepper)
		grantToolSecrets(d.Role, s.SecretNames(f))
		grantWebhookSecrets(d.Role, fs.Webhooks)
		fs.Intents[f.Intent] = d
	}

	// The router only forwards: it needs no table, no secret, only the enabled aliases.
	routes := map[conversation.Intent]string{}
	var targets []*string
	for _, f := range s.Functions() {
		alias := fs.Intents[f.Intent].Alias
		routes[f.Intent] = *alias.FunctionArn()
		targets = append(targets, alias.FunctionArn())
	}
	env := s.RouterDeployedEnv(routes)
	fs.Router = deploy(st, s, app, deps.Topic, RouterName, s.Timeout+RouterExtra, env, nil)
	fs.Router.Function.Node().AddDependency(salt)
	grantWebhookSecrets(fs.Router.Role, fs.Webhooks)
	fs.Router.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("InvokeEnabledIntentAliases"),
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &targets,
	}))
	for i, arn := range s.LexBotAliasARNs {
		fs.Router.Alias.AddPermission(jsii.String(fmt.Sprintf("LexInvoke%d", i)), &awslambda.Permission{
			Principal: awsiam.NewServicePrincipal(jsii.String("lexv2.amazonaws.com"), nil),
			Action:    jsii.String("lambda:InvokeFunction"),
			SourceArn: jsii.String(arn),
		})
	}
	// A Bedrock agent's action group invokes the router too: only the agents listed,
	// by SourceArn (and their account, SourceAccount).
	for i, arn := range s.BedrockAgentARNs {
		account, _ := settings.BedrockAgentAccount(arn) // validated with the settings
		fs.Router.Alias.AddPermission(jsii.String(fmt.Sprintf("BedrockAgentInvoke%d", i)), &awslambda.Permission{
			Principal:     awsiam.NewServicePrincipal(jsii.String("bedrock.amazonaws.com"), nil),
			Action:        jsii.String("lambda:InvokeFunction"),
			SourceArn:     jsii.String(arn),
			SourceAccount: jsii.String(account),
		})
	}
	awscdk.NewCfnOutput(st, jsii.String("RouterAliasArn"), &awscdk.CfnOutputProps{
		Value:       fs.Router.Alias.FunctionArn(),
		Description: jsii.String("Configure this ARN as the Lex V2 bot locale's code hook Lambda, or a Bedrock agent action group's Lambda"),
	})
	fs.addSynthetic(s)
	return fs
}

// deploy creates one function with its log group, role, `live` alias, rollback alarms,
// pre-traffic smoke test and deployment group; f is nil for the router.
func deploy(st awscdk.Stack, s Settings, app awscodedeploy.ILambdaApplication, topic awssns.ITopic,
	name string, timeout time.Duration, env map[string]string, f *Function) *Deployed {
	scope := constructs.NewConstruct(st, jsii.String(constructID(name)))
	fnName := s.FunctionName(name)
	logs := awslogs.NewLogGroup(scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		LogGroupName: jsii.String("/aws/lambda/" + fnName),
		Retention:    retentionDays[s.LogRetentionDays],
		// Kept when the stack is removed: the logs of an incident outlive the deploy.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	// An explicit role instead of the default managed policy: the default lets a
	// function write to every log group in the account.
	role := awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Switchboard " + name + " function"),
	})
	logs.GrantWrite(role)
	fn := awslambda.NewFunction(scope, jsii.String("Function"), &awslambda.FunctionProps{
		FunctionName: jsii.String(fnName),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(s.AssetDir, name)), nil),
		MemorySize:   jsii.Number(float64(s.MemoryMB)),
		Timeout:      awscdk.Duration_Millis(jsii.Number(float64(timeout.Milliseconds()))),
		Tracing:      awslambda.Tracing_ACTIVE,
		LogGroup:     logs,
		Role:         role,
		Environment:  strMap(env),
		Description:  jsii.String("Switchboard " + name + " (" + string(s.Rollout) + " stage)"),
	})
	alias := awslambda.NewAlias(scope, jsii.String("Live"), &awslambda.AliasProps{
		AliasName: jsii.String(AliasName),
		Version:   fn.CurrentVersion(),
	})

	// Every rollback alarm watches the version being deployed, not the alias: during a
	// canary the alias sends it a tenth of the traffic, so a version failing every
	// invocation would move an alias-wide ratio by only that share. Lambda publishes
	// the alias's metrics per ExecutedVersion; the version number is resolved at deploy
	// time, so each deployment's alarms watch the version it brings.
	version := fn.CurrentVersion().Version()
	versionDims := map[string]*string{
		"FunctionName": jsii.String(fnName), "Resource": jsii.String(fnName + ":" + AliasName), "ExecutedVersion": version,
	}
	lambdaMetric := func(name, stat string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String(name), DimensionsMap: &versionDims,
			Statistic: jsii.String(stat), Period: awscdk.Duration_Minutes(jsii.Number(1)),
		})
	}
	errRate := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("100 * FILL(errors, 0) / MAX([FILL(invocations, 0), 1])"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors":      lambdaMetric("Errors", "Sum"),
			"invocations": lambdaMetric("Invocations", "Sum"),
		},
		Label:  jsii.String(name + " error rate (%)"),
		Period: awscdk.Duration_Minutes(jsii.Number(1)),
	})
	errAlarm := awscloudwatch.NewAlarm(scope, jsii.String("ErrorRateAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(s.alarmName(AlarmErrorRate, name)),
		AlarmDescription:   jsii.String(s.alarmDescription(AlarmErrorRate, fmt.Sprintf("More than %g%% of %s:%s invocations failed in a minute; CodeDeploy rolls back a deployment in progress.", s.ErrorRatePercent, fnName, AliasName))),
		Metric:             errRate,
		Threshold:          jsii.Number(s.ErrorRatePercent),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	latAlarm := awscloudwatch.NewAlarm(scope, jsii.String("LatencyAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(s.alarmName(AlarmLatency, name)),
		AlarmDescription:   jsii.String(s.alarmDescription(AlarmLatency, fmt.Sprintf("p99 duration of %s:%s exceeded %d ms (the tightest platform deadline less the reply margin) for 2 of 3 minutes; CodeDeploy rolls back a deployment in progress.", fnName, AliasName, s.LatencyThreshold.Milliseconds()))),
		Metric:             lambdaMetric("Duration", "p99"),
		Threshold:          jsii.Number(float64(s.LatencyThreshold.Milliseconds())),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(3),
		DatapointsToAlarm:  jsii.Number(2),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	rollback := []awscloudwatch.IAlarm{errAlarm, latAlarm}
	smokeIntents := s.EnabledIntents()
	functionVersion := *awscdk.Fn_Join(jsii.String(":"), &[]*string{jsii.String(fnName), version})
	if f != nil {
		rollback = append(rollback, canaryAlarms(scope, s, *f, functionVersion)...)
		smokeIntents = []conversation.Intent{f.Intent}
	} else {
		rollback = append(rollback, routerAlarms(scope, s, name, functionVersion)...)
	}
	for _, a := range rollback {
		notify(a.(actionable), topic)
		// The alarms move to the new version before the alias update starts the
		// deployment that they judge.
		alias.Node().AddDependency(a)
	}
	hook := smokeHook(scope, s, name, fn.CurrentVersion(), smokeIntents)
	alias.Node().AddDependency(hook)

	group := awscodedeploy.NewLambdaDeploymentGroup(scope, jsii.String("Deployment"), &awscodedeploy.LambdaDeploymentGroupProps{
		Application:         app,
		DeploymentGroupName: jsii.String(fnName),
		Alias:               alias,
		DeploymentConfig:    deploymentConfigs[s.Deployment](),
		Alarms:              &rollback,
		PreHook:             hook,
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(true),
			StoppedDeployment: jsii.Bool(true),
			DeploymentInAlarm: jsii.Bool(true),
		},
	})
	return &Deployed{Name: name, Function: fn, Alias: alias, Role: role, ErrorRate: errAlarm, Latency: latAlarm,
		Rollback: rollback, Hook: hook, Group: group}
}

// grantStore lets a function use only its own items: every key it writes starts with
// table.KeyPrefix(<canonical intent>), and dynamodb:LeadingKeys pins the partition keys it may touch
// to that prefix. The table's customer-managed key is usable only through DynamoDB.
// A function that verifies callers also uses the identity layer's items (one-time codes,
// code-verified sessions: "identity#…").
func grantStore(role awsiam.Role, data *DataStack, f Function) {
	keys := []string{table.LeadingKeysPattern(string(f.Intent))}
	if f.Identity {
		keys = append(keys, table.LeadingKeysPattern(table.IdentityPrefix))
	}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("OwnItemsOnly"),
		Actions:   jsii.Strings(table.DataActions()...),
		Resources: &[]*string{data.Table.TableArn()},
		Conditions: &map[string]any{
			"ForAllValues:StringLike": map[string]any{
				"dynamodb:LeadingKeys": keys,
			},
		},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("TableKeyViaDynamoDB"),
		// What DynamoDB needs of a customer-managed table key; no kms:ReEncrypt*.
		Actions:   jsii.Strings("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"),
		Resources: &[]*string{data.Key.KeyArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{
					jsii.String("dynamodb."), awscdk.Aws_REGION(), jsii.String(".amazonaws.com"),
				}),
			},
		},
	}))
}

func strMap(m map[string]string) *map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}

// constructID turns a function name into a construct id ("lookupcustomer" → "Lookupcustomer").
func constructID(name string) string {
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// idSafe keeps only letters and digits, for construct ids derived from names.
func idSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
