package connector

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{"empty", "", 0},
		{"blank", "   ", 0},
		{"seconds", "7", 7 * time.Second},
		{"zero", "0", 0},
		{"seconds with spaces", " 7\t", 7 * time.Second},
		{"negative", "-1", 0},
		{"not a number or date", "soon", 0},
		{"fraction", "1.5", 0},
		{"future date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"future date with spaces", " " + now.Add(90*time.Second).Format(http.TimeFormat) + " ", 90 * time.Second},
		{"past date", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"date equal to now", now.Format(http.TimeFormat), 0},
		{"RFC 850 date", now.Add(time.Hour).Format(time.RFC850), time.Hour},
	}
	for _, tc := range tests {
		if got := ParseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("%s: ParseRetryAfter(%q) = %s, want %s", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestTransport(t *testing.T) {
	t.Parallel()
	live := context.Background()
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelExpired()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	refused := errors.New("connection refused")
	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		wantCtx  error // a context error that must be in the chain, or nil
		wantText string
	}{
		{"no answer", live, refused, nil, "crm lookup: unavailable: connection refused"},
		{"deadline passed", expired, refused, context.DeadlineExceeded, "crm lookup: unavailable: context deadline exceeded: connection refused"},
		{"cancelled", cancelled, io.ErrUnexpectedEOF, context.Canceled, "crm lookup: unavailable: context canceled: unexpected EOF"},
		{"cause already holds the context error", expired, context.DeadlineExceeded, context.DeadlineExceeded, "crm lookup: unavailable: context deadline exceeded"},
	}
	for _, tc := range tests {
		err := Transport(tc.ctx, "crm", "lookup", tc.err)
		if KindOf(err) != KindUnavailable {
			t.Errorf("%s: kind %v, want unavailable", tc.name, KindOf(err))
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: %v does not wrap the cause", tc.name, err)
		}
		if tc.wantCtx != nil && !errors.Is(err, tc.wantCtx) {
			t.Errorf("%s: %v does not wrap %v", tc.name, err, tc.wantCtx)
		}
		if tc.wantCtx == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
			t.Errorf("%s: %v wraps a context error it was not given", tc.name, err)
		}
		if err.Error() != tc.wantText {
			t.Errorf("%s: %q, want %q", tc.name, err.Error(), tc.wantText)
		}
	}
}
