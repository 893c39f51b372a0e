package server

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/engine"
	"github.com/switchboard-dev/switchboard/shared/security"
)

// stallServer runs Handler behind Serve (the real http.Server settings) on loopback.
// Requests carrying X-Stall have their body wrapped so the test learns when the
// handler first reads it.
func stallServer(t testing.TB, sec config.Security) (addr string, e *engine.Engine, reading <-chan struct{}) {
	t.Helper()
	sec.Webhooks["lex"] = config.WebhookAuth{Method: config.AuthNone}
	e, _ = guardedEngine(t, sec)
	h := Handler(e, Options{})
	ch := make(chan struct{}, 1024)
	wrapped := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Stall") != "" {
			r.Body = &firstRead{ReadCloser: r.Body, ch: ch}
		}
		h.ServeHTTP(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, "127.0.0.1:0", wrapped, time.Second, func(a net.Addr) { ready <- a }) }()
	select {
	case a := <-ready:
		addr = a.String()
	case err := <-done:
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	return addr, e, ch
}

type firstRead struct {
	io.ReadCloser
	once sync.Once
	ch   chan<- struct{}
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(func() { f.ch <- struct{}{} })
	return f.ReadCloser.Read(p)
}

// stall opens a connection from source (a 127.0.0.x address) and sends the headers of
// a webhook call whose body never comes: 8 MiB declared, or chunked. Whatever the
// server answers is sent to answered.
func stall(t testing.TB, addr, source string, chunked bool, answered chan<- int) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}, Timeout: 10 * time.Second}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", source, err)
	}
	t.Cleanup(func() { conn.Close() })
	length := "Content-Length: 8388608\r\n"
	if chunked {
		length = "Transfer-Encoding: chunked\r\n"
	}
	if _, err := fmt.Fprintf(conn, "POST /webhooks/lex HTTP/1.1\r\nHost: switchboard\r\nContent-Type: application/json\r\nX-Stall: 1\r\n%s\r\n", length); err != nil {
		t.Fatal(err)
	}
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return // closed by the test
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	return conn
}

