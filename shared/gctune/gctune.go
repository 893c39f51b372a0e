// Package gctune sets the Go garbage collector for Switchboard's processes (the local
// server and the Lambda functions) where the operator has not.
//
// A turn allocates about 10 KB and keeps none of it; the live heap of a server or a
// function is a few megabytes (caches included). Go's default GOGC=100 collects every
// time the heap doubles, which at that size means a collection every few hundred
// turns: about a fifth of the server's CPU per request in `make bench`. GOGC=400
// collects a quarter as often for a few tens of megabytes more heap. In Lambda, where
// the memory is known, a soft limit (GOMEMLIMIT) at 80 % of the function's memory makes
// the collector work harder before the sandbox would run out instead of after.
//
// In `switchboard serve`, where the memory is not known, the in-flight byte budget
// (security.inflight_bytes) bounds the webhook bytes live at once; at GOGC=400 the
// heap could still grow to five times that between collections under a burst of
// large bodies (a 64 MiB budget peaked above 300 MB). WithBudget sets a soft limit of
// the budget plus serveHeapBase, so the collector runs before then.
//
// A Lambda function also gets one P (GOMAXPROCS) per whole vCPU its memory buys
// (lambdaVCPUMemory), at least one, where GOMAXPROCS is not set. The sandbox shows
// two CPUs however little of one it may use, and a function answers one invocation
// at a time (its parallel tool calls wait on the network, not on a CPU): with a second
// P the scheduler spins a second thread looking for work at every wake-up, which
// under aws-lambda-rie was a sixth to a third of a turn's CPU (docs/benchmarks-history.md).
package gctune

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultGOGC is the GC target used when GOGC is not set.
const defaultGOGC = 400

// lambdaMemoryShare is the share of AWS_LAMBDA_FUNCTION_MEMORY_SIZE given to the Go
// heap as a soft limit when GOMEMLIMIT is not set; the rest is the runtime's own,
// stacks and the binary.
const lambdaMemoryShare = 0.8

// lambdaVCPUMemory is the memory (MB) at which Lambda gives a function one whole vCPU;
// the CPU share is proportional to the memory.
const lambdaVCPUMemory = 1769

// Settings is what Apply did: the GC percent, soft memory limit and Ps now in force,
// and whether each came from the environment.
type Settings struct {
	GCPercent       int
	GCPercentFrom   string // "GOGC" or "default"
	MemoryLimit     int64  // bytes; 0: none
	MemoryLimitFrom string // "GOMEMLIMIT", "lambda", "inflight_bytes" (WithBudget) or ""
	Procs           int    // GOMAXPROCS in force
	ProcsFrom       string // "GOMAXPROCS", "lambda" or "" (the runtime's default)
}

// Apply sets the defaults above where getenv (os.Getenv) shows no GOGC, GOMEMLIMIT or
// GOMAXPROCS (the runtime has already applied those itself).
func Apply(getenv func(string) string) Settings {
	var s Settings
	if v := strings.TrimSpace(getenv("GOGC")); v != "" {
		s.GCPercent, s.GCPercentFrom = currentGCPercent(), "GOGC"
	} else {
		debug.SetGCPercent(defaultGOGC)
		s.GCPercent, s.GCPercentFrom = defaultGOGC, "default"
	}
	switch mb, err := strconv.Atoi(strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))); {
	case strings.TrimSpace(getenv("GOMEMLIMIT")) != "":
		s.MemoryLimit, s.MemoryLimitFrom = debug.SetMemoryLimit(-1), "GOMEMLIMIT"
	case err == nil && mb > 0:
		s.MemoryLimit = int64(float64(mb) * lambdaMemoryShare * (1 << 20))
		s.MemoryLimitFrom = "lambda"
		debug.SetMemoryLimit(s.MemoryLimit)
	}
	switch mb, err := strconv.Atoi(strings.TrimSpace(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))); {
	case strings.TrimSpace(getenv("GOMAXPROCS")) != "":
		s.ProcsFrom = "GOMAXPROCS"
	case err == nil && mb > 0:
		if n := max(1, mb/lambdaVCPUMemory); n < runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(n)
		}
		s.ProcsFrom = "lambda"
	}
	s.Procs = runtime.GOMAXPROCS(0)
	return s
}

// serveHeapBase is the heap allowed besides the in-flight budget under WithBudget's
// soft limit: the process's own (caches, store, telemetry; about 10 MiB live on the
// embedded demo) and room for the garbage between two collections.
const serveHeapBase = 48 << 20

// WithBudget sets a soft memory limit of budget + serveHeapBase bytes when s (from
// Apply) shows none was set (GOMEMLIMIT, Lambda), and returns the settings in force.
// budget <= 0 (no in-flight budget) sets nothing.
func WithBudget(s Settings, budget int64) Settings {
	if s.MemoryLimitFrom != "" || budget <= 0 {
		return s
	}
	s.MemoryLimit, s.MemoryLimitFrom = budget+serveHeapBase, "inflight_bytes"
	debug.SetMemoryLimit(s.MemoryLimit)
	return s
}

func currentGCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
