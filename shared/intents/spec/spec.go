// Package spec is the contract of the intents: each one's canonical name, its Lambda
// function, whether it reads or writes and the rollout stage that adds it, the
// capabilities it needs, its slots and their prompts, what an unverified caller gets,
// its reply catalogue keys, its default names on each platform and its sample events.
//
// Each intent's folder, shared/intents/<name>, registers its Intent from its init
// (Register); shared/intents/all links every one. It is a leaf: it and the intents'
// folders import nothing of Switchboard's, so shared/conversation, shared/config and
// the CDK app (infra) list the intents without linking a handler. Everything that
// lists "all intents" iterates All. Adding an intent: docs/extending.md.
package spec

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// Rollout stages: a deployment's stage decides which intents exist in it; stages only
// ever add intents, ordered by risk.
const (
	StageReads    = "reads"
	StageWrites   = "writes"
	StagePayments = "payments"
)

// Capabilities an intent may need (the business tools that serve them).
const (
	Customers = "customers"
	Tickets   = "tickets"
	Payments  = "payments"
	KB        = "kb"
)

// What an unverified caller (no identity token, no one-time code) gets.
const (
	// UnverifiedPublic: the answer holds no personal data; everyone gets it.
	UnverifiedPublic = "public"
	// UnverifiedCode: offered a one-time code to the account's email, told nothing
	// about the account until the code proves them.
	UnverifiedCode = "code"
	// UnverifiedAccepted: the request is taken (a ticket is filed) and confirmed in
	// words that do not say whether an account exists.
	UnverifiedAccepted = "accepted"
)

// Intent is what is fixed about an intent, known without its handler.
type Intent struct {
	// Name is the canonical name (conversation.Intent; lookup_customer).
	Name string
	// Order places it in listings (conversation.Intents, the CDK app's functions).
	Order int
	// Function is its Lambda function's directory under functions/ and construct id.
	Function string
	// Write is true for an intent that changes something in a business tool: its
	// turns are idempotent (store.idempotent_intents) and never fail open.
	Write bool
	// Stage is the rollout stage that adds it (StageReads, …).
	Stage string
	// Uses are the capabilities its function links tools for.
	Uses []string
	// Identity is true when its answer depends on who the caller is (it reads the
	// caller's identity token or verified email).
	Identity bool
	// Unverified is what an unverified caller gets (UnverifiedPublic, …).
	Unverified string
	// Slots are its slots, in the order they are asked for.
	Slots []Slot
	// Withheld is the reply catalogue key of what it could not do when an answer is
	// withheld ("what.look_up_your_account"): the apology names it.
	Withheld string
	// Slow, when set, is the reply catalogue key of its answer when the platform's
	// deadline passes first (default reply.slow); Unfinished that of its answer when
	// its function failed without answering (default reply.apology). A write says
	// its outcome is unknown: the change may have been made.
	Slow, Unfinished string
	// Replies are the reply catalogue keys its answers use (shared/i18n).
	Replies []string
	// Locales holds the intent's own reply catalogue: locales/<language>.json, one
	// file per language shared/i18n has (its folder embeds them). shared/i18n merges
	// them into its catalogues; a key defined twice is an error (i18n.Err).
	Locales fs.FS
	// Display is its name in words run together ("SearchKnowledgeBase"): the
	// platforms whose intents have display names default to it (each platform's
	// naming convention is in shared/platform/names, DefaultIntentName).
	Display string
	// Samples is its sample event's file name in events/<platform>/; the same turn
	// signed in as the demo's customer (the identity token where the platform carries
	// it) is <name>_signed.json beside it for an intent with Identity. The turn's slot
	// values are its slots' Example: go generate ./events writes the files a platform
	// lacks from them.
	Samples string
	// Console is how the conversation console (shared/console), standing in for a
	// platform's language understanding, recognises it in a typed message.
	Console Console
	// What the idempotency layer's own answers say for it (shared/idempotency
	// Outcome; worded by shared/intents Refusal): StoreDown is the reply catalogue
	// key of what it could not do while the store is down (default what.do_that);
	// Pending that of the reply while an earlier delivery still runs (default
	// reply.still_working; a write says it will not be done twice).
	StoreDown, Pending string
}

// Console is how the conversation console recognises an intent in a typed message:
// keywords, no model (a platform sends the webhook an intent and its slots, never a
// sentence to interpret, so this is the console's alone). Besides these, a message
// that names a value of a slot only one intent has (a payment reference) is that
// intent.
type Console struct {
	// Keywords, lower case, in the five languages the product speaks: a message
	// containing one is this intent.
	Keywords []string
	// Rank orders the intents' keywords: the lowest Rank's are tried first, so an
	// intent with specific words ("ticket") wins over one with general words ("how").
	Rank int
	// Fallback marks the intent a message no other matches is (at most one).
	Fallback bool
	// Whole, when set, is the slot a message that starts the intent fills whole
	// (a search's query).
	Whole string
	// AfterColon, when set, is the slot the text after a colon fills in a message that
	// starts the intent ("ticket: the printer is on fire" names the subject).
	AfterColon string
}

// Words is a display name in words, for descriptions a model or a person reads:
// "SearchKnowledgeBase" → "Search knowledge base".
func Words(display string) string {
	var b strings.Builder
	for i, r := range display {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Codes reports whether its function sends one-time codes.
func (i Intent) Codes() bool { return i.Unverified == UnverifiedCode }

// Slot is one slot of an intent. Its value check is the slot kind's (shared/intents,
// by name).
type Slot struct {
	Name     string
	Required bool
	// Prompt and Retry are the reply catalogue keys that ask for it and ask again
	// after an invalid value.
	Prompt, Retry string
	// Example is the value the intent's sample turn gives the slot, naming the demo
	// backend's records (ada@example.com, pi_demo_ada_1) so the sample answers on it;
	// "" leaves the slot unfilled. The sample events a platform lacks are built from
	// the examples (go generate ./events), and the tests that call every intent (the
	// Bedrock API schema's) fill its slots with them.
	Example string
	// Unknown, for a required slot, is a well-formed value that names nothing the demo
	// backend holds (nobody@example.com): the golden matrix's not_found case
	// (tests/golden_test.go) puts it in the intent's first required slot.
	Unknown string
}

var (
	mu  sync.RWMutex
	all = map[string]Intent{}
)

// Register makes an intent known. Call it from the intent folder's init. It panics on a
// duplicate name or an incomplete entry.
func Register(i Intent) {
	if i.Name == "" || i.Function == "" || i.Stage == "" || i.Unverified == "" || i.Display == "" {
		panic(fmt.Sprintf("intents/spec: incomplete intent %+v", i))
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := all[i.Name]; dup {
		panic(fmt.Sprintf("intents/spec: %q registered twice", i.Name))
	}
	for _, o := range all {
		if i.Console.Fallback && o.Console.Fallback {
			panic(fmt.Sprintf("intents/spec: %q and %q are both the console's fallback", o.Name, i.Name))
		}
	}
	all[i.Name] = i
}

// All lists the registered intents by Order (then name).
func All() []Intent {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Intent, 0, len(all))
	for _, i := range all {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Order != out[b].Order {
			return out[a].Order < out[b].Order
		}
		return out[a].Name < out[b].Name
	})
	return out
}

// Lookup returns the registered intent of that name.
func Lookup(name string) (Intent, bool) {
	mu.RLock()
	defer mu.RUnlock()
	i, ok := all[name]
	return i, ok
}
