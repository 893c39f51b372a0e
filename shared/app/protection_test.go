package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/shared/app"
	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/conversation"
	_ "github.com/switchboard-dev/switchboard/shared/intents/handlers" // every intent's handler
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
	"github.com/switchboard-dev/switchboard/shared/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func event(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "events", "dialogflow", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The default build (demo tools, embedded store) replays a redelivered create-ticket
// turn instead of filing a second ticket, across a restart of the process.
func TestBuildProtectsTicketCreationAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=" + dir})
	if err != nil {
		t.Fatal(err)
	}
	body := event(t, "create_ticket.json")
	serve := func() []byte {
		a, err := app.Build(context.Background(), cfg, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		resp := a.Engine.Serve(context.Background(), conversation.DialogflowES, body)
		if resp.Status != 200 || !strings.Contains(string(resp.Body), "created ticket #") {
			t.Fatalf("HTTP %d %s", resp.Status, resp.Body)
		}
		return resp.Body
	}
	first, second := serve(), serve()
	if !bytes.Equal(first, second) {
		t.Fatalf("redelivery got another answer:\n%s\n%s", first, second)
	}
	if _, err := os.Stat(filepath.Join(dir, "store.db")); err != nil {
		t.Fatalf("embedded store not at <data_dir>/store.db: %v", err)
	}
}

func TestBuildWithDynamoDBStore(t *testing.T) {
	endpoint := testenv.Moto(t)
	testenv.AWSEnv(t, endpoint)
	client, err := dynamostore.NewClient(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	table := storetest.MotoTable(t, storetest.MotoClient(t))
	cfg, err := config.Load("", []string{"SWITCHBOARD_DATA_DIR=" + t.TempDir(), "SWITCHBOARD_STORE_BACKEND=dynamodb",
		"SWITCHBOARD_STORE_TABLE=" + table})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Build(context.Background(), cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	body := event(t, "create_ticket.json")
	first := a.Engine.Serve(context.Background(), conversation.DialogflowES, body)
	second := a.Engine.Serve(context.Background(), conversation.DialogflowES, body)
	if !strings.Contains(string(first.Body), "created ticket #") || !bytes.Equal(first.Body, second.Body) {
		t.Fatalf("replies:\n%s\n%s", first.Body, second.Body)
	}
	st := dynamostore.New(client, table, dynamostore.Options{})
	if _, err := st.Get(context.Background(), "create_ticket#idem#"+store.Hash("create_ticket", "dialogflow", "a6f0c2e8-1b4d-47a9-b3c5-8e2f1d0a9c74-0820055c",
		app.IdempotencyScope(cfg))); err != nil {
		t.Fatalf("no idempotency record under create_ticket#: %v", err)
	}
	if _, _, err := app.OpenStore(context.Background(), config.Store{Backend: "redis"}); err == nil {
		t.Fatal("unknown backend accepted")
	}
}

// A deployment whose turns never reach the store (one read intent, the read cache per
// process, no one-time codes: searchkb) opens none, which is what lets its Lambda
// binary leave the store's DynamoDB client out; any of the three needs it back.
func TestBuildOpensTheStoreOnlyWhenATurnCanReachIt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   []string
		event string
		want  bool
	}{
		{"search_kb alone", []string{"SWITCHBOARD_INTENTS_ENABLED=search_kb"}, "search_kb.json", false},
		{"create_ticket (idempotent)", []string{"SWITCHBOARD_INTENTS_ENABLED=create_ticket"}, "create_ticket.json", true},
		{"search_kb, shared cache", []string{"SWITCHBOARD_INTENTS_ENABLED=search_kb", "SWITCHBOARD_STORE_CACHE_SHARED=true"}, "search_kb.json", true},
		{"search_kb made idempotent", []string{"SWITCHBOARD_INTENTS_ENABLED=search_kb", "SWITCHBOARD_STORE_IDEMPOTENT_INTENTS=search_kb"}, "search_kb.json", true},
		{"search_kb, codes by outbox", []string{"SWITCHBOARD_INTENTS_ENABLED=search_kb", "SWITCHBOARD_IDENTITY_CODES_SENDER=outbox"}, "search_kb.json", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			env := append([]string{"SWITCHBOARD_DATA_DIR=" + dir, "SWITCHBOARD_IDENTITY_CODES_SENDER=none"}, tc.env...)
			cfg, err := config.Load("", env)
			if err != nil {
				t.Fatal(err)
			}
			if got := app.NeedsStore(cfg); got != tc.want {
				t.Errorf("NeedsStore = %v, want %v", got, tc.want)
			}
			a, err := app.Build(context.Background(), cfg, app.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			resp := a.Engine.Serve(context.Background(), conversation.DialogflowES, event(t, tc.event))
			if resp.Status != 200 || strings.Contains(string(resp.Body), "went wrong") {
				t.Fatalf("HTTP %d %s", resp.Status, resp.Body)
			}
			_, err = os.Stat(filepath.Join(dir, "store.db"))
			if opened := err == nil; opened != tc.want {
				t.Errorf("store opened = %v, want %v", opened, tc.want)
			}
		})
	}
}
