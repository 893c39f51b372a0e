//go:build go1.27

package dialogflow

import "github.com/switchboard-dev/switchboard/shared/platform"

// fastDecode fills s.w (and s's other parts, which it points to) from body with the fields a turn reads (see kept), as
// json.Unmarshal and kept would, and returns the identity token of
// originalDetectIntentRequest.payload, as platform.IdentityToken reads it; or it
// reports false, leaving the request to json.Unmarshal (platform.FastDecode says when).
// The fields nothing reads are checked as Unmarshal checks them, without being built.
func fastDecode(body []byte, s *wireStore) (token string, ok bool) {
	ok = platform.FastDecode(body, func(d *platform.Dec) { token = decodeRequest(d, s) })
	return token, ok
}

var (
	requestFields     = []string{"responseId", "session", "queryResult", "originalDetectIntentRequest"}
	queryResultFields = []string{"queryText", "languageCode", "speechRecognitionConfidence", "action", "parameters",
		"allRequiredParamsPresent", "cancelsSlotFilling", "fulfillmentText", "fulfillmentMessages", "webhookSource",
		"webhookPayload", "outputContexts", "intent", "intentDetectionConfidence", "diagnosticInfo",
		"sentimentAnalysisResult", "knowledgeAnswers"}
	intentFields     = []string{"name", "displayName", "isFallback", "endInteraction"}
	contextFields    = []string{"name", "lifespanCount", "parameters"}
	messageFields    = []string{"text", "image", "quickReplies", "card", "payload", "simpleResponses", "basicCard", "suggestions", "linkOutSuggestion", "listSelect", "carouselSelect", "browseCarouselCard", "tableCard", "mediaContent", "platform"}
	textFields       = []string{"text"}
	sentimentRFields = []string{"queryTextSentiment"}
	sentimentFields  = []string{"score", "magnitude"}
	originalFields   = []string{"source", "version", "payload"}
)

func decodeRequest(d *platform.Dec, s *wireStore) (token string) {
	w := &s.w
	for d.Object(); ; {
		switch d.Next(requestFields) {
		case "":
			return token
		case "responseId":
			w.ResponseID = d.String()
		case "session":
			w.Session = d.String()
		case "queryResult":
			if d.Null() {
				continue
			}
			w.QueryResult = &s.q
			decodeQueryResult(d, s)
		case "originalDetectIntentRequest":
			if d.Null() {
				continue
			}
			token = decodeOriginal(d)
		}
	}
}

// decodeOriginal reads originalDetectIntentRequest: only its payload's identity token
// is kept.
func decodeOriginal(d *platform.Dec) (token string) {
	for d.Object(); ; {
		switch d.Next(originalFields) {
		case "":
			return token
		case "source", "version":
			d.SkipString()
		case "payload":
			token = d.IdentityPayload()
		}
	}
}

func decodeQueryResult(d *platform.Dec, s *wireStore) {
	q := &s.q
	for d.Object(); ; {
		switch d.Next(queryResultFields) {
		case "":
			return
		case "queryText":
			q.QueryText = d.String()
		case "languageCode":
			q.LanguageCode = d.String()
		case "parameters":
			q.Parameters = d.RawMap()
		case "outputContexts":
			q.OutputContexts = []Context{}
			for d.Array(); d.More(); {
				q.OutputContexts = append(q.OutputContexts, Context{})
				decodeContext(d, &q.OutputContexts[len(q.OutputContexts)-1])
			}
		case "intent":
			if d.Null() {
				continue
			}
			q.Intent = &s.in
			decodeIntent(d, q.Intent)
		case "action", "fulfillmentText", "webhookSource":
			d.SkipString()
		case "speechRecognitionConfidence", "intentDetectionConfidence":
			d.SkipFloat()
		case "allRequiredParamsPresent", "cancelsSlotFilling":
			d.SkipBool()
		case "webhookPayload", "diagnosticInfo", "knowledgeAnswers":
			d.Skip() // json.RawMessage: any value
		case "fulfillmentMessages":
			if d.Null() {
				continue
			}
			for d.Array(); d.More(); {
				skipMessage(d)
			}
		case "sentimentAnalysisResult":
			if d.Null() {
				continue
			}
			for d.Object(); d.Next(sentimentRFields) != ""; {
				if d.Null() {
					continue
				}
				for d.Object(); d.Next(sentimentFields) != ""; {
					d.SkipFloat()
				}
			}
		}
	}
}

// decodeContext reads an output context. The parameters of Dialogflow's own contexts
// (ids starting with "__") are not kept (slots never reads them): when the name comes
// first, they are only checked.
func decodeContext(d *platform.Dec, c *Context) {
	for d.Object(); ; {
		switch d.Next(contextFields) {
		case "":
			if systemContext(c.Name) {
				c.Parameters = nil
			}
			return
		case "name":
			c.Name = d.String()
		case "lifespanCount":
			d.SkipInt()
		case "parameters":
			if systemContext(c.Name) {
				d.SkipObject()
			} else {
				c.Parameters = d.RawMap()
			}
		}
	}
}

func decodeIntent(d *platform.Dec, in *Intent) {
	for d.Object(); ; {
		switch d.Next(intentFields) {
		case "":
			return
		case "displayName":
			in.DisplayName = d.String()
		case "name":
			d.SkipString()
		case "isFallback", "endInteraction":
			d.SkipBool()
		}
	}
}

// skipMessage checks a fulfillment message (nothing reads the request's messages).
func skipMessage(d *platform.Dec) {
	if d.Null() {
		return
	}
	for d.Object(); ; {
		switch d.Next(messageFields) {
		case "":
			return
		case "text":
			if d.Null() {
				continue
			}
			for d.Object(); d.Next(textFields) != ""; {
				if d.Null() {
					continue
				}
				for d.Array(); d.More(); {
					d.SkipString()
				}
			}
		case "platform":
			d.SkipString()
		default:
			d.Skip() // json.RawMessage: any value
		}
	}
}
