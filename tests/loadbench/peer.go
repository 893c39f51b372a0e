package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"

	"github.com/switchboard-dev/switchboard/shared/connector"
	"github.com/switchboard-dev/switchboard/shared/connector/demo"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/server"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

var listening = regexp.MustCompile(`listening (\d+)`)

// startPeer runs a Node peer from _tools/peers and returns its base URL once it
// listens. It needs node on PATH and `npm ci` done in _tools (make bench does it).
func startPeer(ctx context.Context, root, script, module string, env ...string) (string, *testenv.Process, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", nil, errors.New("node not found on PATH")
	}
	if _, err := os.Stat(filepath.Join(root, "_tools", "node_modules", module)); err != nil {
		return "", nil, fmt.Errorf("npm package %s not installed (run npm ci in _tools)", module)
	}
	cmd := exec.Command(node, filepath.Join(root, "_tools", "peers", script))
	cmd.Dir = filepath.Join(root, "_tools")
	cmd.Env = append(os.Environ(), append([]string{"PORT=0", "NODE_ENV=production"}, env...)...)
	p, err := testenv.Start("peer-"+script, cmd)
	if err != nil {
		return "", nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b, _ := os.ReadFile(p.Log.Name())
		if m := listening.FindSubmatch(b); m != nil {
			port, _ := strconv.Atoi(string(m[1]))
			return fmt.Sprintf("http://127.0.0.1:%d", port), p, nil
		}
		if p.Cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.Stop()
	return "", nil, fmt.Errorf("%s did not start: %.400s", script, p.LogTail())
}

// peerRecord is the demo customer as the dialogflow-fulfillment peer keeps it in memory.
type peerRecord struct {
	Name    string `json:"name"`
	Company string `json:"company,omitempty"`
	Plan    string `json:"plan,omitempty"`
	Status  string `json:"status,omitempty"`
	Tickets []struct {
		ID      string `json:"id"`
		Subject string `json:"subject"`
	} `json:"tickets"`
	Payment *struct {
		Amount    int64     `json:"amount"`
		Currency  string    `json:"currency"`
		CreatedAt time.Time `json:"created_at"`
		Status    string    `json:"status"`
	} `json:"payment,omitempty"`
}

// peerRecords reads the customer the sample event asks for from a fresh demo backend,
// the same data Switchboard answers from.
func peerRecords(ctx context.Context, email string) ([]byte, *memRecord, error) {
	dir, err := os.MkdirTemp("", "switchboard-bench-peer-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	be, err := demo.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return nil, nil, err
	}
	defer be.Close()
	c, err := be.FindCustomerByEmail(ctx, email)
	if err != nil {
		return nil, nil, err
	}
	rec := peerRecord{Name: c.Name(), Company: c.Company, Plan: c.Plan, Status: c.Status}
	mem := &memRecord{c: c}
	ts, err := be.OpenTickets(ctx, email)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range ts {
		rec.Tickets = append(rec.Tickets, struct {
			ID      string `json:"id"`
			Subject string `json:"subject"`
		}{t.ID, t.Subject})
	}
	mem.t = ts
	ps, err := be.RecentPayments(ctx, email, 1)
	if err != nil && !errors.Is(err, connector.ErrNotFound) {
		return nil, nil, err
	}
	mem.p = ps
	if len(ps) > 0 {
		p := ps[0]
		rec.Payment = &struct {
			Amount    int64     `json:"amount"`
			Currency  string    `json:"currency"`
			CreatedAt time.Time `json:"created_at"`
			Status    string    `json:"status"`
		}{p.Amount, p.Currency, p.CreatedAt, string(p.Status)}
	}
	out, err := json.Marshal(map[string]peerRecord{email: rec})
	return out, mem, err
}

