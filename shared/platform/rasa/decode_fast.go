//go:build go1.27

package rasa

import "github.com/switchboard-dev/switchboard/shared/platform"

// fastDecode fills w from body as json.Unmarshal would, or reports false, leaving the
// call to json.Unmarshal (platform.FastDecode says when). The event history and the
// domain, which are most of a call and which the turn does not read, are only checked
// and copied as raw JSON (the wire struct keeps them raw).
func fastDecode(body []byte, w *ActionCall) bool {
	return platform.FastDecode(body, func(d *platform.Dec) { decodeCall(d, w) })
}

var (
	callFields    = []string{"next_action", "sender_id", "tracker", "domain", "version"}
	trackerFields = []string{"sender_id", "slots", "latest_message", "latest_event_time", "followup_action", "paused",
		"events", "latest_input_channel", "active_loop", "latest_action", "latest_action_name"}
	messageFields      = []string{"intent", "entities", "text", "message_id", "intent_ranking", "metadata"}
	intentFields       = []string{"name", "confidence"}
	entityFields       = []string{"entity", "value", "start", "end", "extractor", "confidence_entity", "role", "group"}
	activeLoopFields   = []string{"name", "validate", "rejected", "trigger_message"}
	latestActionFields = []string{"action_name", "action_text"}
)

func decodeCall(d *platform.Dec, w *ActionCall) {
	for d.Object(); ; {
		switch d.Next(callFields) {
		case "":
			return
		case "next_action":
			w.NextAction = d.String()
		case "sender_id":
			w.SenderID = d.String()
		case "tracker":
			if !d.Null() {
				w.Tracker = &Tracker{}
				decodeTracker(d, w.Tracker)
			}
		case "domain":
			w.Domain = d.RawOrNull()
		case "version":
			w.Version = d.String()
		}
	}
}

// stringPtr reads a string, or a null as nil.
func stringPtr(d *platform.Dec) *string {
	if d.Null() {
		return nil
	}
	s := d.String()
	return &s
}

func decodeTracker(d *platform.Dec, t *Tracker) {
	for d.Object(); ; {
		switch d.Next(trackerFields) {
		case "":
			return
		case "sender_id":
			t.SenderID = d.String()
		case "slots":
			if !d.Null() {
				t.Slots = d.RawOrNullMap()
			}
		case "latest_message":
			if !d.Null() {
				t.LatestMessage = &Message{}
				decodeMessage(d, t.LatestMessage)
			}
		case "latest_event_time":
			if !d.Null() {
				t.LatestEventTime = d.Number()
			}
		case "followup_action":
			t.FollowupAction = stringPtr(d)
		case "paused":
			t.Paused = d.Bool()
		case "events":
			t.Events = d.RawOrNull()
		case "latest_input_channel":
			t.LatestInputChannel = stringPtr(d)
		case "active_loop":
			if !d.Null() {
				t.ActiveLoop = &ActiveLoop{}
				decodeActiveLoop(d, t.ActiveLoop)
			}
		case "latest_action":
			if !d.Null() {
				a := &LatestAction{}
				t.LatestAction = a
				for d.Object(); ; {
					name := d.Next(latestActionFields)
					if name == "" {
						break
					}
					if name == "action_name" {
						a.ActionName = d.String()
					} else {
						a.ActionText = d.String()
					}
				}
			}
		case "latest_action_name":
			t.LatestActionName = stringPtr(d)
		}
	}
}

func decodeMessage(d *platform.Dec, m *Message) {
	for d.Object(); ; {
		switch d.Next(messageFields) {
		case "":
			return
		case "intent":
			if !d.Null() {
				m.Intent = &Intent{}
				decodeIntent(d, m.Intent)
			}
		case "entities":
			if !d.Null() {
				m.Entities = []Entity{}
				for d.Array(); d.More(); {
					m.Entities = append(m.Entities, Entity{})
					decodeEntity(d, &m.Entities[len(m.Entities)-1])
				}
			}
		case "text":
			m.Text = d.String()
		case "message_id":
			m.MessageID = d.String()
		case "intent_ranking":
			if !d.Null() {
				m.IntentRanking = []Intent{}
				for d.Array(); d.More(); {
					m.IntentRanking = append(m.IntentRanking, Intent{})
					decodeIntent(d, &m.IntentRanking[len(m.IntentRanking)-1])
				}
			}
		case "metadata":
			m.Metadata = d.RawOrNull()
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
		case "confidence":
			in.Confidence = d.Float()
		}
	}
}

func decodeEntity(d *platform.Dec, e *Entity) {
	for d.Object(); ; {
		switch d.Next(entityFields) {
		case "":
			return
		case "entity":
			e.Entity = d.String()
		case "value":
			e.Value = d.RawOrNull()
		case "start":
			if !d.Null() {
				n := d.Int()
				e.Start = &n
			}
		case "end":
			if !d.Null() {
				n := d.Int()
				e.End = &n
			}
		case "extractor":
			e.Extractor = d.String()
		case "confidence_entity":
			if !d.Null() {
				f := d.Float()
				e.ConfidenceEntity = &f
			}
		case "role":
			e.Role = d.String()
		case "group":
			e.Group = d.String()
		}
	}
}

func decodeActiveLoop(d *platform.Dec, a *ActiveLoop) {
	for d.Object(); ; {
		switch d.Next(activeLoopFields) {
		case "":
			return
		case "name":
			a.Name = d.String()
		case "validate":
			if !d.Null() {
				b := d.Bool()
				a.Validate = &b
			}
		case "rejected":
			if !d.Null() {
				b := d.Bool()
				a.Rejected = &b
			}
		case "trigger_message":
			a.TriggerMessage = d.RawOrNull()
		}
	}
}
