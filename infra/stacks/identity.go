package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/contract/audittable"
)

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

// grantIdentity lets a function that verifies callers add events to the audit table
// (PutItem only: no read, update or delete; the audit key only through DynamoDB) and,
// if it sends codes, send email from the SES identity and nothing else. (The identity
// key secret is granted with the tools' secrets: Settings.SecretNames lists it.)
func grantIdentity(d *Deployed, s Settings, f Function, data *DataStack) {
	if !f.Identity {
		return
	}
	d.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AppendAuditEvents"),
		Actions:   jsii.Strings(audittable.WriteActions()...),
		Resources: &[]*string{data.AuditTable.TableArn()},
	}))
	d.Role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("AuditKeyViaDynamoDB"),
		// What DynamoDB needs of a customer-managed table key to write; no kms:ReEncrypt*.
		Actions:   jsii.Strings("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"),
		Resources: &[]*string{data.AuditKey.KeyArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{
					jsii.String("dynamodb."), awscdk.Aws_REGION(), jsii.String(".amazonaws.com"),
				}),
			},
		},
	}))
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
