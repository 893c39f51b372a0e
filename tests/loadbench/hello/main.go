// Command hello is the baseline for the cold-start figure of `make bench`: the smallest
// aws-lambda-go function, built with the same flags as Switchboard's functions.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, event json.RawMessage) (string, error) {
		return "hello", nil
	})
}
