package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// App is the whole deployment.
type App struct {
	Data       *DataStack
	Monitoring *MonitoringStack
	Functions  *FunctionsStack
	API        *APIStack
}

// Stack ids; the CloudFormation stack (and cdk artifact) names are "<prefix>-<id>".
const (
	DataStackID       = "Data"
	MonitoringStackID = "Monitoring"
	FunctionsStackID  = "Functions"
	APIStackID        = "Api"
)

// Build adds Switchboard's four stacks to app. Deployment order follows the
// references: data, monitoring, functions, api.
func Build(app awscdk.App, s Settings) (*App, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := s.ValidateFunctions(); err != nil {
		return nil, err
	}
	props := func(id string) *awscdk.StackProps {
		p := &awscdk.StackProps{
			StackName:   jsii.String(s.Prefix + "-" + id),
			Description: jsii.String("Switchboard " + id + " (" + s.Prefix + ", rollout " + string(s.Rollout) + ")"),
			Tags:        &map[string]*string{"app": jsii.String("switchboard"), "switchboard:rollout": jsii.String(string(s.Rollout))},
		}
		if s.Account != "" || s.Region != "" {
			p.Env = &awscdk.Environment{}
			if s.Account != "" {
				p.Env.Account = jsii.String(s.Account)
			}
			if s.Region != "" {
				p.Env.Region = jsii.String(s.Region)
			}
		}
		return p
	}
	out := &App{}
	out.Data = NewDataStack(app, s.Prefix+"-"+DataStackID, s, props(DataStackID))
	out.Monitoring = NewMonitoringStack(app, s.Prefix+"-"+MonitoringStackID, s, out.Data, props(MonitoringStackID))
	out.Functions = NewFunctionsStack(app, s.Prefix+"-"+FunctionsStackID, s,
		FunctionsDeps{Data: out.Data, Topic: out.Monitoring.Topic}, props(FunctionsStackID))
	out.API = NewAPIStack(app, s.Prefix+"-"+APIStackID, s, out.Functions, props(APIStackID))
	return out, nil
}
