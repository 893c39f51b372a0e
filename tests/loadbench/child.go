package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

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
	if mode != "mem" {
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
	base, closeAll, err := startMemSwitchboard(ctx, mem)
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
