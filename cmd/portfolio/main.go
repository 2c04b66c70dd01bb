// Command portfolio serves the portfolio of the public digital incubators as
// a GraphQL API, and imports, seeds and exports its SQLite database.
//
// Run "portfolio help" for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "portfolio:", err)
		os.Exit(exitCode(err))
	}
}
