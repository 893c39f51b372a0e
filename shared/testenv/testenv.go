package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// required reports whether missing components must fail tests instead of skipping them.
func required() bool {
	return os.Getenv("CI") != "" || os.Getenv("SWITCHBOARD_REQUIRE_COMPONENTS") != ""
}

// Missing skips (or, when required, fails) the test because a component is absent.
func Missing(t testing.TB, component, howToGet string) {
	t.Helper()
	msg := fmt.Sprintf("%s not found: %s (run `make test`, which installs it)", component, howToGet)
	if required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// LookPath finds a binary on PATH or in the project's tool folders
// (_tools/bin, .cache/bin, $(go env GOPATH)/bin).
func LookPath(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	root := RepoRoot()
	dirs := []string{filepath.Join(root, "_tools", "bin"), filepath.Join(root, ".cache", "bin")}
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// Process is a started child process.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Log  *os.File
}

// Stop kills the process and waits for it.
func (p *Process) Stop() {
	if p == nil || p.Cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	_ = p.Cmd.Process.Kill()
	_, _ = p.Cmd.Process.Wait()
	if p.Log != nil {
		p.Log.Close()
	}
}

var (
	mu      sync.Mutex
	started []*Process
)

// Start runs a command in its own process group, logging to a temp file, and registers
// it to be stopped by StopAll (and killed with the test binary via Pdeathsig).
func Start(name string, cmd *exec.Cmd) (*Process, error) {
	logf, err := os.CreateTemp("", "switchboard-"+name+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Cmd: cmd, Log: logf}
	mu.Lock()
	started = append(started, p)
	mu.Unlock()
	return p, nil
}

// LogTail returns the end of a process's log, for failure messages.
func (p *Process) LogTail() string {
	b, err := os.ReadFile(p.Log.Name())
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// StopAll stops every process Start started. Call it from TestMain after m.Run.
func StopAll() {
	mu.Lock()
	defer mu.Unlock()
	for _, p := range started {
		p.Stop()
	}
	started = nil
}

// Main is a TestMain body: run the tests, stop the components, exit.
func Main(m *testing.M) {
	code := m.Run()
	StopAll()
	os.Exit(code)
}

// WaitHTTP polls url until it answers any HTTP status or the timeout passes.
func WaitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not answering after %s: %w", url, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitTCP polls addr until it accepts a connection or the timeout passes.
func WaitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not accepting after %s: %w", addr, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LambdaTags are the build tags of a Lambda bootstrap, as the Makefile's LAMBDA_TAGS
// (tests/lambda_test.go holds the two equal): tests that build the functions use them
// so they run what `make build` ships.
const LambdaTags = "lambda.norpc,lambdabuild"
