// Command hello is the baseline of every cold-start comparison (tests/lambda_test.go and
// make bench): the smallest Go bootstrap (aws-lambda-go, echoing its event), built with
// the same flags as the Switchboard functions.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, ev json.RawMessage) (json.RawMessage, error) { return ev, nil })
}