func benchPeer(ctx context.Context, o *options, r *report) {
	const sec = "2"
	figPeer := fmt.Sprintf("peer dialogflow-fulfillment (Node) lookup_customer (c=%d)", o.concurrency)
	figRatio := "Switchboard on the demo backend (SQLite) / dialogflow-fulfillment"
	b, err := sampleBodies(o.root, conversation.DialogflowES, "lookup_customer_signed.json")
	if err != nil {
		r.missing(sec, figRatio, "≥ 3×", err.Error())
		return
	}
	var ev struct {
		QueryResult struct {
			Parameters struct {
				Email string `json:"email"`
			} `json:"parameters"`
		} `json:"queryResult"`
	}
	_ = json.Unmarshal(b.event, &ev)
	records, _, err := peerRecords(ctx, ev.QueryResult.Parameters.Email)
	if err != nil {
		r.missing(sec, figRatio, "≥ 3×", "demo record: "+err.Error())
		return
	}
	peerURL, proc, err := startPeer(ctx, o.root, "dialogflow-fulfillment.js", "dialogflow-fulfillment", "PEER_RECORDS="+string(records))
	if err != nil {
		r.missing(sec, figPeer, info, err.Error())
		r.missing(sec, figRatio, "≥ 3×", "peer not running")
		return
	}
	defer proc.Stop()

	sbURL, stop, err := startSwitchboard(ctx)
	if err != nil {
		r.missing(sec, figRatio, "≥ 3×", "switchboard: "+err.Error())
		return
	}
	defer stop()
	sbEndpoint := sbURL + server.PathPrefix + string(conversation.DialogflowES)
	// Same question, same answer: compare the texts before timing anything.
	sbOut, err := post(ctx, sbEndpoint, b.nth(1<<41))
	if err != nil {
		r.missing(sec, figRatio, "≥ 3×", "switchboard: "+err.Error())
		return
	}
	peerOut, err := post(ctx, peerURL, b.nth(1<<41))
	if err != nil {
		r.missing(sec, figPeer, info, err.Error())
		r.missing(sec, figRatio, "≥ 3×", "peer answered an error")
		return
	}
	sbMsgs, _ := messagesOf(sbOut)
	peerMsgs, _ := messagesOf(peerOut)
	if !sameMessages(sbMsgs, peerMsgs) {
		r.missing(sec, figRatio, "≥ 3×", fmt.Sprintf("answers differ: switchboard %q, peer %q", sbMsgs, peerMsgs))
		return
	}

	peer, peerCPU, cpuErr := serverCost(proc.Cmd.Process.Pid, func() loadResult {
		return attack("peer-dialogflow-fulfillment", peerURL, b, o.concurrency, o.duration, o.maxRequests, 0)
	})
	if f := peer.failure(); f != "" {
		r.add(sec, figPeer, peer.String()+"; "+f, info, fail)
		r.missing(sec, figRatio, "≥ 3×", "peer run failed")
		return
	}
	r.add(sec, figPeer, peer.String(), info, info)

	// The fair peer: the same library doing Switchboard's whole work on this turn —
	// verifying the caller's HS256 token with the jsonwebtoken package and sending
	// Switchboard's whole reply (the bodies must be equal as JSON before timing).
	figFair := fmt.Sprintf("peer dialogflow-fulfillment + jsonwebtoken (Node), same work: signed lookup_customer, token verified, whole reply (c=%d)", o.concurrency)
	var fair *loadResult
	var fairCPU time.Duration
	if fairURL, fairProc, err := startPeer(ctx, o.root, "dialogflow-fulfillment.js", "jsonwebtoken",
		"PEER_RECORDS="+string(records), "PEER_TOKEN_KEY="+identity.DemoKey); err != nil {
		r.missing(sec, figFair, info, err.Error())
	} else {
		fairOut, err := post(ctx, fairURL, b.nth(1<<41))
		switch {
		case err != nil:
			r.missing(sec, figFair, info, err.Error())
		case !sameJSON(sbOut, fairOut):
			r.missing(sec, figFair, info, fmt.Sprintf("replies differ: switchboard %s, peer %s", sbOut, fairOut))
		default:
			res, cpu, err := serverCost(fairProc.Cmd.Process.Pid, func() loadResult {
				return attack("peer-dialogflow-fulfillment-fair", fairURL, b, o.concurrency, o.duration, o.maxRequests, 0)
			})
			if f := res.failure(); f != "" {
				r.add(sec, figFair, res.String()+"; "+f, info, fail)
			} else if err != nil {
				r.missing(sec, figFair, info, "server CPU time: "+err.Error())
			} else {
				r.add(sec, figFair, fmt.Sprintf("%s; server CPU %s per request", res.String(), us(cpu)), info, info)
				fair, fairCPU = &res, cpu
			}
		}
		fairProc.Stop()
	}
	// Like for like: Switchboard answering from the same in-memory record, in its own
	// process as the peer is — with the Go runtime's default of every core, and held
	// to one core as Node's single thread is.
	for _, side := range []struct {
		fig   string
		procs int
	}{
		{"Switchboard / dialogflow-fulfillment, in-memory record, own processes", 0},
		{"Switchboard (GOMAXPROCS=1) / dialogflow-fulfillment, in-memory record, own processes", 1},
	} {
		memURL, child, err := startChild(ctx, "mem", ev.QueryResult.Parameters.Email, side.procs)
		if err != nil {
			r.missing(sec, side.fig, "≥ 3×", err.Error())
			continue
		}
		memEndpoint := memURL + server.PathPrefix + string(conversation.DialogflowES)
		out, err := post(ctx, memEndpoint, b.nth(1<<42))
		memMsgs, _ := messagesOf(out)
		switch {
		case err != nil:
			r.missing(sec, side.fig, "≥ 3×", err.Error())
		case !sameMessages(memMsgs, peerMsgs):
			r.missing(sec, side.fig, "≥ 3×", fmt.Sprintf("answers differ: %q vs %q", memMsgs, peerMsgs))
		default:
			res, sbCPU, err := serverCost(child.Cmd.Process.Pid, func() loadResult {
				return attack("switchboard-memory", memEndpoint, b, o.concurrency, o.duration, o.maxRequests, 0)
			})
			if f := res.failure(); f != "" {
				r.missing(sec, side.fig, "≥ 3×", "run failed: "+f)
				break
			}
			// Both servers answer as fast as the shared load generator can ask, so the
			// raw throughputs say more about the generator than the servers; what each
			// request costs the server's CPU is the capacity figure.
			ratio := res.Throughput / peer.Throughput
			r.add(sec, side.fig+": throughput", fmt.Sprintf("%.1f× (%.0f vs %.0f req/s; p99 %s vs %s) — both bounded by the shared load generator",
				ratio, res.Throughput, peer.Throughput, ms(res.P99), ms(peer.P99)), info, info)
			if err != nil || cpuErr != nil {
				r.missing(sec, side.fig+": requests per CPU second", "≥ 3×", fmt.Sprint("server CPU time: ", err, cpuErr))
				break
			}
			capRatio := float64(peerCPU) / float64(sbCPU)
			r.check(sec, side.fig+": requests per CPU second", fmt.Sprintf("%.1f× (%.0f vs %.0f; server CPU %s vs %s per request)",
				capRatio, float64(time.Second)/float64(sbCPU), float64(time.Second)/float64(peerCPU), us(sbCPU), us(peerCPU)), "≥ 3×", capRatio >= 3)
			fairFig := strings.Replace(side.fig, "dialogflow-fulfillment", "the fair peer (same work)", 1) + ": requests per CPU second"
			if fair == nil {
				r.missing(sec, fairFig, "≥ 2×", "fair peer not measured")
				break
			}
			fairRatio := float64(fairCPU) / float64(sbCPU)
			r.check(sec, fairFig, fmt.Sprintf("%.1f× (%.0f vs %.0f; server CPU %s vs %s per request)",
				fairRatio, float64(time.Second)/float64(sbCPU), float64(time.Second)/float64(fairCPU), us(sbCPU), us(fairCPU)), "≥ 2×", fairRatio >= 2)
		}
		child.Stop()
	}
	// The floor: net/http answering the same bytes with nothing behind it, on one core.
	// If this alone costs more than a third of the peer's CPU per request, no handler
	// served by net/http meets the 3× target, whatever it does.
	figFloor := "net/http alone (GOMAXPROCS=1), same request and answer bytes, no decoding: server CPU per request"
	if floorURL, child, err := startChild(ctx, "floor", ev.QueryResult.Parameters.Email, 1); err != nil {
		r.missing(sec, figFloor, info, err.Error())
	} else {
		res, cpu, err := serverCost(child.Cmd.Process.Pid, func() loadResult {
			return attack("nethttp-floor", floorURL+server.PathPrefix+string(conversation.DialogflowES), b, o.concurrency, o.duration, o.maxRequests, 0)
		})
		switch f := res.failure(); {
		case f != "":
			r.missing(sec, figFloor, info, "run failed: "+f)
		case err != nil || cpuErr != nil:
			r.missing(sec, figFloor, info, fmt.Sprint("server CPU time: ", err, cpuErr))
		default:
			r.add(sec, figFloor, fmt.Sprintf("%s (%.1f× the peer's %s; 3× the peer leaves %s per request for everything)",
				us(cpu), float64(peerCPU)/float64(cpu), us(peerCPU), us(peerCPU/3)), info, info)
		}
		child.Stop()
	}
	floorRatio(ctx, o, r, b, ev.QueryResult.Parameters.Email)
	// Switchboard on the demo backend (three SQLite queries per turn) against the same peer.
	sb := localDialogflow
	if sb == nil {
		res := attack("switchboard-dialogflow", sbEndpoint, b, o.concurrency, o.duration, o.maxRequests, 0)
		if f := res.failure(); f != "" {
			r.missing(sec, figRatio, "≥ 3×", "switchboard run failed: "+f)
			return
		}
		sb = &res
	}
	ratio := sb.Throughput / peer.Throughput
	r.check(sec, figRatio, fmt.Sprintf("%.1f× (%.0f vs %.0f req/s; p99 %s vs %s)", ratio, sb.Throughput, peer.Throughput, ms(sb.P99), ms(peer.P99)), "≥ 3×", ratio >= 3)
}

