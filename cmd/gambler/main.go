// Command gambler is a crash-safe paper trader for US equities.
package main

import (
	"os"

	"github.com/gambler-trader/gambler/internal/cli"
)

// version and commit identify a release build; the release build stamps
// them with -ldflags "-X main.version=1.2.3 -X main.commit=<sha>"
// (.goreleaser.yaml). Empty in a development build.
var version, commit string

func main() {
	os.Exit(cli.RunProcess(os.Args[1:], cli.Build{Version: version, Commit: commit}))
}
