// Command gambler is a crash-safe paper trader for US equities.
package main

import "os"

func main() {
	os.Exit(0)
}
