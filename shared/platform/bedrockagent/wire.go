package bedrockagent

// Event is the Lambda input event of an action group. Function details fill Function
// (and Parameters); an OpenAPI schema fills APIPath, HTTPMethod, Parameters (path,
// query and header parameters) and RequestBody.
type Event struct {
	MessageVersion          string            `json:"messageVersion"`
	Agent                   Agent             `json:"agent"`
	InputText               string            `json:"inputText"`
	SessionID               string            `json:"sessionId"`
	ActionGroup             string            `json:"actionGroup"`
	Function                string            `json:"function,omitempty"`
	APIPath                 string            `json:"apiPath,omitempty"`
	HTTPMethod              string            `json:"httpMethod,omitempty"`
	Parameters              []Parameter       `json:"parameters,omitempty"`
	RequestBody             *RequestBody      `json:"requestBody,omitempty"`
	SessionAttributes       map[string]string `json:"sessionAttributes"`
	PromptSessionAttributes map[string]string `json:"promptSessionAttributes"`
}

// Agent names the agent that invoked the action group.
type Agent struct {
	Name    string `json:"name"`
	ID      string `json:"id"`
	Alias   string `json:"alias"`
	Version string `json:"version"`
}

// Parameter is one parameter the model filled: its Value is always a string on the
// wire, Type the type the schema declares (string, number, integer, boolean, array).
type Parameter struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// RequestBody is an API operation's request body, by content type.
type RequestBody struct {
	Content map[string]Content `json:"content"`
}

// Content is a request body of one content type: its properties as parameters.
type Content struct {
	Properties []Parameter `json:"properties"`
}

// MessageVersion is the only version of the contract.
const MessageVersion = "1.0"

// ContentJSON is the content type of an API-schema request and response body.
const ContentJSON = "application/json"

// Response states of a function response.
const (
	// StateReprompt sends the response back to the model to prompt it again: it
	// asks the user for what is missing.
	StateReprompt = "REPROMPT"
	// StateFailure makes InvokeAgent fail with a dependency failure exception.
	StateFailure = "FAILURE"
)

// Response is the Lambda response.
type Response struct {
	MessageVersion          string            `json:"messageVersion"`
	Response                ActionResponse    `json:"response"`
	SessionAttributes       map[string]string `json:"sessionAttributes"`
	PromptSessionAttributes map[string]string `json:"promptSessionAttributes"`
}

// ActionResponse is the response of one function (Function, FunctionResponse) or
// one API operation (APIPath, HTTPMethod, HTTPStatusCode, ResponseBody).
type ActionResponse struct {
	ActionGroup      string                `json:"actionGroup"`
	Function         string                `json:"function,omitempty"`
	FunctionResponse *FunctionResponse     `json:"functionResponse,omitempty"`
	APIPath          string                `json:"apiPath,omitempty"`
	HTTPMethod       string                `json:"httpMethod,omitempty"`
	HTTPStatusCode   int                   `json:"httpStatusCode,omitempty"`
	ResponseBody     map[string]BodyString `json:"responseBody,omitempty"`
}

// FunctionResponse is a function's answer: a TEXT body and, for a re-prompt or a
// failure, its state.
type FunctionResponse struct {
	ResponseState string                `json:"responseState,omitempty"`
	ResponseBody  map[string]BodyString `json:"responseBody"`
}

// BodyString is a response body: text for TEXT, a JSON document as a string for
// application/json.
type BodyString struct {
	Body string `json:"body"`
}
