package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
)

// sourceKind is where a value came from.
type sourceKind int

const (
	fromDefault sourceKind = iota
	fromFlag
	fromEnv
	fromConfig
	fromSession
)

// source names where a value came from the way the user gave it: the flag
// as typed (--symbols), the variable (GAMBLER_TRADE_SYMBOLS), the key and
// its file (trade.symbols in /etc/gambler.yaml), or the session that stored
// it. Every error about a value starts with it.
type source struct {
	kind sourceKind
	name string
}

// explicit reports a value given for this run.
func (s source) explicit() bool {
	return s.kind == fromFlag || s.kind == fromEnv || s.kind == fromConfig
}

// storedValues are the settings a session stored when it started.
type storedValues struct {
	session string
	values  map[string]string
}

// prepare loads the config file and resolves the running command's
// options, and the root's, before the command runs.
func (a *App) prepare(cmd *cobra.Command) error {
	if cmd.Annotations[annotationNoConfigFile] == "" {
		if err := a.loadConfig(cmd); err != nil {
			return err
		}
	}
	for _, set := range a.setsFor(cmd) {
		if err := a.resolve(cmd, set, nil); err != nil {
			return err
		}
		if !set.restorable {
			a.warnUnwise(set)
		}
	}
	return nil
}

// resolve fills set's options struct: for each option the flag, else its
// environment variables, else the config file, else its fallback key's
// variable or file entry, else what stored holds, else the default. A
// value that does not parse or is out of range is a usage error named by
// its source.
func (a *App) resolve(cmd *cobra.Command, set *optionSet, stored *storedValues) error {
	for _, o := range set.opts {
		raw, src, err := a.lookup(cmd, o, stored)
		if err != nil {
			return err
		}
		o.raw, o.src = raw, src
		if err := o.apply(raw); err != nil {
			return usageError("%s: %v", src.name, err)
		}
	}
	if set.check != nil {
		return set.check()
	}
	return nil
}

func (a *App) lookup(cmd *cobra.Command, o *option, stored *storedValues) (string, source, error) {
	if !o.sessionOnly {
		if f := cmd.Flags().Lookup(o.name); f != nil && f.Changed && !o.flagless {
			return strings.TrimSpace(f.Value.String()), source{fromFlag, "--" + o.name}, nil
		}
		for _, key := range []string{o.key, o.fallback} {
			if key == "" {
				continue
			}
			for _, env := range o.envNames(key) {
				if v := strings.TrimSpace(a.Getenv(env)); v != "" {
					return v, source{fromEnv, env}, nil
				}
			}
			if a.v != nil && a.v.InConfig(key) {
				src := source{fromConfig, key + " in " + a.cfgPath}
				v, err := configText(a.v.Get(key))
				if err != nil {
					return "", src, usageError("%s: %v", src.name, err)
				}
				return strings.TrimSpace(v), src, nil
			}
		}
	}
	if stored != nil && o.stored {
		if v, ok := stored.values[o.name]; ok {
			return strings.TrimSpace(v), source{fromSession, fmt.Sprintf("%s as stored with session %s", o.label(), stored.session)}, nil
		}
	}
	return o.def, source{fromDefault, "the default " + o.label()}, nil
}

// label names an option in messages about its default or stored value.
func (o *option) label() string {
	if o.flagless || o.sessionOnly {
		if o.key != "" {
			return o.key
		}
		return o.name
	}
	return "--" + o.name
}

// configText is a config file value as the text a flag would hold; a YAML
// list is a comma separated list (symbols: [AAPL, MSFT]).
func configText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, err := cast.ToStringE(e)
			if err != nil {
				return "", fmt.Errorf("a list may hold only plain values")
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	case map[string]any:
		return "", fmt.Errorf("is a section, but this key takes a value")
	}
	s, err := cast.ToStringE(v)
	if err != nil {
		return "", fmt.Errorf("takes a plain value, got %T", v)
	}
	return s, nil
}

// optionOf is the option that fills dst, a field of an options struct.
func (a *App) optionOf(dst any) *option {
	o, ok := a.byDst[dst]
	if !ok {
		panic(fmt.Sprintf("cli: no option fills %T %p", dst, dst)) // a programming error, caught by every test that reaches it
	}
	return o
}

// sourceOf names where the value of dst came from, for errors found after
// resolve (a refused URL, a port that cannot be bound).
func (a *App) sourceOf(dst any) string { return a.optionOf(dst).src.name }

// badValue is a usage error about dst's value, named by its source.
func (a *App) badValue(dst any, format string, args ...any) error {
	return usageError("%s: %s", a.sourceOf(dst), fmt.Sprintf(format, args...))
}

// typed is dst's value the way the user gave it: --status active,
// GAMBLER_SESSIONS_LIST_STATUS=active, or the key, its file and the value.
func (a *App) typed(dst any) string {
	o := a.optionOf(dst)
	switch {
	case o.secret:
		return o.src.name
	case o.src.kind == fromFlag:
		return o.src.name + " " + o.raw
	case o.src.kind == fromEnv:
		return o.src.name + "=" + o.raw
	}
	return o.src.name + ": " + o.raw
}

// given reports whether dst's value was given for this run.
func (a *App) given(dst any) bool { return a.optionOf(dst).src.explicit() }

// warnUnwise logs one warning for each legal but unwise value of set.
func (a *App) warnUnwise(set *optionSet) {
	log := a.logger()
	for _, o := range set.opts {
		if o.unwise == nil {
			continue
		}
		if why := o.unwise(); why != "" {
			log.Warn().Str("setting", o.src.name).Msg(o.src.name + ": " + why)
		}
	}
}

// storedSettings are the values of set a session stores, by flag name.
func storedSettings(set *optionSet) []byte {
	m := map[string]string{}
	for _, o := range set.opts {
		if o.stored {
			m[o.name] = o.raw
		}
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return b
}

// parseStored reads a session's stored settings; unreadable ones are
// logged and ignored, so flags and defaults apply.
func (a *App) parseStored(session string, raw []byte) *storedValues {
	st := &storedValues{session: session, values: map[string]string{}}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &st.values); err != nil {
			log := a.logger()
			log.Warn().Err(err).Str("session", session).Msg("stored session settings unreadable; using flags and defaults")
		}
	}
	return st
}
