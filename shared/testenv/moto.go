package testenv

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
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

// MotoWithAuth starts a moto_server of the test's own that checks every request's
// SigV4 signature (botocore's implementation, not ours) and its IAM permissions, and
// returns its endpoint and the access key of an IAM user allowed everything. Use it to
// prove a client signs as AWS expects; a wrong secret gets 403 there.
func MotoWithAuth(t testing.TB) (endpoint, accessKeyID, secretKey string) {
	t.Helper()
	bin, ok := LookPath("moto_server")
	if !ok {
		Missing(t, "moto_server", "moto 5.2.1 comes with the machine's Python (pip install 'moto[server]==5.2.1')")
	}
	port := FreePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// The three IAM calls below run unauthenticated; everything after must be signed.
	cmd.Env = append(os.Environ(), "INITIAL_NO_AUTH_ACTION_COUNT=3")
	p, err := Start("moto-auth", cmd)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := WaitTCP(fmt.Sprintf("127.0.0.1:%d", port), 60*time.Second); err != nil {
		t.Fatalf("moto_server: %v\n%s", err, p.LogTail())
	}
	iam := func(form url.Values) []byte {
		form.Set("Version", "2010-05-08")
		req, _ := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// moto routes by the credential scope's service.
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("moto IAM %s: %v", form.Get("Action"), err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("moto IAM %s: HTTP %d: %s", form.Get("Action"), resp.StatusCode, b)
		}
		return b
	}
	iam(url.Values{"Action": {"CreateUser"}, "UserName": {"switchboard-test"}})
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(iam(url.Values{"Action": {"CreateAccessKey"}, "UserName": {"switchboard-test"}}), &key); err != nil || key.ID == "" {
		t.Fatalf("moto IAM CreateAccessKey: %v", err)
	}
	iam(url.Values{"Action": {"PutUserPolicy"}, "UserName": {"switchboard-test"}, "PolicyName": {"all"},
		"PolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}})
	return endpoint, key.ID, key.Secret
}
