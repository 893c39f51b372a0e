package security

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestProxiesClient(t *testing.T) {
	p, err := ParseProxies([]string{"127.0.0.1", "10.0.0.0/8", " ::1 "})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProxies([]string{"10.0.0.0/33"}); err == nil {
		t.Error("a bad prefix accepted")
	}
	req := func(peer string, xff ...string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/rasa", nil)
		r.RemoteAddr = peer
		for _, v := range xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		return r
	}
	for _, c := range []struct {
		name string
		r    *http.Request
		want string
	}{
		{"an untrusted peer's claim is ignored", req("203.0.113.9:5000", "198.51.100.1"), "203.0.113.9"},
		{"behind a trusted proxy, the address it names", req("127.0.0.1:5000", "198.51.100.1"), "198.51.100.1"},
		{"what the caller claimed left of it is ignored", req("127.0.0.1:5000", "6.6.6.6, 198.51.100.1"), "198.51.100.1"},
		{"a chain of trusted proxies is walked", req("127.0.0.1:5000", "198.51.100.1, 10.1.2.3", "10.9.9.9"), "198.51.100.1"},
		{"a trusted proxy naming nobody is the client", req("[::1]:5000"), "::1"},
		{"a malformed hop trusts nothing left of it", req("127.0.0.1:5000", "198.51.100.1, nonsense"), "127.0.0.1"},
		{"only trusted hops: the peer", req("127.0.0.1:5000", "10.0.0.1"), "127.0.0.1"},
	} {
		if got := p.Client(c.r); got != c.want {
			t.Errorf("%s: client %q, want %q", c.name, got, c.want)
		}
	}
	if got := Proxies(nil).Client(req("127.0.0.1:5000", "198.51.100.1")); got != "127.0.0.1" {
		t.Errorf("no trusted proxies: client %q, want the peer", got)
	}
}

func TestProxiesForwarded(t *testing.T) {
	p, _ := ParseProxies([]string{"192.0.2.10"})
	r := httptest.NewRequest(http.MethodGet, "/console", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	if p.Forwarded(r) {
		t.Error("a plain loopback request counted as forwarded")
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "Via"} {
		f := r.Clone(r.Context())
		f.Header.Set(h, "x")
		if !Proxies(nil).Forwarded(f) {
			t.Errorf("a request with %s not counted as forwarded", h)
		}
	}
	r.RemoteAddr = "192.0.2.10:5000"
	if !p.Forwarded(r) {
		t.Error("a request from a trusted proxy not counted as forwarded")
	}
}
