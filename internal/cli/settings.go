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
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/gambler-trader/gambler/internal/config"
)

// Keys of the global flags, which do not follow the per-command rule.
var globalFlagKeys = map[string]string{
	"database-url": "database.url",
	"log-level":    "log.level",
	"log-format":   "log.format",
	"output":       "output",
}

// Keys that have no flag: secrets stay out of argv, where ps shows them.
const (
	keyAlpacaKeyID     = "alpaca.key_id"
	keyAlpacaSecretKey = "alpaca.secret_key"
)

// flaglessKeys are config keys without a flag.
var flaglessKeys = []string{keyAlpacaKeyID, keyAlpacaSecretKey, "alpaca.base_url", "alpaca.data_url", "alpaca.feed"}

// envAliases lists, per key, the environment variables read before
// GAMBLER_*; Alpaca's own convention comes first.
var envAliases = map[string][]string{
	keyAlpacaKeyID:     {"APCA_API_KEY_ID", "GAMBLER_ALPACA_KEY_ID"},
	keyAlpacaSecretKey: {"APCA_API_SECRET_KEY", "GAMBLER_ALPACA_SECRET_KEY"},
}

// annotationSection overrides a command's config section, so trade, resume
// and resume-session share trade.* keys.
const annotationSection = "gambler/config-section"

// flagKey is the config key of a flag of cmd.
func flagKey(cmd *cobra.Command, name string) string {
	if k, ok := globalFlagKeys[name]; ok {
		return k
	}
	return commandSection(cmd) + "." + strings.ReplaceAll(name, "-", "_")
}

func commandSection(cmd *cobra.Command) string {
	for c := cmd; c != nil; c = c.Parent() {
		if s, ok := c.Annotations[annotationSection]; ok {
			return s
		}
	}
	var parts []string
	for c := cmd; c.HasParent(); c = c.Parent() {
		parts = append([]string{c.Name()}, parts...)
	}
	return strings.ReplaceAll(strings.Join(parts, "."), "-", "_")
}

// collectKeys walks the command tree for every key a config file may set.
func collectKeys(root *cobra.Command) map[string]bool {
	keys := map[string]bool{}
	for _, k := range flaglessKeys {
		keys[k] = true
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		visit := func(f *pflag.Flag) {
			if f.Name != "config" && f.Name != "help" {
				keys[flagKey(c, f.Name)] = true
			}
		}
		c.LocalFlags().VisitAll(visit)
		c.PersistentFlags().VisitAll(visit)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return keys
}

// loadSettings builds the viper instance for one command run: defaults come
// from the flags, then the config file, then GAMBLER_* env, then flags set on
// the command line.
func (a *App) loadSettings(cmd *cobra.Command) error {
	v := viper.New()
	v.SetEnvPrefix("GAMBLER")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	a.v = v

	path, explicit, err := a.configPath(cmd)
	if err != nil {
		return err
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			if !explicit && errors.Is(err, fs.ErrNotExist) {
				path = ""
			} else {
				return usageError("read config file %s: %v", path, err)
			}
		}
	}
	if path != "" {
		if err := a.checkUnknownKeys(path); err != nil {
			return err
		}
	}
	for key, envs := range envAliases {
		if err := v.BindEnv(append([]string{key}, envs...)...); err != nil {
			return fmt.Errorf("bind %s: %w", key, err)
		}
	}
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "config" || f.Name == "help" || bindErr != nil {
			return
		}
		bindErr = v.BindPFlag(flagKey(cmd, f.Name), f)
	})
	if bindErr != nil {
		return fmt.Errorf("bind flags: %w", bindErr)
	}
	if path != "" {
		a.warnIfExposed(path)
	}
	return nil
}

func (a *App) checkUnknownKeys(path string) error {
	var unknown []string
	for _, k := range a.v.AllKeys() {
		if !a.keys[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return usageError("config file %s: unknown key %q (see configs/gambler.example.yaml for the valid keys)", path, unknown[0])
	}
	return nil
}

// configPath is --config, else ./gambler.yaml, else
// $XDG_CONFIG_HOME/gambler/config.yaml; explicit reports whether the user
// named it (a missing named file is an error, a missing default is not).
func (a *App) configPath(cmd *cobra.Command) (string, bool, error) {
	if p, _ := cmd.Flags().GetString("config"); p != "" {
		return p, true, nil
	}
	if p := a.Getenv("GAMBLER_CONFIG"); p != "" {
		return p, true, nil
	}
	if _, err := os.Stat("gambler.yaml"); err == nil {
		return "gambler.yaml", false, nil
	}
	dir := a.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", false, nil //nolint:nilerr // no home means no default config file
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "gambler", "config.yaml"), false, nil
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

// Typed getters. Values from env and files arrive as strings, so each
// getter names the key when the value does not parse.

func (a *App) str(key string) string { return strings.TrimSpace(a.v.GetString(key)) }

func (a *App) integer(key string) (int, error) {
	n, err := cast.ToIntE(a.v.Get(key))
	if err != nil {
		return 0, usageError("%s: invalid integer %q", key, a.v.GetString(key))
	}
	return n, nil
}

func (a *App) boolean(key string) (bool, error) {
	b, err := cast.ToBoolE(a.v.Get(key))
	if err != nil {
		return false, usageError("%s: invalid boolean %q", key, a.v.GetString(key))
	}
	return b, nil
}

func (a *App) dec(key string) (decimal.Decimal, error) {
	d, err := config.ParseDecimal(a.v.GetString(key))
	if err != nil {
		return decimal.Zero, usageError("%s: %v", key, err)
	}
	return d, nil
}

func (a *App) positiveDuration(key string, bareUnit time.Duration) (time.Duration, error) {
	d, err := config.ParsePositiveDuration(a.v.GetString(key), bareUnit)
	if err != nil {
		return 0, usageError("%s: %v", key, err)
	}
	return d, nil
}
