package tests

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/intents/spec"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

// dynamoCalls is a reverse proxy in front of moto that counts DynamoDB calls by
// operation (the X-Amz-Target header), whoever makes them.
type dynamoCalls struct {
	mu sync.Mutex
	n  map[string]int
}

func countDynamo(t testing.TB, moto string) (string, *dynamoCalls) {
	t.Helper()
	target, err := url.Parse(moto)
	if err != nil {
		t.Fatal(err)
	}
	c := &dynamoCalls{n: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tg := r.Header.Get("X-Amz-Target"); strings.HasPrefix(tg, "DynamoDB_") {
			_, op, _ := strings.Cut(tg, ".")
			c.mu.Lock()
			c.n[op]++
			c.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, c
}

// take returns the calls counted since the last take.
func (c *dynamoCalls) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

func writesOf(calls map[string]int) int {
	return calls["PutItem"] + calls["UpdateItem"] + calls["DeleteItem"] + calls["TransactWriteItems"] + calls["BatchWriteItem"]
}

// The store cost of each intent through the production wiring (app.Build on the
// DynamoDB store in moto, the demo tools, signed callers): a read turn makes no store
// write — by default none at all, its cache being per process — and a new
// create_ticket turn makes two calls (a TransactWriteItems claiming the turn while
// checking that no unknown outcome holds the same customer and subject, an UpdateItem
// recording the reply). With store.cache.shared a read's cache miss also writes its
// entry, the cost that option documents.
func TestStoreCallsPerTurn(t *testing.T) {
	moto := testenv.Moto(t)
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	endpoint, calls := countDynamo(t, moto)
	testenv.AWSEnv(t, moto)
	// Every registered read, signed in where its answer depends on the caller.
	type read struct {
		in   conversation.Intent
		file string
	}
	var reads []read
	for _, in := range spec.All() {
		if in.Write {
			continue
		}
		file := in.Samples
		if in.Identity {
			file = strings.TrimSuffix(file, ".json") + "_signed.json"
		}
		reads = append(reads, read{conversation.Intent(in.Name), file})
	}
	for _, shared := range []bool{false, true} {
		t.Run("shared="+strconv.FormatBool(shared), func(t *testing.T) {
			cfg, err := config.LoadEmbedded([]string{
				"SWITCHBOARD_DATA_DIR=" + t.TempDir(),
				"SWITCHBOARD_STORE_BACKEND=dynamodb", "SWITCHBOARD_STORE_TABLE=" + table, "SWITCHBOARD_STORE_ENDPOINT=" + endpoint,
				"SWITCHBOARD_STORE_CACHE_SHARED=" + strconv.FormatBool(shared),
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			a, err := app.Build(ctx, cfg, app.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			serve := func(file, id string) string {
				t.Helper()
				body := withTurnID(t, readEvent(t, conversation.DialogflowES, file), id+"-"+strconv.FormatInt(time.Now().UnixNano(), 10))
				resp := a.Engine.Serve(ctx, conversation.DialogflowES, body)
				if resp.Status != http.StatusOK {
					t.Fatalf("%s: HTTP %d %s", file, resp.Status, resp.Body)
				}
				return string(resp.Body)
			}
			calls.take()
			for _, r := range reads {
				serve(r.file, "first")
				first := calls.take()
				serve(r.file, "again") // a new turn asking the same: a cache hit
				again := calls.take()
				t.Logf("%s: first turn %v, a new turn asking the same %v", r.in, first, again)
				if w := writesOf(first) + writesOf(again); !shared && w != 0 {
					t.Errorf("%s: %d store writes (first %v, again %v), want none", r.in, w, first, again)
				}
				if !shared && len(first)+len(again) != 0 {
					t.Errorf("%s: store calls %v then %v; the per-process cache makes none", r.in, first, again)
				}
				if shared && (writesOf(first) < 1 || writesOf(again) != 0) {
					t.Errorf("%s: shared cache: writes %v then %v, want the miss's entries written, then none", r.in, first, again)
				}
			}
			body := serve("create_ticket_signed.json", "ticket")
			if !strings.Contains(body, "ticket #") {
				t.Fatalf("create_ticket: %s", body)
			}
			if got := calls.take(); len(got) != 2 || got["TransactWriteItems"] != 1 || got["UpdateItem"] != 1 {
				t.Errorf("create_ticket: store calls %v, want 1 TransactWriteItems + 1 UpdateItem", got)
			} else {
				t.Logf("create_ticket: %v", got)
			}
		})
	}
}
