package settings

// RetentionDays are the day counts CloudWatch Logs accepts as a retention, ascending
// (infra/stacks maps each to the CDK enum; a test holds the two lists equal).
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// DeploymentConfigs are CodeDeploy's predefined Lambda traffic-shifting
// configurations, under their CodeDeploy names (without "CodeDeployDefault.Lambda"),
// sorted: the accepted deploymentConfig values.
var DeploymentConfigs = []string{
	"ALL_AT_ONCE",
	"CANARY_10PERCENT_10MINUTES",
	"CANARY_10PERCENT_15MINUTES",
	"CANARY_10PERCENT_30MINUTES",
	"CANARY_10PERCENT_5MINUTES",
	"LINEAR_10PERCENT_EVERY_10MINUTES",
	"LINEAR_10PERCENT_EVERY_1MINUTE",
	"LINEAR_10PERCENT_EVERY_2MINUTES",
	"LINEAR_10PERCENT_EVERY_3MINUTES",
}
