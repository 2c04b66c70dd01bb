// Command gen writes the code of the graph package from schema.graphqls
// and gqlgen.yml: gqlgen's executor and models, and the fast path's plans
// (internal/fastgen). Run it from the module's root, or through
// `go generate ./...`.
package main

import (
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/incubateurs/portfolio/internal/fastgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		return fmt.Errorf("load gqlgen.yml: %w", err)
	}
	return api.Generate(cfg, api.AddPlugin(fastgen.New("graph/fast_gen.go")))
}
