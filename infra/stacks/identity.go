package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
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

// sendsCodes reports whether function f sends one-time codes (by SES).
func (s Settings) sendsCodes(f Function) bool { return s.SendsCodes(f) }

// newCodePepper creates the secret whose "pepper" keys the HMAC that one-time codes,
// emails and verified sessions are stored under (identity.codes.pepper_secret_id),
// when a function of this stage sends codes; nil otherwise. Like the webhook secrets
// it is generated, appears in no template or environment, and goes with the stack: a
// new value only ends live codes and verified sessions.
func newCodePepper(scope constructs.Construct, s Settings) awssecretsmanager.Secret {
	sends := false
	for _, f := range s.Functions() {
		sends = sends || s.sendsCodes(f)
	}
	if !sends {
		return nil
	}
	return awssecretsmanager.NewSecret(scope, jsii.String("CodePepper"), &awssecretsmanager.SecretProps{
		SecretName:  jsii.String(s.CodePepperSecretName()),
		Description: jsii.String("Switchboard one-time code pepper (generated; rotating it ends live codes and verified sessions)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String("{}"),
			GenerateStringKey:    jsii.String("pepper"),
			PasswordLength:       jsii.Number(48),
			ExcludePunctuation:   jsii.Bool(true),
			IncludeSpace:         jsii.Bool(false),
		},
	})
}

// newHashSalt creates the secret whose "salt" keys the hash of session, turn and
// customer ids in logs and audit events (telemetry.hash_salt). The functions get it
// through a CloudFormation dynamic reference in their environment
// (Settings.HashSaltRef), resolved when they are deployed: the value is in no template
// and costs no call at run time, but anyone allowed lambda:GetFunctionConfiguration
// can read it (docs/observability.md). A new value breaks the join between events
// hashed before and after it, nothing else.
func newHashSalt(scope constructs.Construct, s Settings) awssecretsmanager.Secret {
	return awssecretsmanager.NewSecret(scope, jsii.String("HashSalt"), &awssecretsmanager.SecretProps{
		SecretName:  jsii.String(s.HashSaltSecretName()),
		Description: jsii.String("Switchboard log and audit id hash key (generated; a new value breaks joins across it)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			SecretStringTemplate: jsii.String("{}"),
			GenerateStringKey:    jsii.String("salt"),
			PasswordLength:       jsii.Number(48),
			ExcludePunctuation:   jsii.Bool(true),
			IncludeSpace:         jsii.Bool(false),
		},
	})
}

// grantCodePepper lets a function that sends codes read the code pepper, and nothing
// else of it (GetSecretValue only).
func grantCodePepper(d *Deployed, s Settings, f Function, pepper awssecretsmanager.Secret) {
	if !s.sendsCodes(f) || pepper == nil {
		return
	}
	d.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadCodePepper"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{pepper.SecretArn()},
	}))
}

// grantIdentity lets a function that verifies callers write the audit trail and, if it
// sends codes, send email from the SES identity and nothing else. (The identity key
// secret is granted with the tools' secrets: Settings.SecretNames lists it.)
func grantIdentity(st awscdk.Stack, d *Deployed, s Settings, f Function, audit awslogs.LogGroup) {
	if !f.Identity {
		return
	}
	audit.GrantWrite(d.Role)
	if s.sendsCodes(f) {
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
