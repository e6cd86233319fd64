package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// commandGroup is a command that only holds subcommands. Cobra would print
// the help and exit 0 for a mistyped subcommand (`gambler sessions shwo`),
// which a script would take for success; here it is a usage error.
func commandGroup(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				names := make([]string, 0, len(cmd.Commands()))
				for _, c := range cmd.Commands() {
					if c.IsAvailableCommand() {
						names = append(names, c.Name())
					}
				}
				return usageError("unknown command %q for %q (available: %s)", args[0], cmd.CommandPath(), strings.Join(names, ", "))
			}
			return cmd.Help()
		},
	}
}
