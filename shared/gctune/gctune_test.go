package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestApply(t *testing.T) {
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) })

	s := Apply(env(nil))
	if s.GCPercent != defaultGOGC || s.GCPercentFrom != "default" || currentGCPercent() != defaultGOGC {
		t.Errorf("no GOGC: %+v, runtime at %d", s, currentGCPercent())
	}
	if s.MemoryLimitFrom != "" || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("no Lambda, no GOMEMLIMIT: %+v, limit %d", s, debug.SetMemoryLimit(-1))
	}

	// GOGC set: the runtime applied it at start; Apply leaves it.
	debug.SetGCPercent(150)
	if s := Apply(env(map[string]string{"GOGC": "150"})); s.GCPercent != 150 || s.GCPercentFrom != "GOGC" || currentGCPercent() != 150 {
		t.Errorf("GOGC=150: %+v, runtime at %d", s, currentGCPercent())
	}

	// In Lambda: 80 % of the function's memory as a soft limit.
	s = Apply(env(map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}))
	mb := 256.0
	want := int64(mb * lambdaMemoryShare * (1 << 20))
	if s.MemoryLimit != want || s.MemoryLimitFrom != "lambda" || debug.SetMemoryLimit(-1) != want {
		t.Errorf("Lambda 256 MB: %+v, limit %d, want %d", s, debug.SetMemoryLimit(-1), want)
	}
	// GOMEMLIMIT set wins over the Lambda default.
	debug.SetMemoryLimit(100 << 20)
	if s := Apply(env(map[string]string{"GOMEMLIMIT": "100MiB", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"})); s.MemoryLimit != 100<<20 || s.MemoryLimitFrom != "GOMEMLIMIT" {
		t.Errorf("GOMEMLIMIT: %+v", s)
	}

	// WithBudget: a limit from the in-flight budget only where none was set.
	debug.SetMemoryLimit(math.MaxInt64)
	s = WithBudget(Apply(env(nil)), 64<<20)
	if want := int64(64<<20 + serveHeapBase); s.MemoryLimit != want || s.MemoryLimitFrom != "inflight_bytes" || debug.SetMemoryLimit(-1) != want {
		t.Errorf("serve with a 64 MiB budget: %+v, limit %d, want %d", s, debug.SetMemoryLimit(-1), want)
	}
	debug.SetMemoryLimit(100 << 20)
	if s := WithBudget(Apply(env(map[string]string{"GOMEMLIMIT": "100MiB"})), 64<<20); s.MemoryLimit != 100<<20 || s.MemoryLimitFrom != "GOMEMLIMIT" || debug.SetMemoryLimit(-1) != 100<<20 {
		t.Errorf("GOMEMLIMIT wins over the budget: %+v", s)
	}
}

// TestApplyProcs: in Lambda, one P per whole vCPU the function's memory buys (at
// least one) unless GOMAXPROCS is set; outside Lambda, the runtime's default.
func TestApplyProcs(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	gc, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { runtime.GOMAXPROCS(procs); debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) })
	tests := []struct {
		env       map[string]string
		want      int
		wantFrom  string
		wantProcs int // runtime.GOMAXPROCS before Apply
	}{
		{nil, 4, "", 4},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}, 1, "lambda", 4},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, 1, "lambda", 4},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3538"}, 2, "lambda", 4},
		// Never more Ps than the runtime found CPUs.
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}, 2, "lambda", 2},
		// GOMAXPROCS set: the runtime applied it at start; Apply leaves it.
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "GOMAXPROCS": "4"}, 4, "GOMAXPROCS", 4},
	}
	for _, tt := range tests {
		runtime.GOMAXPROCS(tt.wantProcs)
		s := Apply(env(tt.env))
		if s.Procs != tt.want || s.ProcsFrom != tt.wantFrom || runtime.GOMAXPROCS(0) != tt.want {
			t.Errorf("%v with %d Ps: %+v, runtime at %d, want %d from %q", tt.env, tt.wantProcs, s, runtime.GOMAXPROCS(0), tt.want, tt.wantFrom)
		}
	}
}
