package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/config"
)

// option declares one setting in one place: its flag, config key,
// environment variables, default, range, help, and whether a session
// stores it. Commands list their options next to the options struct the
// values land in; bind turns the list into flags, and resolve fills the
// struct from the flag, the environment, the config file, the settings a
// resumed session stored, or the default, naming that source in every
// error about the value.
type option struct {
	name  string // flag name; also the name a session stores the value under
	short string
	key   string // config key; bind derives it from the command unless set
	// envs are variables read before the GAMBLER_ one (Alpaca's own).
	envs      []string
	def       string
	usage     string
	valueName string // the value's name in help: duration, int, url...
	limits    string // the documented range, shown in help
	values    []string
	// flagless settings have a key and env but no flag: secrets stay out
	// of argv. sessionOnly settings have neither: they come from what a
	// session stored, else the default.
	flagless, sessionOnly bool
	stored                bool
	optional              bool   // an empty value is allowed and means "not set"
	fallback              string // a key whose explicit value applies when this one is not set
	secret                bool   // never echoed
	complete              cobra.CompletionFunc

	dst   any                    // the options struct field, for sourceOf
	set   func(raw string) error // parses, checks the range and assigns
	clear func()                 // assigns the zero value (an empty optional)
	// unwise says why a legal value is unwise, or "".
	unwise func() string

	// Filled by resolve.
	raw string
	src source
}

// Modifiers, chained onto a constructor.

func (o *option) storedWithSession() *option     { o.stored = true; return o }
func (o *option) orUnset() *option               { o.optional = true; return o }
func (o *option) shorthand(s string) *option     { o.short = s; return o }
func (o *option) withKey(k string) *option       { o.key = k; return o }
func (o *option) withEnv(envs ...string) *option { o.envs = envs; return o }
func (o *option) noFlag() *option                { o.flagless = true; return o }
func (o *option) secretValue() *option           { o.secret = true; return o }
func (o *option) withUsage(u string) *option     { o.usage = u; return o }
func (o *option) named(v string) *option         { o.valueName = v; return o }

// fromSession makes the option one that is never given for this run: only
// the session's stored value, else the default, applies.
func (o *option) fromSession() *option {
	o.sessionOnly, o.stored = true, true
	return o
}

// fallbackTo makes an explicit value of the same setting in another
// section apply when this command's own key is not set.
func (o *option) fallbackTo(section string) *option {
	o.fallback = section + "." + snake(o.name)
	return o
}

func (o *option) completeWith(f cobra.CompletionFunc) *option { o.complete = f; return o }

// help is the usage line: the text, then the range. A short enum's
// choices are its value name (--broker sim|alpaca), a long one's follow
// the text.
func (o *option) help() string {
	switch {
	case o.limits != "":
		return o.usage + " (range " + o.limits + ")"
	case len(o.values) > 0 && o.valueName == "string":
		return o.usage + " (" + strings.Join(o.values, ", ") + ")"
	}
	return o.usage
}

func (o *option) apply(raw string) error {
	if raw == "" && o.optional {
		o.clear()
		return nil
	}
	return o.set(raw)
}

func snake(name string) string { return strings.ReplaceAll(name, "-", "_") }

// envName is the GAMBLER_ variable of a config key.
func envName(key string) string {
	return "GAMBLER_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
}

// envNames are the variables read for key, in order.
func (o *option) envNames(key string) []string {
	if key == o.key {
		return append(append([]string(nil), o.envs...), envName(key))
	}
	return []string{envName(key)}
}

func outOfRange(raw, limits string) error {
	return fmt.Errorf("%s is out of range (%s)", truncate(raw, 30), limits)
}

// Constructors, one per kind of value.

func stringOpt(dst *string, name, def, usage string) *option {
	o := &option{name: name, def: def, usage: usage, valueName: "string", dst: dst}
	o.set = func(s string) error { *dst = s; return nil }
	o.clear = func() { *dst = "" }
	return o
}

func boolOpt(dst *bool, name, usage string) *option {
	o := &option{name: name, def: "false", usage: usage, valueName: "bool", dst: dst}
	o.set = func(s string) error {
		switch strings.ToLower(s) {
		case "true", "1", "yes":
			*dst = true
		case "false", "0", "no", "":
			*dst = false
		default:
			return fmt.Errorf("%q is not a boolean (use true or false)", truncate(s, 30))
		}
		return nil
	}
	o.clear = func() { *dst = false }
	return o
}

// enumOpt accepts one of values, in any case, and stores it as declared.
func enumOpt(dst *string, name, def string, values []string, usage string) *option {
	o := &option{name: name, def: def, usage: usage, valueName: strings.Join(values, "|"), values: values, dst: dst}
	if len(o.valueName) > 16 {
		o.valueName = "string"
	}
	o.set = func(s string) error {
		for _, v := range values {
			if strings.EqualFold(s, v) {
				*dst = v
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", truncate(s, 30), strings.Join(values, ", "))
	}
	o.clear = func() { *dst = "" }
	o.complete = cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	return o
}

func intOpt(dst *int, name string, def, lo, hi int, usage string) *option {
	o := &option{name: name, def: strconv.Itoa(def), usage: usage, valueName: "int", dst: dst,
		limits: fmt.Sprintf("%d to %d", lo, hi)}
	o.set = func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not an integer", truncate(s, 30))
		}
		if n < lo || n > hi {
			return outOfRange(s, o.limits)
		}
		*dst = n
		return nil
	}
	o.clear = func() { *dst = 0 }
	return o
}

