//go:build go1.27

package dialogflow

import "github.com/switchboard-dev/switchboard/shared/platform"

// fastDecode fills w from body as json.Unmarshal would, or reports false, leaving the
// request to json.Unmarshal (platform.FastDecode says when).
func fastDecode(body []byte, w *WebhookRequest) bool {
	return platform.FastDecode(body, func(d *platform.Dec) { decodeRequest(d, w) })
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

func decodeRequest(d *platform.Dec, w *WebhookRequest) {
	for d.Object(); ; {
		switch d.Next(requestFields) {
		case "":
			return
		case "responseId":
			w.ResponseID = d.String()
		case "session":
			w.Session = d.String()
		case "queryResult":
			w.QueryResult = &QueryResult{}
			decodeQueryResult(d, w.QueryResult)
		case "originalDetectIntentRequest":
			w.OriginalDetectIntentRequest = &OriginalDetectIntentRequest{}
			decodeOriginal(d, w.OriginalDetectIntentRequest)
		}
	}
}

func decodeOriginal(d *platform.Dec, o *OriginalDetectIntentRequest) {
	for d.Object(); ; {
		switch d.Next(originalFields) {
		case "":
			return
		case "source":
			o.Source = d.String()
		case "version":
			o.Version = d.String()
		case "payload":
			o.Payload = d.Raw()
		}
	}
}

func decodeQueryResult(d *platform.Dec, q *QueryResult) {
	for d.Object(); ; {
		switch d.Next(queryResultFields) {
		case "":
			return
		case "queryText":
			q.QueryText = d.String()
		case "languageCode":
			q.LanguageCode = d.String()
		case "speechRecognitionConfidence":
			q.SpeechRecognitionConfidence = d.Float()
		case "action":
			q.Action = d.String()
		case "parameters":
			q.Parameters = d.RawMap()
		case "allRequiredParamsPresent":
			q.AllRequiredParamsPresent = d.Bool()
		case "cancelsSlotFilling":
			q.CancelsSlotFilling = d.Bool()
		case "fulfillmentText":
			q.FulfillmentText = d.String()
		case "fulfillmentMessages":
			q.FulfillmentMessages = []Message{}
			for d.Array(); d.More(); {
				q.FulfillmentMessages = append(q.FulfillmentMessages, Message{})
				decodeMessage(d, &q.FulfillmentMessages[len(q.FulfillmentMessages)-1])
			}
		case "webhookSource":
			q.WebhookSource = d.String()
		case "webhookPayload":
			q.WebhookPayload = d.Raw()
		case "outputContexts":
			q.OutputContexts = []Context{}
			for d.Array(); d.More(); {
				q.OutputContexts = append(q.OutputContexts, Context{})
				decodeContext(d, &q.OutputContexts[len(q.OutputContexts)-1])
			}
		case "intent":
			q.Intent = &Intent{}
			decodeIntent(d, q.Intent)
		case "intentDetectionConfidence":
			q.IntentDetectionConfidence = d.Float()
		case "diagnosticInfo":
			q.DiagnosticInfo = d.Raw()
		case "sentimentAnalysisResult":
			s := &SentimentAnalysisResult{}
			q.SentimentAnalysisResult = s
			for d.Object(); d.Next(sentimentRFields) != ""; {
				t := &Sentiment{}
				s.QueryTextSentiment = t
				for d.Object(); ; {
					name := d.Next(sentimentFields)
					if name == "" {
						break
					}
					if name == "score" {
						t.Score = d.Float()
					} else {
						t.Magnitude = d.Float()
					}
				}
			}
		case "knowledgeAnswers":
			q.KnowledgeAnswers = d.Raw()
		}
	}
}

func decodeContext(d *platform.Dec, c *Context) {
	for d.Object(); ; {
		switch d.Next(contextFields) {
		case "":
			return
		case "name":
			c.Name = d.String()
		case "lifespanCount":
			c.LifespanCount = d.Int()
		case "parameters":
			c.Parameters = d.RawMap()
		}
	}
}

func decodeIntent(d *platform.Dec, in *Intent) {
	for d.Object(); ; {
		switch d.Next(intentFields) {
		case "":
			return
		case "name":
			in.Name = d.String()
		case "displayName":
			in.DisplayName = d.String()
		case "isFallback":
			in.IsFallback = d.Bool()
		case "endInteraction":
			in.EndInteraction = d.Bool()
		}
	}
}

func decodeMessage(d *platform.Dec, m *Message) {
	for d.Object(); ; {
		switch d.Next(messageFields) {
		case "":
			return
		case "text":
			t := &Text{}
			m.Text = t
			for d.Object(); d.Next(textFields) != ""; {
				t.Text = d.Strings()
			}
		case "image":
			m.Image = d.Raw()
		case "quickReplies":
			m.QuickReplies = d.Raw()
		case "card":
			m.Card = d.Raw()
		case "payload":
			m.Payload = d.Raw()
		case "simpleResponses":
			m.SimpleResponses = d.Raw()
		case "basicCard":
			m.BasicCard = d.Raw()
		case "suggestions":
			m.Suggestions = d.Raw()
		case "linkOutSuggestion":
			m.LinkOutSuggestion = d.Raw()
		case "listSelect":
			m.ListSelect = d.Raw()
		case "carouselSelect":
			m.CarouselSelect = d.Raw()
		case "browseCarouselCard":
			m.BrowseCarouselCard = d.Raw()
		case "tableCard":
			m.TableCard = d.Raw()
		case "mediaContent":
			m.MediaContent = d.Raw()
		case "platform":
			m.Platform = d.String()
		}
	}
}
