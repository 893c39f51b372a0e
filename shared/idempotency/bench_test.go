package idempotency_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/shared/conversation"
	"github.com/switchboard-dev/switchboard/shared/idempotency"
	"github.com/switchboard-dev/switchboard/shared/store"
	"github.com/switchboard-dev/switchboard/shared/store/dynamostore"
	"github.com/switchboard-dev/switchboard/shared/store/storetest"
)

// BenchmarkHit is the duplicate path: a redelivered, completed turn answered from the
// store without touching the tool (one conditional PutItem on DynamoDB).
func BenchmarkHit(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, counting := open(b, be)
			h := &tool{}
			m := idempotency.New(s, h, idempotency.Options{})
			tn := turn()
			tn.Deadline = time.Time{}
			ctx := context.Background()
			m.Handle(ctx, tn)
			var before dynamostore.Counts
			if counting != nil {
				before = counting.Counts()
			}
			b.ReportAllocs()
			for b.Loop() {
				if r := m.Handle(ctx, tn); r.Outcome != conversation.OutcomeFulfilled {
					b.Fatal(r)
				}
			}
			if h.calls.Load() != 1 {
				b.Fatalf("tool called %d times", h.calls.Load())
			}
			if counting != nil {
				c := counting.Counts().Sub(before)
				b.ReportMetric(float64(c.Total())/float64(b.N), "ddb-calls/op")
			}
		})
	}
}

// BenchmarkNew is the first delivery of a turn: create the record, run, complete.
func BenchmarkNew(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s, counting := open(b, be)
			m := idempotency.New(s, &tool{}, idempotency.Options{})
			tn := turn()
			tn.Deadline = time.Time{}
			ctx := context.Background()
			var before dynamostore.Counts
			if counting != nil {
				before = counting.Counts()
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				tn.TurnID = "new-" + strconv.Itoa(i) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
				m.Handle(ctx, tn)
			}
			if counting != nil {
				c := counting.Counts().Sub(before)
				b.ReportMetric(float64(c.Total())/float64(b.N), "ddb-calls/op")
			}
		})
	}
}

// open opens the backend; on DynamoDB through the counting wrapper.
func open(b *testing.B, be backend) (store.Store, *dynamostore.Counting) {
	if be.name != "dynamodb" {
		return be.open(b), nil
	}
	client, table := storetest.MotoStore(b)
	counting := dynamostore.NewCounting(client)
	return dynamostore.New(counting, table, dynamostore.Options{}), counting
}
