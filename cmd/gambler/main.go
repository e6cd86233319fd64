// Command gambler is a crash-safe paper trader for US equities.
package main

import (
	"os"

	"github.com/gambler-trader/gambler/internal/cli"
)

// version is stamped by the release build:
// go build -ldflags "-X main.version=v1.2.3" ./cmd/gambler
var version = "dev"

func main() {
	os.Exit(cli.RunProcess(os.Args[1:], version))
}
