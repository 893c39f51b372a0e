package awsenv_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/router"
	"github.com/switchboard-dev/switchboard/shared/secrets"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// cfg is what awsenv.Load makes of a Lambda environment, with the given keys.
func cfg(id, secret string) aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		Retryer: awsenv.NewRetryer}
}

// An independent check of the signing of the three production clients (the store's
// DynamoDB client, the Secrets Manager provider's, the router's Lambda client):
// moto_server with authentication on verifies SigV4 with botocore's implementation.
// The right key is accepted; a wrong secret is refused with 403.
func TestSignatureAcceptedByAnIndependentVerifier(t *testing.T) {
	endpoint, id, secret := testenv.MotoWithAuth(t)
	ctx := context.Background()
	for _, tc := range []struct {
		secret string
		ok     bool
	}{{secret, true}, {"not-" + secret, false}} {
		c := cfg(id, tc.secret)
		c.Retryer = nil
		c.RetryMaxAttempts = 1
		check := func(what string, err error) {
			t.Helper()
			var re interface{ HTTPStatusCode() int }
			denied := errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s signed with the right key: %v", what, err)
			case !tc.ok && !denied:
				t.Errorf("%s signed with a wrong secret: %v, want 403", what, err)
			}
		}
		_, err := dynamostore.NewClientWith(c, endpoint).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("absent"),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a b/ç"}}})
		var missing *types.ResourceNotFoundException
		if tc.ok && errors.As(err, &missing) {
			err = nil // past the signature check: the table does not exist
		}
		check("DynamoDB GetItem", err)
		_, err = secrets.NewSecretsManager(c, endpoint).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		check("Secrets Manager ListSecrets", err)
		// Lambda Invoke (REST, a path label and a query): past the signature check, moto
		// answers that the function does not exist.
		_, err = router.NewLambdaInvoker(router.NewLambdaClient(c, endpoint)).Invoke(ctx, "sb-absent", "live", []byte(`{"x":1}`))
		var api smithy.APIError
		switch {
		case !tc.ok:
			check("Lambda Invoke", err)
		case !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFoundException":
			t.Errorf("Lambda Invoke signed with the right key: %v, want ResourceNotFoundException", err)
		}
	}
}

// The retryer Load configures: throttling, 5xx and dropped connections are retried,
// three attempts in all; a client error is final.
func TestRetryerBudget(t *testing.T) {
	status := func(code int, body string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		}
	}
	ok := func(w http.ResponseWriter) { fmt.Fprint(w, `{}`) }
	hangUp := func(w http.ResponseWriter) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}
	cases := []struct {
		name     string
		answers  []func(w http.ResponseWriter)
		attempts int
		code     string // "" = success
	}{
		{"500 then ok", []func(http.ResponseWriter){status(500, `{"__type":"InternalServerError","message":"boom"}`), ok}, 2, ""},
		{"throttled twice then ok", []func(http.ResponseWriter){
			status(400, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`),
			status(400, `{"__type":"ThrottlingException","message":"Rate exceeded"}`), ok}, 3, ""},
		{"throttled past the limit", []func(http.ResponseWriter){
			status(400, `{"__type":"ThrottlingException"}`), status(400, `{"__type":"ThrottlingException"}`),
			status(400, `{"__type":"ThrottlingException"}`), ok}, 3, "ThrottlingException"},
		{"validation is final", []func(http.ResponseWriter){
			status(400, `{"__type":"com.amazon.coral.validate#ValidationException","message":"bad key"}`), ok}, 1, "ValidationException"},
		{"conditional check is final", []func(http.ResponseWriter){
			status(400, `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"id":{"S":"k"}}}`), ok}, 1, "ConditionalCheckFailedException"},
		{"connection dropped then ok", []func(http.ResponseWriter){hangUp, ok}, 2, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				tc.answers[min(i, len(tc.answers)-1)](w)
			}))
			defer srv.Close()
			_, err := dynamostore.NewClientWith(cfg("AKID", "SECRET"), srv.URL).PutItem(context.Background(),
				&dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "k"}}})
			if int(n.Load()) != tc.attempts {
				t.Errorf("%d attempts, want %d", n.Load(), tc.attempts)
			}
			var api smithy.APIError
			switch {
			case tc.code == "" && err != nil:
				t.Errorf("want success, got %v", err)
			case tc.code != "" && (!errors.As(err, &api) || api.ErrorCode() != tc.code):
				t.Errorf("want %s, got %v", tc.code, err)
			}
		})
	}
}
