package cwaudit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The functions audit to DynamoDB (ddbaudit); the CloudWatch Logs sink stays a
// configured option (serve links it). On moto: the registered "cloudwatch" sink puts
// each event into the group, readable when Record returns, and a group that is not
// there is an error (the policy then withholds the disclosure).
func TestRecordPutsTheEventInTheGroup(t *testing.T) {
	moto := testenv.Moto(t)
	testenv.AWSEnv(t, moto)
	ctx := context.Background()
	cfg, err := awsenv.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logs := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(moto) })
	group := fmt.Sprintf("/switchboard-test-%d/audit", time.Now().UnixNano())
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	sink, ok, err := identity.NewAuditor(ctx, config.AuditCloudWatch, identity.AuditorOptions{LogGroup: group, Endpoint: moto})
	if !ok || err != nil {
		t.Fatalf("NewAuditor(cloudwatch) = %v, %v", ok, err)
	}
	e := identity.Event{Time: time.Now().UTC().Truncate(time.Millisecond), Intent: "verify_payment", Platform: "rasa",
		Verification: "code", CustomerID: "0123456789abcdef", Tool: "stripe", Outcome: "answered"}
	if err := sink.Record(ctx, e); err != nil {
		t.Fatal(err)
	}
	out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("%d events in the group, want 1", len(out.Events))
	}
	var got identity.Event
	if err := json.Unmarshal([]byte(aws.ToString(out.Events[0].Message)), &got); err != nil || !got.Time.Equal(e.Time) || got.Outcome != e.Outcome || got.CustomerID != e.CustomerID {
		t.Errorf("event %s (%v), want %+v", aws.ToString(out.Events[0].Message), err, e)
	}

	missing, _, _ := identity.NewAuditor(ctx, config.AuditCloudWatch, identity.AuditorOptions{LogGroup: group + "-missing", Endpoint: moto})
	if err := missing.Record(ctx, e); err == nil {
		t.Error("Record into a group that is not there succeeded")
	}
}
