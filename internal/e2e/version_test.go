package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestVersionIsStamped: the linker variables the release build sets
// (.goreleaser.yaml: -X main.version, -X main.commit) reach `gambler
// version`; an unstamped build says dev.
func TestVersionIsStamped(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "gambler")
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X main.version=1.2.3 -X main.commit=0123abc",
		"github.com/gambler-trader/gambler/cmd/gambler")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dev, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	for bin, want := range map[string][2]string{bin: {"1.2.3", "0123abc"}, dev: {"dev", ""}} {
		out, err := exec.Command(bin, "version", "-o", "json").Output()
		if err != nil {
			t.Fatalf("%s version: %v", bin, err)
		}
		var v struct {
			Version string `json:"version"`
			Commit  string `json:"commit"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s version -o json: %v\n%s", bin, err, out)
		}
		if v.Version != want[0] || (want[1] != "" && v.Commit != want[1]) || v.Commit == "" {
			t.Errorf("%s version: %+v, want version %q commit %q", bin, v, want[0], want[1])
		}
	}
}
