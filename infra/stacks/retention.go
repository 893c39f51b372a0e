package stacks

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/switchboard-dev/switchboard/shared/deploy/settings"
)

// retentionDays maps the day counts CloudWatch Logs accepts to the CDK enum.
var retentionDays = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS,
	5: awslogs.RetentionDays_FIVE_DAYS, 7: awslogs.RetentionDays_ONE_WEEK,
	14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS,
	120: awslogs.RetentionDays_FOUR_MONTHS, 150: awslogs.RetentionDays_FIVE_MONTHS,
	180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS,
	731: awslogs.RetentionDays_TWO_YEARS, 1096: awslogs.RetentionDays_THREE_YEARS,
	1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS,
	3288: awslogs.RetentionDays_NINE_YEARS, 3653: awslogs.RetentionDays_TEN_YEARS,
}

// deploymentConfigs are CodeDeploy's predefined Lambda traffic-shifting configurations,
// under their CodeDeploy names (without the "CodeDeployDefault.Lambda" prefix).
var deploymentConfigs = map[string]func() awscodedeploy.ILambdaDeploymentConfig{
	"CANARY_10PERCENT_5MINUTES":        awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	"CANARY_10PERCENT_10MINUTES":       awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_10MINUTES,
	"CANARY_10PERCENT_15MINUTES":       awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_15MINUTES,
	"CANARY_10PERCENT_30MINUTES":       awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_30MINUTES,
	"LINEAR_10PERCENT_EVERY_1MINUTE":   awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTE,
	"LINEAR_10PERCENT_EVERY_2MINUTES":  awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_2MINUTES,
	"LINEAR_10PERCENT_EVERY_3MINUTES":  awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_3MINUTES,
	"LINEAR_10PERCENT_EVERY_10MINUTES": awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_10MINUTES,
	"ALL_AT_ONCE":                      awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE,
}

// DeploymentConfigNames lists the accepted deploymentConfig context values
// (settings.DeploymentConfigs; TestSettingsListsMatchTheCDK holds the two equal).
func DeploymentConfigNames() []string { return settings.DeploymentConfigs }

// RetentionDayCounts lists the day counts retentionDays maps, ascending.
func RetentionDayCounts() []int {
	out := make([]int, 0, len(retentionDays))
	for k := range retentionDays {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// DeploymentConfigKeys lists the names deploymentConfigs maps, sorted.
func DeploymentConfigKeys() []string {
	out := make([]string, 0, len(deploymentConfigs))
	for k := range deploymentConfigs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
