package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// stripeMockVersion is the stripe-mock release the Makefile installs. stripe-mock
// answers from the OpenAPI fixtures bundled with this version, so tests that check
// field values depend on it.
const stripeMockVersion = "v0.203.0"

var (
	stripeMockOnce sync.Once
	stripeMockURL  string
	stripeMockErr  error
)

// StripeMock returns the base URL (http://127.0.0.1:PORT) of a stripe-mock started once
// for this test binary. stripe-mock is stateless: every call answers the fixture of its
// resource (ids echo the request), so tests check the mapping of those fixtures, not
// stored objects. Any key that looks like a test key (sk_test_…) is accepted.
func StripeMock(t testing.TB) string {
	t.Helper()
	bin, ok := LookPath("stripe-mock")
	if !ok {
		Missing(t, "stripe-mock", "go install github.com/stripe/stripe-mock@"+stripeMockVersion)
	}
	stripeMockOnce.Do(func() {
		port := FreePort(t)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		// Both listeners on loopback and free ports: given only -http-addr, stripe-mock
		// still opens HTTPS on :12112 on every interface, which a second test binary
		// running it at the same time cannot bind.
		httpsAddr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
		p, err := Start("stripe-mock", exec.Command(bin, "-http-addr", addr, "-https-addr", httpsAddr))
		if err != nil {
			stripeMockErr = err
			return
		}
		url := "http://" + addr
		// Any path answers (401 without a key), which is enough to know it listens.
		if err := WaitHTTP(context.Background(), url+"/v1/balance", 30*time.Second); err != nil {
			stripeMockErr = fmt.Errorf("%w\n%s", err, p.LogTail())
			return
		}
		stripeMockURL = url
	})
	if stripeMockErr != nil {
		t.Fatalf("stripe-mock: %v", stripeMockErr)
	}
	return stripeMockURL
}
