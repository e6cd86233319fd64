// Command gambler is a crash-safe paper trader for US equities.
package main

import (
	"os"

	"github.com/gambler-trader/gambler/internal/cli"
)

// version is the release version, stamped by the release build with
// -ldflags "-X main.version=1.2.3" (.goreleaser.yaml); empty otherwise.
var version string

func main() {
	os.Exit(cli.RunProcess(os.Args[1:], version))
}
