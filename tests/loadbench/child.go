package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app/wiring"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/gctune"
	"github.com/switchboard-dev/switchboard/shared/intents"
	"github.com/switchboard-dev/switchboard/shared/platform/adapters"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// childEnv selects child mode: loadbench runs itself as the Switchboard server under
// test, in its own process, as the Node peer runs in its own — so neither server
// shares a Go runtime (or its scheduler) with the load generator.
const childEnv = "LOADBENCH_CHILD"

// runChild serves the in-memory-record Switchboard until stdin closes or a signal
// arrives. It prints "listening <port>" once it accepts connections.
func runChild(mode string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The GC settings `switchboard serve` runs with (the floor server too: same runtime).
	gctune.Apply(os.Getenv)
	if mode != "mem" && mode != "floor" {
		fmt.Fprintf(os.Stderr, "unknown child mode %q\n", mode)
		return 2
	}
	if path := os.Getenv("LOADBENCH_CHILD_CPUPROFILE"); path != "" {
		if f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid())); err == nil {
			// The parent kills the child when done: profile 5 s (most of a run
			// length), then write the profile out.
			_ = pprof.StartCPUProfile(f)
			time.AfterFunc(5*time.Second, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	_, mem, err := peerRecords(ctx, os.Getenv("LOADBENCH_EMAIL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var (
		base     string
		closeAll func()
	)
	if mode == "floor" {
		base, closeAll, err = startFloor(ctx, mem)
	} else {
		base, closeAll, err = startMemSwitchboard(ctx, mem)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer closeAll()
	u, _ := url.Parse(base)
	fmt.Printf("listening %s\n", u.Port())
	go func() {
		// The parent closes our stdin when it is done (or dies).
		buf := make([]byte, 1)
		for {
			if _, err := os.Stdin.Read(buf); err != nil {
				stop()
				return
			}
		}
	}()
	<-ctx.Done()
	return 0
}

// startChild runs this program in child mode with GOMAXPROCS procs (0: the default)
// and returns the server's base URL.
func startChild(ctx context.Context, mode, email string, procs int) (string, *testenv.Process, error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "LOADBENCH_EMAIL="+email)
	if procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	p, err := testenv.Start("loadbench-child-"+mode, cmd)
	if err != nil {
		return "", nil, err
	}
	go func() { <-ctx.Done(); stdin.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b, _ := os.ReadFile(p.Log.Name())
		if m := listening.FindSubmatch(b); m != nil {
			return "http://127.0.0.1:" + string(m[1]), p, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.Stop()
	return "", nil, fmt.Errorf("child %s did not start: %.400s", mode, p.LogTail())
}

// startFloor is net/http's own cost for the same exchange: a server that reads the
// request body and answers the bytes Switchboard answers for the sample request
// (computed once at start), with the same Content-Type — no decoding, no intent, no
// encoding. No handler on net/http can cost less per request than this.
func startFloor(ctx context.Context, m *memRecord) (string, func(), error) {
	dir, err := os.MkdirTemp("", "switchboard-bench-floor-")
	if err != nil {
		return "", nil, err
	}
	stop := func() { os.RemoveAll(dir) }
	cfg, err := benchConfig(dir)
	if err != nil {
		stop()
		return "", nil, err
	}
	b, err := sampleBodies(testenv.RepoRoot(), conversation.DialogflowES, "lookup_customer_signed.json")
	if err != nil {
		stop()
		return "", nil, err
	}
	deps := intents.Deps{Customers: m, Tickets: m, Payments: m, SupportEmail: cfg.SupportEmail}
	h, err := verified(cfg, intents.New(deps))
	if err != nil {
		stop()
		return "", nil, err
	}
	e := engine.New(wiring.Engine(cfg), h, engine.Options{Adapters: adapters.Default(wiring.Adapters(cfg))})
	answer := e.Serve(ctx, conversation.DialogflowES, b.nth(1<<42))
	if answer.Status != http.StatusOK {
		stop()
		return "", nil, fmt.Errorf("floor: the sample request got HTTP %d", answer.Status)
	}
	sctx, cancel := context.WithCancel(ctx)
	url, err := listen(sctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer.Body)
	}))
	if err != nil {
		cancel()
		stop()
		return "", nil, err
	}
	return url, func() { cancel(); stop() }, nil
}
