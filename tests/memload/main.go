// Command memload measures the resident memory of `switchboard serve` under many
// concurrent compressed webhook bodies that inflate to several MiB: the RSS at start,
// its peak under load, and where it settles afterwards (issue 12). It is a measurement,
// not a test: it prints figures and asserts nothing.
//
//	go run ./tests/memload -bin ./build/switchboard -n 50 -payload bomb
//	go run ./tests/memload -bin ./build/switchboard -n 50 -payload tracker
//
// bomb: a Rasa tracker of one event repeated, ~7.5 MiB of JSON deflated to ~10 KB (the
// issue's attack). tracker: ~7.5 MiB of varied events compressing about 10:1, as a
// long real conversation does. Only 127.0.0.1 is ever loaded.
package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "build/switchboard", "switchboard binary to measure")
	n := flag.Int("n", 50, "concurrent requests")
	rounds := flag.Int("rounds", 3, "waves of n concurrent requests")
	payload := flag.String("payload", "bomb", "bomb | tracker")
	size := flag.Int("size", 15<<19, "inflated JSON size in bytes (default 7.5 MiB)")
	settle := flag.Duration("settle", 20*time.Second, "how long to watch RSS after the load")
	flag.Parse()

	body, inflated := build(*payload, *size)
	fmt.Printf("payload %s: %d bytes deflated, %d bytes inflated (ratio %.0f)\n", *payload, len(body), inflated, float64(inflated)/float64(len(body)))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, *bin, "serve", "-addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "SWITCHBOARD_DATA_DIR="+must(os.MkdirTemp("", "memload-*")),
		"SWITCHBOARD_SECURITY_PER_SESSION_RATE=-1", "SWITCHBOARD_SECURITY_PER_SOURCE_RATE=-1",
		"SWITCHBOARD_SECURITY_UPLOADS_PER_SOURCE=-1", "SWITCHBOARD_TELEMETRY_LOG_LEVEL=error")
	out := must(cmd.StdoutPipe())
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	defer cmd.Process.Kill()
	addr := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "listening on http://"); ok {
			addr, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	go io.Copy(io.Discard, out)
	if addr == "" {
		fail(fmt.Errorf("serve did not say where it listens"))
	}
	pid := cmd.Process.Pid
	url := "http://" + addr + "/webhooks/rasa"
	// Warm up with one small request, then take the starting RSS.
	post(url, mini())
	time.Sleep(time.Second)
	start := rss(pid)

	var peak atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if r := rss(pid); r > peak.Load() {
					peak.Store(r)
				}
			}
		}
	}()
	codes := map[int]int{}
	var mu sync.Mutex
	began := time.Now()
	for r := 0; r < *rounds; r++ {
		var wg sync.WaitGroup
		for i := 0; i < *n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := post(url, body)
				mu.Lock()
				codes[c]++
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	took := time.Since(began)
	close(stop)
	fmt.Printf("%d requests (%d waves of %d) in %s; answers %v\n", *rounds**n, *rounds, *n, took.Round(time.Millisecond), codes)
	fmt.Printf("RSS start %.1f MB, peak %.1f MB\n", mb(start), mb(peak.Load()))
	for _, at := range []time.Duration{time.Second, 5 * time.Second, *settle} {
		time.Sleep(at - sinceEnd(began, took))
		fmt.Printf("RSS %s after the load: %.1f MB\n", at, mb(rss(pid)))
	}
}

func sinceEnd(began time.Time, took time.Duration) time.Duration { return time.Since(began.Add(took)) }

func build(kind string, size int) ([]byte, int) {
	var events bytes.Buffer
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; events.Len() < size; i++ {
		if events.Len() > 0 {
			events.WriteByte(',')
		}
		if kind == "bomb" {
			events.WriteString(`{"event":"user","timestamp":1700000000.0,"text":"hello there","parse_data":{"intent":{"name":"greet","confidence":0.99}}}`)
			continue
		}
		fmt.Fprintf(&events, `{"event":"user","timestamp":%d.%03d,"text":"message %x about order %d","message_id":"%016x%016x","parse_data":{"intent":{"name":"intent_%d","confidence":0.%04d}}}`,
			1700000000+i, r.IntN(1000), r.Uint64(), r.IntN(1e6), r.Uint64(), r.Uint64(), r.IntN(20), r.IntN(10000))
	}
	js := `{"next_action":"action_search_kb","sender_id":"memload","tracker":{"sender_id":"memload","slots":{"query":"reset my password"},` +
		`"latest_message":{"intent":{"name":"search_kb","confidence":0.99},"entities":[],"text":"How do I reset my password?"},` +
		`"events":[` + events.String() + `]},"domain":{},"version":"3.6.0"}`
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write([]byte(js))
	zw.Close()
	return z.Bytes(), len(js)
}

func mini() []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(`{"next_action":"action_search_kb","sender_id":"warm","tracker":{"sender_id":"warm","slots":{"query":"password"},"latest_message":{"text":"reset password"},"events":[]}}`))
	zw.Close()
	return z.Bytes()
}

var client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}

func post(url string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "deflate")
	resp, err := client.Do(req)
	if err != nil {
		return -1
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// rss reads VmRSS of pid from /proc, in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func mb(b int64) float64 { return float64(b) / 1e6 }

func must[T any](v T, err error) T {
	if err != nil {
		fail(err)
	}
	return v
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "memload:", err)
	os.Exit(1)
}