// memRecord is the like-for-like Switchboard side: the same record the peer keeps,
// served from memory through the connector interfaces.
type memRecord struct {
	c connector.Customer
	t []connector.Ticket
	p []connector.Payment
}

func (m *memRecord) FindCustomerByEmail(ctx context.Context, email string) (connector.Customer, error) {
	if !strings.EqualFold(email, m.c.Email) {
		return connector.Customer{}, connector.NotFound("memory", "find_customer")
	}
	return m.c, nil
}

func (m *memRecord) OpenTickets(ctx context.Context, email string) ([]connector.Ticket, error) {
	return slices.Clone(m.t), nil
}

func (m *memRecord) CreateTicket(ctx context.Context, t connector.NewTicket) (connector.Ticket, error) {
	return connector.Ticket{}, &connector.Error{Kind: connector.KindInvalidInput, Tool: "memory", Op: "create_ticket",
		Err: errors.New("read-only record")}
}

func (m *memRecord) RecentPayments(ctx context.Context, email string, limit int) ([]connector.Payment, error) {
	return slices.Clone(m.p[:min(limit, len(m.p))]), nil
}

func (m *memRecord) FindPayment(ctx context.Context, ref string) (connector.Payment, error) {
	return connector.Payment{}, connector.NotFound("memory", "find_payment")
}

