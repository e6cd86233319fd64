// Command gambler is a crash-safe paper trader for US equities.
package main

import (
	"os"

	"github.com/gambler-trader/gambler/internal/cli"
)

func main() {
	os.Exit(cli.RunProcess(os.Args[1:]))
}
