package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/resilience"
)

func benchBreaker(ctx context.Context, o *options, r *report) {
	const sec = "6"
	fig := "breaker open: webhook turn to fallback reply (p99)"
	cfg, err := config.Load("", []string{})
	if err != nil {
		r.missing(sec, fig, "< 2 ms", err.Error())
		return
	}
	// The CRM is down: every request gets a 503.
	var hits atomic.Int64
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, `{"error":"service unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer down.Close()
	crm := crmTool{&toolClient{name: "crm", base: down.URL, http: &http.Client{}}}
	s := resilience.Settings(cfg.Resilience.For("salesforce"))
	s.BreakerOpenFor = time.Hour // stays open for the whole measurement
	pol := resilience.NewPolicy("salesforce", s, resilience.Options{})
	deps := intents.Deps{Customers: resilience.Customers(pol, crm), SupportEmail: cfg.SupportEmail}
	h, err := verified(cfg, intents.New(deps))
	if err != nil {
		r.missing(sec, fig, "< 2 ms", err.Error())
		return
	}
	e := engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
	b, err := sampleBodies(o.root, conversation.DialogflowES, "lookup_customer_signed.json")
	if err != nil {
		r.missing(sec, fig, "< 2 ms", err.Error())
		return
	}
	// Trip the breaker with real failures.
	for i := 0; i < 50 && pol.State() != resilience.BreakerOpen; i++ {
		e.Serve(ctx, conversation.DialogflowES, b.nth(uint64(i)))
	}
	if pol.State() != resilience.BreakerOpen {
		r.missing(sec, fig, "< 2 ms", fmt.Sprintf("breaker still %s after 50 failing turns", pol.State()))
		return
	}
	before := hits.Load()
	const turns = 2000
	lat := make([]time.Duration, 0, turns)
	for i := 0; i < turns && ctx.Err() == nil; i++ {
		body := b.nth(uint64(1000 + i))
		start := time.Now()
		resp := e.Serve(ctx, conversation.DialogflowES, body)
		lat = append(lat, time.Since(start))
		if i == 0 {
			msgs, _ := messagesOf(resp.Body)
			if resp.Status != http.StatusOK || len(msgs) == 0 || !strings.Contains(msgs[0], "isn't responding") {
				r.missing(sec, fig, "< 2 ms", fmt.Sprintf("unexpected reply HTTP %d %.200s", resp.Status, resp.Body))
				return
			}
		}
	}
	if hits.Load() != before {
		r.missing(sec, fig, "< 2 ms", "the open breaker let calls through")
		return
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	r.check(sec, fig, fmt.Sprintf("%s (p50 %s, max %s, %d turns, 0 calls reached the tool)", ms(p99), ms(p50), ms(lat[len(lat)-1]), len(lat)),
		"< 2 ms", p99 < 2*time.Millisecond)
}
