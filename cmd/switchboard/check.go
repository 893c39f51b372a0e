package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func check(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	_ = fs.String("config", "", "configuration file (YAML); empty = embedded default")
	_ = fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fmt.Fprintln(stderr, "switchboard check: connector registry not wired yet (issue 3)")
	return 1
}