// normal is a 1 KB webhook call from 127.0.0.1.
func normal(t testing.TB, ctx context.Context, addr string) (int, string) {
	t.Helper()
	body := `{"sessionId":"s","inputTranscript":"` + strings.Repeat("x", 1000) + `"}`
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/webhooks/lex", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("normal request: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestStalledUploadsCostOthersNothing: connections that declare an 8 MiB body (or
// chunked) and send nothing hold no in-flight budget, so while 50 of them from one
// address, or 8 from eight addresses, are open, a normal call gets its answer. (Before,
// each reserved its worst case from its headers: four filled the 64 MiB budget and
// every other call got 503.) The stalled connections stay open for the whole test
// (idle timeout of a minute): what is checked is what they cost, not how they end.
func TestStalledUploadsCostOthersNothing(t *testing.T) {
	for _, c := range []struct {
		name    string
		sources []string
	}{
		{"50 from one address", repeat("127.0.0.2", 50)},
		{"8 from eight addresses", []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sec := config.Default().Security
			sec.PerSourceRate = -1
			sec.BodyIdleTimeout = time.Minute
			addr, e, reading := stallServer(t, sec)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // hang guard only
			defer cancel()
			answered := make(chan int, len(c.sources))
			for i, src := range c.sources {
				stall(t, addr, src, i%2 == 1, answered)
			}
			// Wait until every stalled call is either being read by the handler or
			// already answered (refused).
			codes := map[int]int{}
			for settled := 0; settled < len(c.sources); settled++ {
				select {
				case <-reading:
					codes[0]++
				case code := <-answered:
					codes[code]++
				case <-ctx.Done():
					t.Fatalf("stalled calls never reached the handler: %d of %d settled (%v)", settled, len(c.sources), codes)
				}
			}
			if codes[0] == 0 {
				t.Fatalf("no stalled call is being read (%v): the test stalls nothing", codes)
			}
			for code := range codes {
				if code != 0 && code != http.StatusTooManyRequests {
					t.Errorf("a stalled call was answered %d before the normal one", code)
				}
			}
			if used := e.Guard().Budget.InUse(); used > int64(codes[0])*firstChunk {
				t.Errorf("%d stalled calls that sent nothing hold %d bytes of the budget, want at most %d", codes[0], used, codes[0]*firstChunk)
			}
			if status, body := normal(t, ctx, addr); status != http.StatusOK {
				t.Fatalf("normal call during the stall (%d stalled being read): %d %s", codes[0], status, body)
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestUploadsCappedPerSource: one address may be sending uploads_per_source bodies at
// once; the next is refused (429, reason rate) before its body is read, and another
// address is not affected.
func TestUploadsCappedPerSource(t *testing.T) {
	sec := config.Default().Security
	sec.PerSourceRate = -1
	sec.UploadsPerSource = 2
	sec.BodyIdleTimeout = time.Minute
	addr, _, reading := stallServer(t, sec)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // hang guard only
	defer cancel()
	answered := make(chan int, 8)
	for i := 0; i < 2; i++ {
		stall(t, addr, "127.0.0.2", false, answered)
		select {
		case <-reading:
		case code := <-answered:
			t.Fatalf("upload %d within the cap answered %d", i+1, code)
		case <-ctx.Done():
			t.Fatal("hang")
		}
	}
	stall(t, addr, "127.0.0.2", true, answered)
	select {
	case code := <-answered:
		if code != http.StatusTooManyRequests {
			t.Fatalf("third upload from one address: %d, want 429", code)
		}
	case <-reading:
		t.Fatal("third upload from one address is being read, want refused")
	case <-ctx.Done():
		t.Fatal("third upload from one address never answered")
	}
	stall(t, addr, "127.0.0.3", false, answered)
	select {
	case <-reading:
	case code := <-answered:
		t.Fatalf("upload from another address answered %d", code)
	case <-ctx.Done():
		t.Fatal("hang")
	}
}

// TestSlowBodyCutOff: a body that does not start within the idle timeout, or trickles
// below the minimum rate, is refused with 408 and a JSON reason, and its connection
// closed. The timeouts are tiny here; the test checks what happens, not when.
func TestSlowBodyCutOff(t *testing.T) {
	sec := config.Default().Security
	sec.PerSourceRate = -1
	sec.BodyIdleTimeout = 200 * time.Millisecond
	sec.BodyMinRate = 1000
	addr, e, _ := stallServer(t, sec)
	dial := func() (net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		conn.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
		return conn, bufio.NewReader(conn)
	}
	check := func(name string, br *bufio.Reader) {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: no answer: %v", name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "too slowly") || !resp.Close {
			t.Errorf("%s: %d %s (close %v), want 408 with a reason and the connection closed", name, resp.StatusCode, b, resp.Close)
		}
	}

	// Headers, then nothing.
	conn, br := dial()
	fmt.Fprintf(conn, "POST /webhooks/lex HTTP/1.1\r\nHost: s\r\nContent-Length: 5000\r\n\r\n")
	check("silent body", br)

	// A byte every 50 ms: never a pause over the idle timeout, 20 bytes/s on average.
	conn, br = dial()
	fmt.Fprintf(conn, "POST /webhooks/lex HTTP/1.1\r\nHost: s\r\nContent-Length: 5000\r\n\r\n")
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	check("trickling body", br)
	close(stop)

	// A whole body is answered as usual.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if status, body := normal(t, ctx, addr); status != http.StatusOK {
		t.Fatalf("normal call: %d %s", status, body)
	}
	if used := e.Guard().Budget.InUse(); used != 0 {
		t.Errorf("%d budget bytes still held after every call ended", used)
	}
}

// TestClaimGrowsWithWhatArrives: while a body arrives, what it holds of the budget is
// at most twice what has been sent plus the first chunk; once read it holds the body
// and its decoded form; and a body that declares 8 MiB holds nothing for it.
func TestClaimGrowsWithWhatArrives(t *testing.T) {
	t.Parallel()
	for _, enc := range []string{"", "deflate"} {
		b := security.NewBudget(64 << 20)
		c := b.Claim()
		pr, pw := io.Pipe()
		done := make(chan []byte)
		go func() {
			body, err := readBody(context.Background(), pr, enc, bodyLimits{Max: 8 << 20, Ratio: 1000}, c)
			if err != nil {
				t.Error(err)
			}
			done <- body
		}()
		var w io.Writer = pw
		var zw interface{ Flush() error }
		if enc == "deflate" {
			z := zlib.NewWriter(pw)
			w, zw = z, z
		}
		sent := int64(0)
		chunk := []byte(strings.Repeat(`{"a":1}`, 1000))
		for i := 0; i < 200; i++ {
			w.Write(chunk)
			if zw != nil {
				zw.Flush()
			}
			sent += int64(len(chunk))
			// The reader has consumed what was written (io.Pipe): it holds at most
			// twice that (inflated) plus a first chunk, and the inflater.
			bound := 2*sent + firstChunk
			if enc != "" {
				bound += inflaterCost
			}
			if used := b.InUse(); used > bound {
				t.Fatalf("%q: %d bytes sent, %d claimed, want at most %d", enc, sent, used, bound)
			}
		}
		if zc, ok := w.(io.Closer); ok && zw != nil {
			zc.Close()
		}
		pw.Close()
		body := <-done
		if int64(len(body)) != sent {
			t.Fatalf("%q: read %d bytes, sent %d", enc, len(body), sent)
		}
		if got, want := b.InUse(), 2*sent; got < want || got > want+inflaterCost+firstChunk {
			t.Errorf("%q: a read body of %d bytes holds %d, want about %d (body and decoded form)", enc, sent, got, want)
		}
		c.Release()
		if b.InUse() != 0 {
			t.Errorf("%q: %d bytes left after Release", enc, b.InUse())
		}
	}
}

// BenchmarkNormalDuringStall: the time of a normal 1 KB call (over a kept-alive
// connection) with no stall, while 50 connections from one address stall their
// bodies, and while 8 from eight addresses do. Each op must be answered 200.
//
//	go test -run '^$' -bench NormalDuringStall -benchtime 2000x ./shared/server
func BenchmarkNormalDuringStall(b *testing.B) {
	eight := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9"}
	for _, c := range []struct {
		name    string
		sources []string
	}{{"quiet", nil}, {"50 stalled from one address", repeat("127.0.0.2", 50)}, {"8 stalled from eight addresses", eight}} {
		b.Run(c.name, func(b *testing.B) {
			sec := config.Default().Security
			sec.PerSourceRate = -1
			sec.BodyIdleTimeout = time.Hour
			addr, _, reading := stallServer(b, sec)
			answered := make(chan int, len(c.sources))
			for i, src := range c.sources {
				stall(b, addr, src, i%2 == 1, answered)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard only
			defer cancel()
			for settled := 0; settled < len(c.sources); settled++ {
				select {
				case <-reading:
				case <-answered:
				case <-ctx.Done():
					b.Fatal("stalled calls never settled")
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if status, body := normal(b, ctx, addr); status != http.StatusOK {
					b.Fatalf("normal call: %d %s", status, body)
				}
			}
		})
	}
}

// TestSmallBodyClaimsItsLength: an uncompressed body declared shorter than the first
// chunk is read into a buffer of its length and one byte (to see its end), and that
// is what it holds of the budget beside its decoded form; a compressed one, or one
// of unknown length, still gets the first chunk.
func TestSmallBodyClaimsItsLength(t *testing.T) {
	t.Parallel()
	sample := bytes.Repeat([]byte("x"), 1400)
	for _, c := range []struct {
		enc      string
		declared int64
		holds    int64
	}{
		{"", int64(len(sample)), int64(2*len(sample) + 1)},
		{"identity", int64(len(sample)), int64(2*len(sample) + 1)},
		{"", -1, int64(len(sample) + firstChunk)},
		{"", firstChunk, int64(len(sample) + firstChunk)},
	} {
		b := security.NewBudget(64 << 20)
		claim := b.Claim()
		body, err := readBody(context.Background(), bytes.NewReader(sample), c.enc, bodyLimits{Max: 8 << 20, Declared: c.declared}, claim)
		if err != nil || !bytes.Equal(body, sample) {
			t.Fatalf("%+v: read %d bytes, %v", c, len(body), err)
		}
		if got := b.InUse(); got != c.holds {
			t.Errorf("%+v: holds %d of the budget, want %d", c, got, c.holds)
		}
		claim.Release()
	}
}
