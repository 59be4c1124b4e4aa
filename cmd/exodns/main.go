// Command exodns is the DNS controller.
package main

import (
	"os"

	"github.com/exodns/exodns/internal/cli"
)

// Set by the release build with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "unknown"
)

func main() {
	if err := cli.NewRootCommand(cli.BuildInfo{Version: version, Commit: commit}).Execute(); err != nil {
		os.Exit(1)
	}
}
