package server

import (
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/security"
)

// errTooLarge is a body over the size cap once read (and inflated).
var errTooLarge = errors.New("request body too large")

// errInflateRatio is a compressed body inflating past the ratio cap.
var errInflateRatio = errors.New("compressed body inflates beyond the allowed ratio")

// errSlowBody is a body that arrived below its pace (security.Pace): too long a wait
// for its first bytes or between two reads, or too low an average rate.
var errSlowBody = errors.New("request body arrived too slowly")

// defaultInflateRatio is the compression ratio cap when none is configured.
const defaultInflateRatio = 200

// ratioSlack lets small bodies inflate further than the ratio before the cap applies
// (a few hundred bytes of JSON can compress 50:1 and more).
const ratioSlack = 256 << 10

// bodyTimeout is the longest a webhook body may take to arrive after its headers,
// whatever its pace (http.Server's ReadTimeout in Serve).
const bodyTimeout = 30 * time.Second

// bodyLimits bound one body: Max bytes once inflated, and Ratio times its compressed size.
// Declared is its declared length (-1 or 0 when unknown).
type bodyLimits struct {
	Max      int64
	Ratio    int
	Declared int64
}

// What a body holds, as readBody claims it from the budget:
//   - the bytes received (inflated), in chunks that double from firstChunk to
//     maxChunk, each claimed just before it is filled: a body waiting for its next
//     bytes holds at most twice what it has sent plus firstChunk (an uncompressed
//     body declared shorter than firstChunk gets a first chunk of its length and one
//     byte, to see its end);
//   - for a compressed body, inflaterCost once its first byte has arrived (a flate
//     decompressor's 32 KiB window and tables, and its bufio.Reader);
//   - once complete, the body in one piece (the chunks are then handed back), and its
//     decoded form: the adapters keep what they decode as json.RawMessage copies and
//     short strings, at most the body's size again.
const (
	firstChunk   = 4 << 10
	maxChunk     = 256 << 10
	inflaterCost = 64 << 10
	maxClass     = 6 // firstChunk << maxClass == maxChunk
)

