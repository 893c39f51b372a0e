package security

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies trusted to say who their client is
// (security.trusted_proxies): a request whose TCP peer is one of them is attributed to
// the address its X-Forwarded-For names. Empty (the default), the peer is the client.
type Proxies []netip.Prefix

// ParseProxies reads addresses and CIDR prefixes ("127.0.0.1", "10.0.0.0/8", "::1").
func ParseProxies(list []string) (Proxies, error) {
	var out Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("security.trusted_proxies: %q is neither an address nor a CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Trusts reports whether addr (an IP address, no port) is a trusted proxy.
func (p Proxies) Trusts(addr string) bool {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// Client is the address of the caller behind r: its TCP peer, or, when the peer is a
// trusted proxy, the rightmost X-Forwarded-For address that is not a trusted proxy
// (the leftmost ones are whatever the caller claimed). A trusted proxy that names no
// other address is the client itself.
func (p Proxies) Client(r *http.Request) string { return p.ClientOf(peerAddr(r), r.Header) }

// ClientOf is Client for a request known by its peer address and headers.
func (p Proxies) ClientOf(peer string, h http.Header) string {
	if len(p) == 0 || !p.Trusts(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(h.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(h)
		if err != nil {
			return peer // a malformed hop: trust nothing left of it
		}
		if !p.Trusts(h) {
			return a.Unmap().String()
		}
	}
	return peer
}

// peerAddr is r's TCP peer address, without its port.
func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// forwardHeaders are the headers a reverse proxy adds (nginx's X-Real-IP, RFC 7239's
// Forwarded, the de facto X-Forwarded-*, HTTP's Via).
var forwardHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "Via"}

// Forwarded reports whether r reached this server through a proxy: its peer is a
// trusted proxy, or it carries a header proxies add. A forwarded request is never
// "from this machine", even on a loopback listener: a reverse proxy on the same host
// relays strangers from loopback.
func (p Proxies) Forwarded(r *http.Request) bool {
	if p.Trusts(peerAddr(r)) {
		return true
	}
	for _, h := range forwardHeaders {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}
