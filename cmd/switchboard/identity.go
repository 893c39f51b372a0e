package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/shared/config"
	"github.com/switchboard-dev/switchboard/shared/identity"
)

// token prints an HS256 identity token for an email, as the site embedding the chatbot
// would mint it: signed with the demo key (which `serve` accepts only with the demo
// data), or with the key in --key-file.
func token(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the customer's email (claims email and sub)")
	sub := fs.String("sub", "", "the customer's id in your system (default: the email)")
	ttl := fs.Duration("ttl", 10*time.Minute, "how long the token is valid")
	keyFile := fs.String("key-file", "", "file holding the HS256 key (default: the public demo key)")
	cfgPath := fs.String("config", "", "configuration file: its identity.token issuer and audience are used")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *email == "" || !strings.Contains(*email, "@") || fs.NArg() != 0 || *ttl <= 0 {
		fmt.Fprintln(stderr, "usage: switchboard token --email ada@example.com [--ttl 10m] [--sub ID] [--key-file FILE] [--config FILE]")
		return 2
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	key := []byte(identity.DemoKey)
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		key = []byte(strings.TrimSpace(string(b)))
		if len(key) < identity.MinHMACKey {
			fmt.Fprintf(stderr, "switchboard token: the key must be at least %d bytes\n", identity.MinHMACKey)
			return 1
		}
	}
	s, err := identity.Mint(key, *email, *sub, cfg.Identity.Token.Issuer, cfg.Identity.Token.Audience, time.Now(), *ttl)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintln(stdout, s)
	return 0
}

// outbox prints the latest one-time codes of the local outbox (identity.codes.sender:
// outbox), newest last.
func outbox(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 5, "how many of the latest codes to print (0: all)")
	cfgPath := fs.String("config", "", "configuration file (YAML); empty = embedded default")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	entries, err := identity.ReadOutbox(cfg.Identity.Codes.Outbox, *n)
	if os.IsNotExist(err) {
		fmt.Fprintf(stdout, "no codes sent yet (%s)\n", cfg.Identity.Codes.Outbox)
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	now := time.Now()
	for _, e := range entries {
		state := "valid for " + e.Expires.Sub(now).Round(time.Second).String()
		if !now.Before(e.Expires) {
			state = "expired"
		}
		fmt.Fprintf(stdout, "%s  %s  %s  (%s)\n", e.Time.Local().Format("15:04:05"), e.To, e.Code, state)
	}
	return 0
}
