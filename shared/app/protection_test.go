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
