package storetest

import (
	"net"
	"sync/atomic"
	"testing"
)

// HangUp is an endpoint that accepts every connection and closes it at once — a
// store that is down — and counts the connections, so a test can say how much an
// outage costs in attempts rather than in time.
func HangUp(t testing.TB) (endpoint string, connections func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return "http://" + ln.Addr().String(), func() int { return int(n.Load()) }
}
