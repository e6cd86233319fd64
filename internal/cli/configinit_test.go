package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/cli"
)

// TestConfigInitWritesAPrivateFile: the config may come to hold secrets,
// so it is written with mode 0600, into a directory created 0700.
func TestConfigInitWritesAPrivateFile(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "cfg")}
	var out, errOut bytes.Buffer
	app := &cli.App{IO: cli.IOStreams{Out: &out, ErrOut: &errOut}, Getenv: func(k string) string { return env[k] }}
	if code := cli.Main(context.Background(), []string{"config", "init"}, app); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	path := filepath.Join(dir, "cfg", "gambler", "config.yaml")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %o, want 600", path, st.Mode().Perm())
	}
	if d, err := os.Stat(filepath.Dir(path)); err != nil || d.Mode().Perm() != 0o700 {
		t.Errorf("config directory: %v %v", d.Mode().Perm(), err)
	}
	if !strings.Contains(out.String(), path) {
		t.Errorf("output does not name the file: %q", out.String())
	}
}
