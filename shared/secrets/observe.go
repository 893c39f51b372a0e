package secrets

import "context"

// Observe returns p, calling seen with every secret p hands out (from Get or Refresh,
// cached or fetched). Telemetry uses it to register each credential value with the log
// redactor, so a value fetched at run time is cut out of every log line like one known
// at start.
func Observe(p Provider, seen func(Secret)) Provider {
	if p == nil || seen == nil {
		return p
	}
	return observed{p: p, seen: seen}
}

type observed struct {
	p    Provider
	seen func(Secret)
}

func (o observed) Get(ctx context.Context, id string) (Secret, error) {
	s, err := o.p.Get(ctx, id)
	if err == nil {
		o.seen(s)
	}
	return s, err
}

func (o observed) Refresh(ctx context.Context, id string) (Secret, error) {
	s, err := o.p.Refresh(ctx, id)
	if err == nil {
		o.seen(s)
	}
	return s, err
}
