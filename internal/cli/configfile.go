package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// loadConfig reads the config file into the run's one viper instance. A
// missing default file is no error; a missing named one is.
func (a *App) loadConfig(cmd *cobra.Command) error {
	a.v, a.cfgPath = viper.New(), ""
	path, explicit := a.configPath(cmd)
	if path == "" {
		return nil
	}
	a.v.SetConfigFile(path)
	if err := a.v.ReadInConfig(); err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return usageError("read config file %s: %v", path, err)
	}
	a.cfgPath = path
	if abs, err := filepath.Abs(path); err == nil {
		a.cfgPath = abs
	}
	if err := a.checkUnknownKeys(); err != nil {
		return err
	}
	a.warnIfExposed(path)
	return nil
}

// checkUnknownKeys refuses keys no command declares. A section left empty
// (every key under it commented out, as config init writes them) is fine.
func (a *App) checkUnknownKeys() error {
	var unknown []string
	for _, k := range a.v.AllKeys() {
		if !a.keys[k] && (a.v.Get(k) != nil || !a.isSection(k)) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return usageError("config file %s: unknown key %q (gambler config init writes every valid key)", a.cfgPath, unknown[0])
	}
	return nil
}

func (a *App) isSection(k string) bool {
	for key := range a.keys {
		if strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// configPath is --config, else GAMBLER_CONFIG, else ./gambler.yaml, else
// $XDG_CONFIG_HOME/gambler/config.yaml; explicit reports whether the user
// named it.
func (a *App) configPath(cmd *cobra.Command) (path string, explicit bool) {
	if p, _ := cmd.Flags().GetString("config"); p != "" {
		return p, true
	}
	if p := a.Getenv("GAMBLER_CONFIG"); p != "" {
		return p, true
	}
	if _, err := os.Stat("gambler.yaml"); err == nil {
		return "gambler.yaml", false
	}
	dir, err := a.configDir()
	if err != nil {
		return "", false // no home means no default config file
	}
	return filepath.Join(dir, "config.yaml"), false
}

// configDir is $XDG_CONFIG_HOME/gambler, else ~/.config/gambler.
func (a *App) configDir() (string, error) {
	dir := a.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("locate the config directory: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "gambler"), nil
}

// secretInFile matches a secret written in a config file: an Alpaca secret
// key with a value, or a URL with a password.
var secretInFile = regexp.MustCompile(`(?m)^\s*secret_key:\s*["']?[^\s"'#]|://[^/\s:@]+:[^@\s/]+@`)

// warnIfExposed warns when a config file that holds secrets can be read by
// other users. It looks at the file itself, not the effective settings, so
// a secret in the file is reported even when the environment overrides it.
func (a *App) warnIfExposed(path string) {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm()&0o077 == 0 {
		return
	}
	text, err := os.ReadFile(path)
	if err != nil || !secretInFile.Match(text) {
		return
	}
	fmt.Fprintf(a.IO.ErrOut, "warning: config file %s holds secrets and is readable by other users; run: chmod 600 %s\n", path, path)
}
