package testenv

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	motoOnce sync.Once
	motoURL  string
	motoErr  error
)

// Moto returns the endpoint (http://127.0.0.1:PORT) of a moto_server started once for
// this test binary. Point AWS SDK clients at it with BaseEndpoint, any region and the
// static credentials from AWSEnv. Tests share the server: use unique resource names.
func Moto(t testing.TB) string {
	t.Helper()
	bin, ok := LookPath("moto_server")
	if !ok {
		Missing(t, "moto_server", "moto 5.2.1 comes with the machine's Python (pip install 'moto[server]==5.2.1')")
	}
	motoOnce.Do(func() {
		port := FreePort(t)
		p, err := Start("moto", exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port)))
		if err != nil {
			motoErr = err
			return
		}
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		if err := WaitHTTP(context.Background(), url+"/moto-api/", 60*time.Second); err != nil {
			motoErr = fmt.Errorf("%w\n%s", err, p.LogTail())
			return
		}
		motoURL = url
	})
	if motoErr != nil {
		t.Fatalf("moto_server: %v", motoErr)
	}
	return motoURL
}

// AWSEnv sets the environment AWS SDK clients need to talk to moto (fake static
// credentials, a region, no IMDS) for the duration of the test.
func AWSEnv(t testing.TB, endpoint string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

// MotoReset wipes every resource in the moto server.
func MotoReset(t testing.TB, endpoint string) {
	t.Helper()
	resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("moto reset: %v", err)
	}
	resp.Body.Close()
}