// startMemSwitchboard serves Switchboard's engine and intents over m, with the same
// configuration and HTTP handler as the demo server.
func startMemSwitchboard(ctx context.Context, m *memRecord) (string, func(), error) {
	dir, err := os.MkdirTemp("", "switchboard-bench-mem-")
	if err != nil {
		return "", nil, err
	}
	cfg, err := benchConfig(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	deps := intents.Deps{Customers: m, Tickets: m, Payments: m, SupportEmail: cfg.SupportEmail}
	h, err := verified(cfg, intents.New(deps))
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	e := engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
	sctx, cancel := context.WithCancel(ctx)
	url, err := listen(sctx, server.Handler(e, server.Options{}))
	stop := func() { cancel(); os.RemoveAll(dir) }
	if err != nil {
		stop()
		return "", nil, err
	}
	return url, stop, nil
}

// sameJSON reports whether two bodies hold the same JSON value (key order aside).
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// floorRounds is how many alternated runs of each side floorRatio takes the median of.
const floorRounds = 3

// floorRatio is issue 24's figure: the one-core Switchboard's server CPU per signed
// lookup over net/http alone answering the same bytes. Both move with the machine (the
// floor alone went from 13.7 to 17.5 µs between two runs of the same code), so each
// side runs floorRounds times, alternately (Switchboard, floor, Switchboard, …), each
// in its own process started once, and the ratio is of the two medians.
func floorRatio(ctx context.Context, o *options, r *report, b bodies, email string) {
	const sec = "2"
	fig := fmt.Sprintf("Switchboard (GOMAXPROCS=1) / net/http alone: server CPU per signed lookup (median of %d alternated runs each)", floorRounds)
	const target = "≤ 2.0×"
	sbURL, sbChild, err := startChild(ctx, "mem", email, 1)
	if err != nil {
		r.missing(sec, fig, target, err.Error())
		return
	}
	defer sbChild.Stop()
	floorURL, floorChild, err := startChild(ctx, "floor", email, 1)
	if err != nil {
		r.missing(sec, fig, target, err.Error())
		return
	}
	defer floorChild.Stop()
	path := server.PathPrefix + string(conversation.DialogflowES)
	var sbs, floors []time.Duration
	var pairs []string
	for round := range floorRounds {
		var cpus [2]time.Duration
		for i, side := range []struct {
			name, url string
			pid       int
		}{{"switchboard-memory-floor-pair", sbURL, sbChild.Cmd.Process.Pid}, {"nethttp-floor-pair", floorURL, floorChild.Cmd.Process.Pid}} {
			res, cpu, err := serverCost(side.pid, func() loadResult {
				// Each round's turns are new ones (turn ids of their own).
				return attack(side.name, side.url+path, b, o.concurrency, o.duration, o.maxRequests, uint64(round+1)<<38)
			})
			if f := res.failure(); f != "" || err != nil {
				r.missing(sec, fig, target, fmt.Sprint("run failed: ", f, " ", err))
				return
			}
			cpus[i] = cpu
		}
		sbs, floors = append(sbs, cpus[0]), append(floors, cpus[1])
		pairs = append(pairs, fmt.Sprintf("%.1f/%.1f", float64(cpus[0])/float64(time.Microsecond), float64(cpus[1])/float64(time.Microsecond)))
	}
	sbMed, floorMed := median(sbs), median(floors)
	ratio := float64(sbMed) / float64(floorMed)
	r.check(sec, fig, fmt.Sprintf("%.2f× (%s vs %s per request; runs, µs: %s)", ratio, us(sbMed), us(floorMed), strings.Join(pairs, ", ")),
		target, ratio <= 2.0)
}