// readBody reads a webhook body of Content-Encoding enc from src within l: deflate (zlib,
// as Rasa's COMPRESS_ACTION_SERVER_REQUEST sends) or gzip is inflated as it streams
// (never buffered compressed), and reading stops as soon as the output passes l.Max
// or l.Ratio times the compressed bytes consumed so far.
//
// Every byte readBody holds is claimed from c first, as it arrives (see above); nil c
// claims nothing. On success c holds twice the body's length (the body and its decoded
// form) plus what it held before; on error what it holds is the caller's to Release.
// A claim the budget refuses ends the read with security.ErrBusy.
func readBody(ctx context.Context, src io.Reader, enc string, l bodyLimits, c *security.Claim) ([]byte, error) {
	if l.Ratio <= 0 {
		l.Ratio = defaultInflateRatio
	}
	if c == nil {
		c = (*security.Budget)(nil).Claim()
	}
	in := &countingReader{r: src}
	var body io.Reader = in
	first := int64(firstChunk)
	switch enc = strings.ToLower(strings.TrimSpace(enc)); enc {
	case "", "identity":
		if l.Declared > 0 && l.Declared < firstChunk {
			first = l.Declared + 1
		}
	case "deflate", "gzip":
		in.first = func() error { return c.Grow(ctx, inflaterCost) }
		var dec io.ReadCloser
		var err error
		if enc == "deflate" {
			dec, err = zlib.NewReader(in)
		} else {
			dec, err = gzip.NewReader(in)
		}
		if err != nil {
			if cause := in.err; cause != nil {
				return nil, cause
			}
			if enc == "deflate" {
				// Some clients send raw DEFLATE without the zlib header.
				return nil, fmt.Errorf("body is not zlib-deflated: %w", err)
			}
			return nil, fmt.Errorf("body is not gzip: %w", err)
		}
		defer dec.Close()
		body = &ratioReader{r: dec, in: in, ratio: int64(l.Ratio)}
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	b, err := readAll(ctx, io.LimitReader(body, l.Max+1), c, first)
	if err != nil {
		if cause := in.err; cause != nil {
			return nil, cause
		}
		var tooBig *http.MaxBytesError
		if errors.Is(err, errInflateRatio) || errors.Is(err, security.ErrBusy) || errors.Is(err, errSlowBody) || errors.As(err, &tooBig) {
			return nil, err
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > l.Max {
		return nil, errTooLarge
	}
	// The decoded form is claimed before the turn decodes it.
	if err := c.Grow(ctx, int64(len(b))); err != nil {
		return nil, err
	}
	return b, nil
}

// readAll reads r to its end into chunks, claiming each from c before filling it, and
// returns the bytes in one slice (claimed too; the chunks' claims are then handed
// back, the chunks left to the collector). The first chunk holds first bytes (at most
// firstChunk); the next ones double from firstChunk.
func readAll(ctx context.Context, r io.Reader, c *security.Claim, first int64) ([]byte, error) {
	var chunks [][]byte
	var claimed int64
	defer func() { c.Shrink(claimed) }()
	n := 0
	class := 0
	for {
		size := int64(firstChunk << class)
		if len(chunks) == 0 {
			size = first
		}
		if err := c.Grow(ctx, size); err != nil {
			return nil, err
		}
		claimed += size
		buf := make([]byte, size)
		chunks = append(chunks, buf)
		m := 0
		var err error
		for m < len(buf) && err == nil {
			var k int
			k, err = r.Read(buf[m:])
			m += k
		}
		chunks[len(chunks)-1] = buf[:m]
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		class = min(class+1, maxClass)
	}
	if len(chunks) == 1 {
		// One chunk holds the whole body: it becomes the body, claim and all.
		b := chunks[0]
		claimed -= int64(cap(b))
		return b, nil
	}
	if err := c.Grow(ctx, int64(n)); err != nil {
		return nil, err
	}
	out := make([]byte, 0, n)
	for _, ch := range chunks {
		out = append(out, ch...)
	}
	return out, nil
}

// countingReader counts the bytes read from r and, on the first of them, runs first
// (a claim); its error ends the read and is kept in err.
type countingReader struct {
	r     io.Reader
	n     int64
	first func() error
	err   error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 && c.first != nil {
		f := c.first
		c.first = nil
		if ferr := f(); ferr != nil {
			c.err = ferr
			return 0, ferr
		}
	}
	if err != nil && err != io.EOF && (errors.Is(err, errSlowBody) || errors.Is(err, security.ErrBusy)) {
		c.err = err
	}
	return n, err
}

// ratioReader fails once the inflated output exceeds ratio times the compressed input
// consumed (plus ratioSlack).
type ratioReader struct {
	r     io.Reader
	in    *countingReader
	ratio int64
	out   int64
}

func (r *ratioReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.out += int64(n)
	if r.out > r.in.n*r.ratio+ratioSlack {
		return n, errInflateRatio
	}
	return n, err
}

// paced returns body read at pace p: before each read the connection's read deadline
// (through http.ResponseController on w) is set to when the next bytes are due, and a
// read that misses it fails with errSlowBody. The bytes are due within p.Idle of the
// start and of the last read, at an average of p.MinRate after the first p.Idle, and
// all within bodyTimeout. With a zero p, or a w that cannot set deadlines (tests'
// recorders), the deadline is only checked between reads.
func paced(w http.ResponseWriter, body io.ReadCloser, p security.Pace) io.ReadCloser {
	if p.Idle <= 0 || body == nil || body == http.NoBody {
		return body
	}
	now := time.Now()
	pb := &pacedBody{r: body, pace: p, start: now, last: now, end: now.Add(bodyTimeout)}
	if w != nil {
		pb.rc = http.NewResponseController(w)
	}
	return pb
}

type pacedBody struct {
	r                 io.ReadCloser
	rc                *http.ResponseController
	pace              security.Pace
	start, last, end  time.Time
	got               int64
	slow, setDeadline bool
}

func (p *pacedBody) Close() error { return p.r.Close() }

// due is when the next bytes must have arrived.
func (p *pacedBody) due() time.Time {
	d := p.last.Add(p.pace.Idle)
	if p.pace.MinRate > 0 {
		avg := p.start.Add(p.pace.Idle + time.Duration(float64(p.got)/float64(p.pace.MinRate)*float64(time.Second)))
		if avg.Before(d) {
			d = avg
		}
	}
	if p.end.Before(d) {
		d = p.end
	}
	return d
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.slow {
		return 0, errSlowBody
	}
	due := p.due()
	if !time.Now().Before(due) {
		p.slow = true
		return 0, errSlowBody
	}
	if p.rc != nil {
		if err := p.rc.SetReadDeadline(due); err != nil {
			p.rc = nil // not a connection (a test's recorder): checked between reads only
		} else {
			p.setDeadline = true
		}
	}
	n, err := p.r.Read(b)
	if n > 0 {
		p.got += int64(n)
		p.last = time.Now()
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		p.slow = true
		return n, errSlowBody
	}
	if err == io.EOF && p.setDeadline {
		// The whole body is in: the rest of the exchange is http.Server's.
		_ = p.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
