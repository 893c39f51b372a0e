package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
	"github.com/switchboard-dev/switchboard/shared/turntrace"
)

// A turn asked to be traced (the console) is told how the layer answered it: the
// first delivery claims the key, a redelivery to this process is replayed, one to
// another process is answered from the record, another payload under the key is
// refused, and a read is not idempotent at all.
func TestDecisionsAreTraced(t *testing.T) {
	s := memstore.New(nil)
	h := &tool{}
	o := idempotency.Options{Idempotent: func(in conversation.Intent) bool { return in != conversation.SearchKB }}
	m, other := idempotency.New(s, h, o), idempotency.New(s, h, o)
	decision := func(m conversation.Handler, tn conversation.Turn) string {
		t.Helper()
		rec := turntrace.New()
		ctx, cancel := ctxFor(tn)
		defer cancel()
		m.Handle(turntrace.With(ctx, rec), tn)
		ev := rec.Events()
		if len(ev) != 1 || ev[0].Kind != turntrace.KindIdempotency {
			t.Fatalf("events %+v", ev)
		}
		return ev[0].Name
	}
	tn := turn()
	for _, step := range []struct {
		m    conversation.Handler
		tn   conversation.Turn
		want string
	}{
		{m, tn, "claimed the key: first delivery, handled"},
		{m, tn, "replayed the reply this process gave"},
		{other, tn, "key already held: answered from its record"},
	} {
		step.tn.Deadline = time.Now().Add(5 * time.Second)
		if got := decision(step.m, step.tn); got != step.want {
			t.Errorf("got %q, want %q", got, step.want)
		}
	}
	changed := tn
	changed.Slots = map[string]string{"email": "ada@example.com", "subject": "Something else"}
	third := idempotency.New(s, h, o)
	if got := decision(third, changed); got != "key already held: answered from its record" {
		t.Errorf("another payload, a third process: %q", got)
	}
	if got := decision(m, changed); got != "key reused with a different payload" {
		t.Errorf("another payload, this process: %q", got)
	}
	read := turn()
	read.Intent = conversation.SearchKB
	if got := decision(m, read); got != "not applied" {
		t.Errorf("a read: %q", got)
	}
	// Untraced turns cost nothing and record nothing.
	if r := m.Handle(context.Background(), turn()); r.Outcome == "" {
		t.Fatal("no reply")
	}
}
