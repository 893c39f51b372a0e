package main

import "context"

func benchColdStart(ctx context.Context, o *options, r *report) {
	r.missing("5", "cold start", "≤ 1.5×", "not yet")
}
