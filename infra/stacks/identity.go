package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/config"
)

// newAuditLog creates the audit trail's own log group: apart from the debug logs, kept
// 365 days, encrypted with its own customer-managed key, retained when the stack goes.
func newAuditLog(st awscdk.Stack, s Settings) awslogs.LogGroup {
	key := awskms.NewKey(st, jsii.String("AuditKey"), &awskms.KeyProps{
		Description:       jsii.String("Switchboard " + s.Prefix + " audit trail"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	groupARN := awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":logs:"), awscdk.Aws_REGION(), jsii.String(":"),
		awscdk.Aws_ACCOUNT_ID(), jsii.String(":log-group:" + s.AuditLogGroup()),
	})
	// CloudWatch Logs encrypts with the key only for this log group.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CloudWatchLogsForTheAuditGroup"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("logs."), awscdk.Aws_REGION(), jsii.String(".amazonaws.com")}), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": groupARN}},
	}), nil)
	return awslogs.NewLogGroup(st, jsii.String("AuditLog"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(s.AuditLogGroup()),
		Retention:     retentionDays[AuditRetentionDays],
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
}

// identityEnv configures a function's identity section: the audit sink for every
// function; for those that verify callers, the token settings and the code sender.
func identityEnv(env map[string]string, s Settings, f Function) {
	p := config.EnvPrefix + "IDENTITY_"
	// Never the demo key on AWS, whatever the tools are.
	env[p+"TOKEN_DEMO_KEY"] = "false"
	env[p+"CODES_SENDER"] = config.SenderNone
	if !f.Identity {
		// Reads no customer data: nothing to audit.
		env[p+"AUDIT_SINK"] = config.AuditNone
		return
	}
	env[p+"AUDIT_SINK"] = config.AuditCloudWatch
	env[p+"AUDIT_LOG_GROUP"] = s.AuditLogGroup()
	if s.IdentitySecret != "" {
		env[config.EnvPrefix+"CONNECTORS_SECRETS_PROVIDER"] = config.SecretsAWS
		env[p+"TOKEN_SECRET_ID"] = s.IdentitySecret
	}
	for k, v := range map[string]string{"TOKEN_JWKS_URL": s.JWKSURL, "TOKEN_ISSUER": s.TokenIssuer, "TOKEN_AUDIENCE": s.TokenAudience} {
		if v != "" {
			env[p+k] = v
		}
	}
	if f.Codes && s.SESIdentity != "" {
		env[p+"CODES_SENDER"] = config.SenderSES
		env[p+"CODES_FROM"] = s.CodesFrom
	}
}

// grantIdentity lets a function that verifies callers write the audit trail and, if it
// sends codes, send email from the SES identity and nothing else. (The identity key
// secret is granted with the tools' secrets: Settings.SecretNames lists it.)
func grantIdentity(st awscdk.Stack, d *Deployed, s Settings, f Function, audit awslogs.LogGroup) {
	if !f.Identity {
		return
	}
	audit.GrantWrite(d.Role)
	if f.Codes && s.SESIdentity != "" {
		d.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:     jsii.String("SendCodesFromTheIdentityOnly"),
			Actions: jsii.Strings("ses:SendEmail"),
			Resources: &[]*string{awscdk.Fn_Join(jsii.String(""), &[]*string{
				jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":ses:"), awscdk.Aws_REGION(), jsii.String(":"),
				awscdk.Aws_ACCOUNT_ID(), jsii.String(":identity/" + s.SESIdentity),
			})},
		}))
	}
}