// span is a range of decimals; an open end excludes its bound.
type span struct {
	lo, hi         string
	loOpen, hiOpen bool
}

func closedSpan(lo, hi string) span  { return span{lo: lo, hi: hi} }
func aboveSpan(lo, hi string) span   { return span{lo: lo, hi: hi, loOpen: true} }
func betweenSpan(lo, hi string) span { return span{lo: lo, hi: hi, loOpen: true, hiOpen: true} }

func (s span) text() string {
	switch {
	case s.loOpen && s.hiOpen:
		return "over " + s.lo + ", under " + s.hi
	case s.loOpen:
		return "over " + s.lo + ", at most " + s.hi
	}
	return s.lo + " to " + s.hi
}

func (s span) contains(d decimal.Decimal) bool {
	lo, hi := decimal.RequireFromString(s.lo), decimal.RequireFromString(s.hi)
	if c := d.Cmp(lo); c < 0 || (c == 0 && s.loOpen) {
		return false
	}
	c := d.Cmp(hi)
	return c < 0 || (c == 0 && !s.hiOpen)
}

func decOpt(dst *decimal.Decimal, name, def string, r span, usage string) *option {
	o := &option{name: name, def: def, usage: usage, valueName: "decimal", dst: dst, limits: r.text()}
	o.set = func(s string) error {
		d, err := config.ParseDecimal(s)
		if err != nil {
			return err
		}
		if !r.contains(d) {
			return outOfRange(s, o.limits)
		}
		*dst = d
		return nil
	}
	o.clear = func() { *dst = decimal.Zero }
	return o
}

// durOpt accepts a Go duration or a bare number of bare units, from lo to
// hi.
func durOpt(dst *time.Duration, name, def string, bare, lo, hi time.Duration, usage string) *option {
	o := &option{name: name, def: def, usage: usage, valueName: "duration", dst: dst,
		limits: shortDuration(lo) + " to " + shortDuration(hi)}
	o.set = func(s string) error {
		d, err := config.ParseDuration(s, bare)
		if err != nil {
			return err
		}
		if d < lo || d > hi {
			return outOfRange(s, o.limits)
		}
		*dst = d
		return nil
	}
	o.clear = func() { *dst = 0 }
	return o
}

// orZero also allows 0, which means what the text says.
func (o *option) orZero(meaning string) *option {
	inner := o.set
	o.limits = "0 (" + meaning + ") or " + o.limits
	o.set = func(s string) error {
		if d, err := config.ParseDuration(s, time.Second); err == nil && d == 0 {
			o.clear()
			return nil
		}
		return inner(s)
	}
	return o
}

// warnBelow makes a value under min legal but unwise: it is used, with
// one warning saying why.
func (o *option) warnBelow(min time.Duration, why string) *option {
	d := o.dst.(*time.Duration)
	o.limits += "; under " + shortDuration(min) + " warns"
	o.unwise = func() string {
		if *d > 0 && *d < min {
			return fmt.Sprintf("%s is under %s: %s", shortDuration(*d), shortDuration(min), why)
		}
		return ""
	}
	return o
}

func symbolsOpt(dst *[]string, name, def, usage string) *option {
	o := &option{name: name, def: def, usage: usage, valueName: "symbols", dst: dst,
		limits: fmt.Sprintf("1 to %d tickers", config.MaxSymbols)}
	o.set = func(s string) error {
		syms, err := config.ParseSymbols([]string{s})
		if err != nil {
			return err
		}
		*dst = syms
		return nil
	}
	o.clear = func() { *dst = nil }
	return o
}

// sessionOpt names a session by its UUID; empty means the command's
// default session.
func sessionOpt(dst *string, name, usage string) *option {
	o := stringOpt(dst, name, "", usage).named("uuid").orUnset()
	o.set = func(s string) error {
		if err := checkSessionID(s); err != nil {
			return err
		}
		*dst = s
		return nil
	}
	return o
}

func checkSessionID(id string) error {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return fmt.Errorf("malformed session id %q: expected a UUID such as 123e4567-e89b-12d3-a456-426614174000", truncate(id, 40))
	}
	return nil
}

// timeOpt accepts an RFC 3339 time; empty means none.
func timeOpt(dst *time.Time, name, usage string) *option {
	o := &option{name: name, usage: usage, valueName: "time", dst: dst, optional: true}
	o.set = func(s string) error {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("%q is not an RFC 3339 time such as 2025-03-12T13:00:00Z", truncate(s, 40))
		}
		*dst = t
		return nil
	}
	o.clear = func() { *dst = time.Time{} }
	return o
}

// urlOpt accepts an http:// or https:// URL with a host; empty means none.
func urlOpt(dst *string, name, usage string) *option {
	o := stringOpt(dst, name, "", usage).named("url").orUnset()
	o.set = func(s string) error {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q is not an http:// or https:// URL", truncate(s, 60))
		}
		*dst = s
		return nil
	}
	return o
}

// shortDuration prints 24h rather than 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
