package identity_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/switchboard-dev/switchboard/shared/awsenv"
	"github.com/switchboard-dev/switchboard/shared/identity"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/embedded"
	"github.com/switchboard-dev/switchboard/shared/store/memstore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// stores are the backends the limits are held on: memory, the embedded SQLite store
// (`switchboard serve`), and DynamoDB (moto) through the production client with its
// retries (a retried conditional write that had landed only takes one more slot: the
// limits err on the side of sending less).
func stores(t *testing.T, now func() time.Time) map[string]store.Store {
	client := dynamostore.NewClientWith(aws.Config{Region: "us-east-1", Retryer: awsenv.NewRetryer,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "testing")},
		testenv.Moto(t), storetest.MotoIsolation)
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	emb, err := embedded.Open(context.Background(), filepath.Join(t.TempDir(), "store.db"), embedded.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emb.Close() })
	return map[string]store.Store{
		"memstore": memstore.New(now),
		"embedded": emb,
		"dynamodb": dynamostore.New(client, table, dynamostore.Options{Now: now}),
	}
}

// The conversation's hourly limit holds however many requests run at once: of 20
// concurrent code requests for one email from one conversation, exactly PerHour are
// sent; the owner's own conversation still gets its code meanwhile; an hour after the
// first ones, the conversation's slots are free again.
func TestConversationCodeLimitHoldsUnderConcurrency(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	for name, st := range stores(t, clock.Now) {
		t.Run(name, func(t *testing.T) {
			c := identity.NewCodes(st, identity.CodeOptions{Now: clock.Now, Pepper: "p"})
			email := name + "-conv@example.com"
			const n = 20
			var i atomic.Int64
			sent, limited, other := storetest.Race(n, func() error {
				k := strconv.FormatInt(i.Add(1), 10)
				code, err := c.Issue(context.Background(), "stranger-"+name, email, "turn-"+k, true)
				if err == nil && code == "" {
					return errors.New("no code sent")
				}
				return err
			}, identity.ErrRateLimited)
			if sent != 3 || limited != n-3 || len(other) > 0 {
				t.Fatalf("sent %d, rate limited %d, errors %v; want 3 sent", sent, limited, other)
			}
			if code, err := c.Issue(context.Background(), "owner-"+name, email, "turn-owner", true); err != nil || code == "" {
				t.Fatalf("the owner's conversation after a stranger's 20 requests: %q, %v; want a code", code, err)
			}
			clock.Advance(59 * time.Minute)
			if _, err := c.Issue(context.Background(), "stranger-"+name, email, "turn-later", true); !errors.Is(err, identity.ErrRateLimited) {
				t.Fatalf("59 minutes later: %v, want ErrRateLimited", err)
			}
			clock.Advance(time.Minute)
			if code, err := c.Issue(context.Background(), "stranger-"+name, email, "turn-later2", true); err != nil || code == "" {
				t.Fatalf("an hour later: %q, %v; want a code", code, err)
			}
		})
	}
}

// The daily ceiling holds however many conversations ask at once: of 20 concurrent
// requests from 20 conversations, exactly PerDay codes are sent (and mailed), every
// later request is refused until 24 hours after the first ones.
func TestDailyCodeCeilingHoldsUnderConcurrency(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	for name, st := range stores(t, clock.Now) {
		t.Run(name, func(t *testing.T) {
			c := identity.NewCodes(st, identity.CodeOptions{Now: clock.Now, Pepper: "p"})
			email := name + "-day@example.com"
			const n = 20
			var i atomic.Int64
			sent, limited, other := storetest.Race(n, func() error {
				k := strconv.FormatInt(i.Add(1), 10)
				code, err := c.Issue(context.Background(), "session-"+k, email, "turn-"+k, true)
				if err == nil && code == "" {
					return errors.New("no code sent")
				}
				return err
			}, identity.ErrRateLimited)
			if sent != 10 || limited != n-10 || len(other) > 0 {
				t.Fatalf("sent %d, rate limited %d, errors %v; want 10 sent", sent, limited, other)
			}
			for _, d := range []time.Duration{time.Minute, 2 * time.Hour, 21*time.Hour + 58*time.Minute} {
				clock.Advance(d)
				if _, err := c.Issue(context.Background(), "new-"+d.String(), email, "turn-new", true); !errors.Is(err, identity.ErrRateLimited) {
					t.Fatalf("after %s more: %v, want ErrRateLimited (the daily ceiling)", d, err)
				}
			}
			clock.Advance(time.Minute) // 24 h after the first ones
			if code, err := c.Issue(context.Background(), "next-day", email, "turn-next-day", true); err != nil || code == "" {
				t.Fatalf("a day later: %q, %v; want a code", code, err)
			}
		})
	}
}

