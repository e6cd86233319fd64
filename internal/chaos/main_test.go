package chaos

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets four scenarios run at once unless -parallel was given:
// they spend their time waiting on child processes, not on the CPU, and
// the default (GOMAXPROCS, 2 on CI) would serialise the package.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "4")
	}
	os.Exit(m.Run())
}
