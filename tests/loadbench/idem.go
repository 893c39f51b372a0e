package main

import "context"

func benchIdempotency(ctx context.Context, o *options, r *report) {
	r.missing("3", "idempotency vs Powertools", "≥ 2×", "not yet")
}
