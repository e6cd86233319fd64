package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// optionSet is one command's options, bound to its flags.
type optionSet struct {
	cmd  *cobra.Command
	opts []*option
	// section overrides the config section derived from the command's
	// path, so trade, resume and resume-session share trade.* keys.
	section string
	// check validates the values together, once they are resolved.
	check func() error
	// restorable sets wait for the session's stored settings before their
	// warnings are given (trade resolves again on resume).
	restorable bool
}

// flagValue holds a flag's text as typed; resolve parses it, so a value
// from the command line, the environment and the config file are checked
// by the same code and named by where they came from.
type flagValue struct {
	text, kind string
}

func (v *flagValue) String() string     { return v.text }
func (v *flagValue) Set(s string) error { v.text = s; return nil }
func (v *flagValue) Type() string       { return v.kind }

// bind declares opts as flags of cmd and records them for resolve.
func (a *App) bind(cmd *cobra.Command, opts ...*option) *optionSet {
	set := &optionSet{cmd: cmd, opts: opts}
	a.addFlags(cmd, false, opts)
	a.sets = append(a.sets, set)
	return set
}

// bindPersistent declares the root's options, inherited by every command.
func (a *App) bindPersistent(cmd *cobra.Command, opts ...*option) *optionSet {
	set := &optionSet{cmd: cmd, opts: opts}
	a.addFlags(cmd, true, opts)
	a.sets = append(a.sets, set)
	return set
}

func (a *App) addFlags(cmd *cobra.Command, persistent bool, opts []*option) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	for _, o := range opts {
		if a.byDst == nil {
			a.byDst = map[any]*option{}
		}
		a.byDst[o.dst] = o
		if o.flagless || o.sessionOnly {
			continue
		}
		f := fs.VarPF(&flagValue{text: o.def, kind: o.valueName}, o.name, o.short, o.help())
		if o.valueName == "bool" {
			f.NoOptDefVal = "true"
		}
		if o.complete != nil {
			_ = cmd.RegisterFlagCompletionFunc(o.name, o.complete) // a name is registered once per command
		}
	}
}

// finishKeys gives every option without a key its command's key, once the
// tree is built, and records every key a config file may set.
func (a *App) finishKeys() {
	a.keys = map[string]bool{}
	for _, set := range a.sets {
		section := set.section
		if section == "" {
			section = commandSection(set.cmd)
		}
		for _, o := range set.opts {
			if o.key == "" && !o.sessionOnly {
				o.key = section + "." + snake(o.name)
			}
			if o.key != "" {
				a.keys[o.key] = true
			}
		}
	}
}

// commandSection is a command's path without the root, as a config key:
// `checkpoints cleanup` is checkpoints.cleanup.
func commandSection(cmd *cobra.Command) string {
	var parts []string
	for c := cmd; c.HasParent(); c = c.Parent() {
		parts = append([]string{snake(c.Name())}, parts...)
	}
	return strings.Join(parts, ".")
}

// setsFor are the option sets a run of cmd resolves: the root's, then its
// own.
func (a *App) setsFor(cmd *cobra.Command) []*optionSet {
	var out []*optionSet
	if root := a.setOf(cmd.Root()); root != nil {
		out = append(out, root)
	}
	if cmd != cmd.Root() {
		if own := a.setOf(cmd); own != nil {
			out = append(out, own)
		}
	}
	return out
}

// setOf is cmd's own option set.
func (a *App) setOf(cmd *cobra.Command) *optionSet {
	for _, set := range a.sets {
		if set.cmd == cmd {
			return set
		}
	}
	return nil
}