// A stranger's requests from one conversation do not stop the owner's request from
// another from getting a code that works, whether or not the email has an account
// (the limits count requests, not accounts).
func TestStrangerCannotLockOutOwner(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	c := identity.NewCodes(memstore.New(clock.Now), identity.CodeOptions{Now: clock.Now, Pepper: "p"})
	ctx := context.Background()
	for i := range 5 {
		_, err := c.Issue(ctx, "stranger", "owner@example.com", "s-"+strconv.Itoa(i), i%2 == 0)
		if want := i >= 3; errors.Is(err, identity.ErrRateLimited) != want {
			t.Fatalf("stranger's request %d: %v", i, err)
		}
	}
	code, err := c.Issue(ctx, "owner", "owner@example.com", "o-1", true)
	if err != nil || code == "" {
		t.Fatalf("owner: %q, %v; want a code", code, err)
	}
	if err := c.Check(ctx, "owner", "owner@example.com", code); err != nil {
		t.Fatalf("owner's code: %v", err)
	}
}

// Concurrent guesses cannot share an attempt: of 20 wrong guesses at once, at most
// Attempts are compared, and the code is gone afterwards (the right code then fails).
func TestCodeAttemptsHoldUnderConcurrency(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	for name, st := range stores(t, clock.Now) {
		t.Run(name, func(t *testing.T) {
			c := identity.NewCodes(st, identity.CodeOptions{Now: clock.Now, Pepper: "p"})
			ctx := context.Background()
			code, err := c.Issue(ctx, "s", "guess@example.com", "turn-1", true)
			if err != nil || code == "" {
				t.Fatalf("Issue: %q %v", code, err)
			}
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			const n = 20
			var wg sync.WaitGroup
			var mu sync.Mutex
			count := map[error]int{}
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := c.Check(ctx, "s", "guess@example.com", wrong)
					mu.Lock()
					count[err]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			// Two tries compared and wrong; the third compared try (or a try finding
			// every attempt taken) ends the code; the rest find no code.
			if count[identity.ErrWrongCode]+count[identity.ErrNoAttemptsLeft] != n || count[identity.ErrNoAttemptsLeft] < 1 {
				t.Fatalf("results %v", count)
			}
			if err := c.Check(ctx, "s", "guess@example.com", code); !errors.Is(err, identity.ErrWrongCode) {
				t.Fatalf("the right code after the attempts were used up: %v, want ErrWrongCode", err)
			}
			if ok, _ := c.VerifiedEmail(ctx, "s", "guess@example.com"); ok {
				t.Fatal("the session was verified")
			}
		})
	}
}

