package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
)

// reset removes the local demo state a configuration keeps on disk: the demo
// database (tickets filed locally), the embedded store (stored replies, one-time
// codes and their limits, the read cache) and the local outbox. It touches nothing
// that is not local: a configuration with the DynamoDB store or a real tool leaves
// those alone, and the audit trail is never removed (it is a record, not state).
func reset(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("reset", flag.ContinueOnError)
	fset.SetOutput(stderr)
	cfgPath := fset.String("config", "", "configuration file (YAML); empty = embedded default")
	addr := fset.String("addr", "127.0.0.1:8080", "where a local server would listen: reset refuses while one answers there")
	if err := fset.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	// A running server holds the SQLite files open: removing them under it would leave
	// it writing to unlinked files. Stop it first.
	if c, err := net.DialTimeout("tcp", *addr, 200*time.Millisecond); err == nil {
		c.Close()
		fmt.Fprintf(stderr, "switchboard reset: a server answers on %s; stop it (Ctrl-C on make run) and run reset again\n", *addr)
		return 1
	}
	var files []string
	if cfg.Connectors.Uses("demo") {
		files = append(files, filepath.Join(cfg.DataDir, "demo.db"))
	}
	if cfg.Store.Backend == "embedded" {
		files = append(files, cfg.Store.Path)
	}
	if cfg.Identity.Codes.Sender == config.SenderOutbox {
		files = append(files, cfg.Identity.Codes.Outbox)
	}
	if len(files) == 0 {
		fmt.Fprintln(stdout, "nothing local to reset: this configuration keeps no demo data, embedded store or outbox on disk")
		return 0
	}
	removed := 0
	for _, f := range files {
		// SQLite's companions go with their database.
		for _, p := range []string{f, f + "-wal", f + "-shm", f + "-journal"} {
			err := os.Remove(p)
			switch {
			case err == nil:
				fmt.Fprintf(stdout, "removed %s\n", p)
				removed++
			case errors.Is(err, fs.ErrNotExist):
			default:
				fmt.Fprintf(stderr, "switchboard reset: %v\n", err)
				return 1
			}
		}
	}
	if removed == 0 {
		fmt.Fprintln(stdout, "already clean: no local demo state on disk")
		return 0
	}
	fmt.Fprintln(stdout, "local demo state reset: demo tickets, stored replies, one-time codes and their limits start afresh (the audit trail is kept)")
	return 0
}
