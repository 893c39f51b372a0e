package router

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// countingConn counts the writes to a connection.
type countingConn struct {
	net.Conn
	mu     *sync.Mutex
	writes *int
}

func (c countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	*c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// TestInvokeInOneWrite: an Invoke whose payload fits goes out with its headers in one
// write to the connection (net/http, given the SDK's own body, wrote the headers and
// the body apart: two writes for every Invoke), and the function still gets the
// payload whole; a payload over MaxWholeBody is sent as the SDK hands it.
func TestInvokeInOneWrite(t *testing.T) {
	api := &lambdaAPI{reply: map[string]func([]byte) ([]byte, string){
		"sb-lookupcustomer": func(event []byte) ([]byte, string) { return []byte(`{"ok":true}`), "" },
	}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	writes := 0
	dialer := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &mu, &writes}, nil
	}}}
	ac := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""), HTTPClient: hc}
	inv := NewLambdaInvoker(NewLambdaClient(ac, srv.URL))
	for _, size := range []int{2 << 10, MaxWholeBody + 1} {
		payload := []byte(`{"x":"` + strings.Repeat("a", size) + `"}`)
		mu.Lock()
		writes = 0
		mu.Unlock()
		out, err := inv.Invoke(context.Background(), "sb-lookupcustomer", "live", payload)
		if err != nil {
			t.Fatal(err)
		}
		if string(out.Payload) != `{"ok":true}` {
			t.Fatalf("payload %s", out.Payload)
		}
		api.mu.Lock()
		got := api.calls[len(api.calls)-1].Event
		api.mu.Unlock()
		if !bytes.Equal(got, payload) {
			t.Fatalf("%d bytes: the function got %d bytes, not the payload", len(payload), len(got))
		}
		mu.Lock()
		n := writes
		mu.Unlock()
		if size <= MaxWholeBody && n != 1 {
			t.Errorf("an Invoke of %d bytes took %d writes to the connection, want 1 (headers and body together)", len(payload), n)
		}
		if size > MaxWholeBody && n < 2 {
			t.Errorf("an Invoke of %d bytes took %d writes, want the SDK's body as it comes (more than one)", len(payload), n)
		}
	}
}