// Sequentially: two wrong tries, then the right code verifies; a new code starts with
// all its attempts.
func TestCodeAttemptsSequential(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	c := identity.NewCodes(memstore.New(clock.Now), identity.CodeOptions{Now: clock.Now, Pepper: "p"})
	ctx := context.Background()
	for round := range 2 {
		code, err := c.Issue(ctx, "s", "seq@example.com", "turn-"+strconv.Itoa(round), true)
		if err != nil {
			t.Fatal(err)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := range 2 {
			if err := c.Check(ctx, "s", "seq@example.com", wrong); !errors.Is(err, identity.ErrWrongCode) {
				t.Fatalf("round %d wrong try %d: %v", round, i, err)
			}
		}
		if err := c.Check(ctx, "s", "seq@example.com", code); err != nil {
			t.Fatalf("round %d: the right code on the last attempt: %v", round, err)
		}
		if ok, err := c.VerifiedEmail(ctx, "s", "seq@example.com"); !ok || err != nil {
			t.Fatalf("round %d: not verified (%v)", round, err)
		}
	}
}

// The pepper keys every stored hash: a code issued under one pepper is not accepted
// under another (rotating it ends live codes and verified sessions), the store keys
// differ, and a pepper that cannot be had fails the call instead of keying with less.
func TestCodesArePepperedBySecret(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	st := memstore.New(clock.Now)
	pepperA := strings.Repeat("a", identity.MinPepper)
	pepperB := strings.Repeat("b", identity.MinPepper)
	fixed := func(p string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return p, nil }
	}
	a := identity.NewCodes(st, identity.CodeOptions{Now: clock.Now, PepperFunc: fixed(pepperA), Pepper: "ignored"})
	b := identity.NewCodes(st, identity.CodeOptions{Now: clock.Now, PepperFunc: fixed(pepperB), Pepper: "ignored"})
	ctx := context.Background()
	code, err := a.Issue(ctx, "s", "pep@example.com", "t1", true)
	if err != nil || len(code) != 6 {
		t.Fatalf("issue: %q %v", code, err)
	}
	// The same session, email and turn under B: B finds no record of A's (a retry of
	// A's turn would send nothing), takes its own rate slot and writes its own code.
	nA := st.Len()
	if code, err := b.Issue(ctx, "s", "pep@example.com", "t1", true); err != nil || code == "" {
		t.Fatalf("issue under B: %q %v", code, err)
	}
	if n := st.Len(); n != 2*nA {
		t.Errorf("the other pepper reused %d of %d store keys", 2*nA-n, nA)
	}
	if err := b.Check(ctx, "s", "pep@example.com", code); !errors.Is(err, identity.ErrWrongCode) {
		t.Errorf("a code issued under pepper A checked under B: %v, want ErrWrongCode", err)
	}
	if err := a.Check(ctx, "s", "pep@example.com", code); err != nil {
		t.Fatalf("the right code under its own pepper: %v", err)
	}
	if ok, err := a.VerifiedEmail(ctx, "s", "pep@example.com"); !ok || err != nil {
		t.Errorf("not verified under A: %v %v", ok, err)
	}
	if ok, err := b.VerifiedEmail(ctx, "s", "pep@example.com"); ok || err != nil {
		t.Errorf("a session verified under A reads as verified under B: %v %v", ok, err)
	}

	down := errors.New("secrets manager down")
	for name, f := range map[string]func(context.Context) (string, error){
		"fetch fails": func(context.Context) (string, error) { return "", down },
		"too short":   fixed("short"),
		"missing":     fixed(""),
	} {
		c := identity.NewCodes(st, identity.CodeOptions{Now: clock.Now, PepperFunc: f, Pepper: "fallback-never-used"})
		if code, err := c.Issue(ctx, "s2", "pep@example.com", "t2", true); !errors.Is(err, identity.ErrPepper) || code != "" {
			t.Errorf("%s: Issue = %q, %v; want ErrPepper", name, code, err)
		}
		if err := c.Check(ctx, "s", "pep@example.com", "123456"); !errors.Is(err, identity.ErrPepper) {
			t.Errorf("%s: Check = %v; want ErrPepper", name, err)
		}
		if ok, err := c.VerifiedEmail(ctx, "s", "pep@example.com"); ok || !errors.Is(err, identity.ErrPepper) {
			t.Errorf("%s: VerifiedEmail = %v, %v; want ErrPepper", name, ok, err)
		}
	}
}
