package dbopen

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func homeAt(dir string) func() (string, error) { return func() (string, error) { return dir, nil } }

func TestDefaultPath(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"XDG_DATA_HOME set", map[string]string{"XDG_DATA_HOME": "/data/xdg"}, "/data/xdg/gambler/gambler.db"},
		{"XDG_DATA_HOME unset", nil, "/home/ann/.local/share/gambler/gambler.db"},
		{"XDG_DATA_HOME relative is ignored", map[string]string{"XDG_DATA_HOME": "rel/dir"}, "/home/ann/.local/share/gambler/gambler.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DefaultPath(env(c.env), homeAt("/home/ann"))
			if err != nil {
				t.Fatalf("DefaultPath: %v", err)
			}
			if got != filepath.FromSlash(c.want) {
				t.Errorf("DefaultPath = %q, want %q", got, c.want)
			}
		})
	}
}

func TestDefaultPathWithoutHome(t *testing.T) {
	for name, home := range map[string]func() (string, error){
		"home error": func() (string, error) { return "", errors.New("$HOME is not defined") },
		"empty home": homeAt(""),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DefaultPath(env(nil), home)
			if err == nil {
				t.Fatal("DefaultPath without a home directory succeeded")
			}
			if !strings.Contains(err.Error(), "XDG_DATA_HOME") {
				t.Errorf("error %q does not say what to do (set XDG_DATA_HOME)", err)
			}
		})
	}
	// XDG_DATA_HOME alone is enough.
	got, err := DefaultPath(env(map[string]string{"XDG_DATA_HOME": "/x"}), func() (string, error) {
		return "", errors.New("no home")
	})
	if err != nil || got != filepath.FromSlash("/x/gambler/gambler.db") {
		t.Errorf("DefaultPath with XDG_DATA_HOME and no home = %q, %v", got, err)
	}
}
