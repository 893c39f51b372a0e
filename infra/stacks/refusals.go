package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard-dev/switchboard/shared/telemetry/metricdefs"
)

// addRefusals charts the webhook calls refused before they became turns, by reason
// (refused_total{reason}: auth, rate, size, depth, inflate). A rise in auth refusals
// after a deploy or a rotation usually means a platform still sends the old secret.
func (ms *MonitoringStack) addRefusals(s Settings, period awscdk.Duration) {
	var ms_ []awscloudwatch.IMetric
	for _, r := range metricdefs.Reasons {
		ms_ = append(ms_, s.emfMetric(metricdefs.Refused, "Sum", period, map[string]string{metricdefs.DimReason: r}))
	}
	ms.Dashboard.AddWidgets(awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
		Markdown: jsii.String("### refused webhook calls"), Width: jsii.Number(24), Height: jsii.Number(1),
	}))
	ms.Dashboard.AddWidgets(graph("Refused: auth / rate / size / depth / inflate", 24, ms_...))
}
