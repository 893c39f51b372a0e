// Package cwaudit writes the audit trail to its own CloudWatch Logs group
// (aws-sdk-go-v2/service/cloudwatchlogs). Importing it registers the "cloudwatch" audit
// sink (identity.audit.sink: cloudwatch); a binary that audits nothing leaves it out.
package cwaudit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/identity"
)

func init() {
	identity.RegisterAuditor(identity.AuditCloudWatch, func(ctx context.Context, c identity.AuditorOptions) (identity.Auditor, error) {
		cfg, err := awsenv.Load(ctx)
		if err != nil {
			return nil, fmt.Errorf("identity: audit: %w", err)
		}
		return New(cfg, c.Endpoint, c.LogGroup), nil
	})
}

// CloudWatch writes events to their own CloudWatch Logs group (365-day retention and
// KMS encryption are the group's, set by the CDK app), one log stream per process,
// created on first use.
type CloudWatch struct {
	Client *cloudwatchlogs.Client
	Group  string

	mu     sync.Mutex
	stream string
}

// New returns the sink on cfg (awsenv.Load), at endpoint when not empty.
func New(cfg aws.Config, endpoint, group string) *CloudWatch {
	c := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &CloudWatch{Client: c, Group: group}
}

// Record puts one log event.
func (c *CloudWatch) Record(ctx context.Context, e identity.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stream == "" {
		var rnd [8]byte
		_, _ = rand.Read(rnd[:])
		name := time.Now().UTC().Format("2006/01/02") + "/" + hex.EncodeToString(rnd[:])
		_, err := c.Client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: aws.String(c.Group), LogStreamName: aws.String(name),
		})
		var exists *cwtypes.ResourceAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("identity: audit log stream: %w", err)
		}
		c.stream = name
	}
	_, err = c.Client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName:  aws.String(c.Group),
		LogStreamName: aws.String(c.stream),
		LogEvents: []cwtypes.InputLogEvent{{
			Message: aws.String(string(b)), Timestamp: aws.Int64(e.Time.UnixMilli()),
		}},
	})
	if err != nil {
		return fmt.Errorf("identity: audit PutLogEvents: %w", err)
	}
	return nil
}
