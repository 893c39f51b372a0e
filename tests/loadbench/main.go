// Command loadbench is `make bench`: it measures Switchboard against its targets and two
// peers in one run and prints one table, figures side by side, then writes it to
// docs/benchmarks.md with the machine, the date and the command.
//
// Every server it drives listens on 127.0.0.1 and every load is bounded in count and
// time. A figure whose prerequisite is missing (moto_server, node and the npm peers,
// aws-lambda-rie, the build output) is reported as "n/a: <reason>", never guessed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	_ "github.com/switchboard-dev/switchboard/shared/connector/all" // the tools the bench configures
	"github.com/switchboard-dev/switchboard/shared/gctune"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // the stack it drives answers every intent
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

type options struct {
	root        string        // repository root
	out         string        // markdown report ("" = none)
	buildDir    string        // make build output (linux/arm64 bootstraps)
	duration    time.Duration // per load run
	concurrency int           // load generator workers
	maxRequests int           // per load run
	idemTurns   int           // new turns per side in the idempotency comparison
	coldRuns    int           // RIE cold starts per binary
	only        string        // comma-separated sections to run
	cpuprofile  string        // write a CPU profile of the whole run here
	src         string        // source tree whose functions the cold-start rows build ("" = root)
}

func main() {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	root := testenv.RepoRoot()
	var o options
	flag.StringVar(&o.out, "out", filepath.Join(root, "docs", "benchmarks.md"), "write the report here (\"\" for none)")
	flag.StringVar(&o.buildDir, "build-dir", filepath.Join(root, "build"), "make build output (binary sizes)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each throughput run")
	flag.IntVar(&o.concurrency, "c", 16, "concurrent requests of the load generator")
	flag.IntVar(&o.maxRequests, "n", 200000, "most requests of one throughput run")
	flag.IntVar(&o.idemTurns, "idem-turns", 400, "new turns per side in the idempotency comparison")
	flag.IntVar(&o.coldRuns, "cold-runs", 11, "cold starts per binary under RIE")
	flag.StringVar(&o.only, "only", "", "run only these sections (local,peer,idem,fanout,cold,routed,breaker)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run to this file")
	flag.StringVar(&o.src, "src", "", "build the cold-start rows' functions from this source tree (an earlier commit's export, for a before/after)")
	flag.Parse()
	o.root = root
	// The in-process rows run `switchboard serve`'s code: its GC settings too.
	gctune.Apply(os.Getenv)
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Quiet: the servers under load must not spend the run writing logs.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))

	started := time.Now()
	r := &report{}
	run := func(name string, f func(context.Context, *options, *report)) {
		if o.only != "" && !strings.Contains(","+o.only+",", ","+name+",") {
			return
		}
		t0 := time.Now()
		fmt.Fprintf(os.Stderr, "== %s\n", name)
		f(ctx, &o, r)
		fmt.Fprintf(os.Stderr, "   %s took %s\n", name, time.Since(t0).Round(100*time.Millisecond))
	}
	run("local", benchLocal)
	run("peer", benchPeer)
	run("idem", benchIdempotency)
	run("fanout", benchFanOut)
	run("cold", benchColdStart)
	run("routed", benchRouted)
	run("breaker", benchBreaker)
	testenv.StopAll()

	table := r.markdown()
	fmt.Println(table)
	if o.out != "" {
		doc := r.document(machine(ctx), started, time.Since(started), "make bench", table)
		if err := os.WriteFile(o.out, []byte(doc), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "write %s: %v\n", o.out, err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "wrote %s\n", o.out)
	}
}
