package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// configInitOptions are `config init`'s options.
type configInitOptions struct {
	Path  string
	Force bool
}

type configInitResult struct {
	Path string `json:"path"`
	Keys int    `json:"keys"`
}

// annotationNoConfigFile marks a command that does not read the config
// file: config init must work even when the old file is invalid.
const annotationNoConfigFile = "gambler/no-config-file"

func newConfigCmd(app *App) *cobra.Command {
	cmd := commandGroup("config", "Write gambler's config file")
	o := &configInitOptions{}
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write a config file with every key, commented out at its default",
		Long: `Writes a YAML config file with every key gambler knows, each commented out at
its default, with its flag, its environment variable and its range. Uncomment a
line to change the setting. The file is written with mode 0600, because it may
come to hold secrets; an existing file is kept unless --force is given.`,
		Example:     "  gambler config init\n  gambler config init --path ./gambler.yaml\n  gambler config init --path - | less",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{annotationNoConfigFile: "true"},
		RunE:        func(*cobra.Command, []string) error { return app.configInit(o) },
	}
	app.bind(initCmd,
		stringOpt(&o.Path, "path", "", "write the file here; - writes to stdout (default: $XDG_CONFIG_HOME/gambler/config.yaml)").named("path"),
		boolOpt(&o.Force, "force", "replace an existing file"),
	)
	cmd.AddCommand(initCmd)
	return cmd
}

func (a *App) configInit(o *configInitOptions) error {
	text, keys := a.configTemplate()
	if o.Path == "-" {
		_, err := io.WriteString(a.IO.Out, text)
		return err
	}
	path := o.Path
	if path == "" {
		dir, err := a.configDir()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
		path = filepath.Join(dir, "config.yaml")
	}
	if _, err := os.Stat(path); err == nil && !o.Force {
		return fmt.Errorf("%s exists; keep it, or replace it with: gambler config init --path %s --force", path, path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if err := writeFileAtomic(path, 0o600, func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	}); err != nil {
		return err
	}
	res := configInitResult{Path: path, Keys: keys}
	if abs, err := filepath.Abs(path); err == nil {
		res.Path = abs
	}
	return a.render(res, func() *table {
		return &table{rows: [][]string{{fmt.Sprintf("wrote %d keys to %s (mode 0600)", res.Keys, res.Path)}}}
	})
}

const configHeader = `# gambler configuration, as written by: gambler config init
#
# gambler reads --config FILE, else GAMBLER_CONFIG, else ./gambler.yaml, else
# $XDG_CONFIG_HOME/gambler/config.yaml. Precedence: command-line flag, then
# environment variable, then this file, then the default.
#
# Every setting is listed, commented out at its default: uncomment a line to
# change it. Settings marked "stored with the session" are saved when a session
# starts and restored when it is resumed, unless given again. Unknown keys are
# errors. If this file holds secrets, keep it private: chmod 600.
`

// configNode is a section or a key of the generated file.
type configNode struct {
	name     string
	children []*configNode
	opt      *option
	sharedBy []string
}

func (n *configNode) child(name string) *configNode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	c := &configNode{name: name}
	n.children = append(n.children, c)
	return c
}

// configTemplate renders every key from the option declarations, so the
// file cannot drift from the flags. It returns the text and the number of
// keys.
func (a *App) configTemplate() (string, int) {
	root := &configNode{}
	keys := 0
	for _, set := range a.orderedSets() {
		for _, o := range set.opts {
			if o.key == "" {
				continue
			}
			parts := strings.Split(o.key, ".")
			n := root
			for _, p := range parts {
				n = n.child(p)
			}
			if n.opt == nil {
				n.opt = o
				keys++
			}
			if top := root.child(parts[0]); set.section != "" && !slices.Contains(top.sharedBy, set.cmd.Name()) {
				top.sharedBy = append(top.sharedBy, set.cmd.Name())
			}
		}
	}
	var b strings.Builder
	b.WriteString(configHeader)
	for _, n := range root.children {
		b.WriteString("\n")
		writeConfigNode(&b, n, 0)
	}
	return b.String(), keys
}

// orderedSets are the root's options, then trade's, then the others as
// the commands were built.
func (a *App) orderedSets() []*optionSet {
	var first, trade, rest []*optionSet
	for _, set := range a.sets {
		switch {
		case !set.cmd.HasParent():
			first = append(first, set)
		case set.section == tradeSection:
			trade = append(trade, set)
		default:
			rest = append(rest, set)
		}
	}
	return append(append(first, trade...), rest...)
}

func writeConfigNode(b *strings.Builder, n *configNode, depth int) {
	indent := strings.Repeat("  ", depth)
	if n.opt == nil {
		b.WriteString(indent + n.name + ":")
		if len(n.sharedBy) > 1 {
			b.WriteString(" # shared by " + strings.Join(n.sharedBy, ", "))
		}
		b.WriteString("\n")
		for i, c := range n.children {
			if i > 0 {
				b.WriteString("\n")
			}
			writeConfigNode(b, c, depth+1)
		}
		return
	}
	o := n.opt
	fmt.Fprintf(b, "%s# %s\n", indent, o.usage)
	if o.limits != "" {
		fmt.Fprintf(b, "%s# range: %s\n", indent, o.limits)
	} else if len(o.values) > 0 {
		fmt.Fprintf(b, "%s# one of: %s\n", indent, strings.Join(o.values, ", "))
	}
	var where []string
	if !o.flagless {
		where = append(where, "flag --"+o.name)
	}
	where = append(where, "env "+strings.Join(o.envNames(o.key), " or "))
	if o.stored && o.fallback == "" {
		where = append(where, "stored with the session")
	}
	fmt.Fprintf(b, "%s# %s\n", indent, strings.Join(where, "; "))
	fmt.Fprintf(b, "%s# %s: %s\n", indent, n.name, yamlScalar(o.def))
}

// plainScalar is a value YAML reads as written, without quotes.
var plainScalar = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.,:/+-]*$`)

func yamlScalar(s string) string {
	if plainScalar.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}
