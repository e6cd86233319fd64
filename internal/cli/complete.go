package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/db"
)

// completionTimeout bounds how long a shell waits for completions.
const completionTimeout = 3 * time.Second

// sessionFlag is a --session option that completes the store's session
// ids.
func (a *App) sessionFlag(dst *string, usage string) *option {
	return sessionOpt(dst, "session", usage).completeWith(a.completeSessions)
}

// completeSessionArg completes a command's one session id argument.
func (a *App) completeSessionArg(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.completeSessions(cmd, args, toComplete)
}

// completeSessions offers session ids, newest first, each described by its
// status, instance, start and symbols.
func (a *App) completeSessions(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	_ = a.withCompletionStore(cmd, func(ctx context.Context, s db.Store) error {
		list, err := s.ListSessions(ctx, db.SessionFilter{Limit: 200})
		for _, ss := range list {
			if strings.HasPrefix(ss.ID, toComplete) {
				out = append(out, cobra.CompletionWithDesc(ss.ID, fmt.Sprintf("%s, instance %d, started %s, %s",
					ss.Status, ss.InstanceID, fmtTime(&ss.StartTime), strings.Join(ss.Symbols, ","))))
			}
		}
		return err
	})
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

// completeSymbols offers, after the tickers already typed, the tickers of
// recent sessions and the defaults.
func (a *App) completeSymbols(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	seen := map[string]bool{}
	for _, s := range strings.Split(defaultSymbols, ",") {
		seen[s] = true
	}
	_ = a.withCompletionStore(cmd, func(ctx context.Context, s db.Store) error {
		list, err := s.ListSessions(ctx, db.SessionFilter{Limit: 50})
		for _, ss := range list {
			for _, sym := range ss.Symbols {
				seen[sym] = true
			}
		}
		return err
	})
	typed, partial := "", strings.ToUpper(toComplete)
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		typed, partial = toComplete[:i+1], strings.ToUpper(toComplete[i+1:])
	}
	already := map[string]bool{}
	for _, s := range strings.Split(strings.ToUpper(typed), ",") {
		already[s] = true
	}
	var out []cobra.Completion
	for sym := range seen {
		if strings.HasPrefix(sym, partial) && !already[sym] {
			out = append(out, typed+sym)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// withCompletionStore runs fn on the store the command line names, opened
// read-only: completion creates and migrates nothing, and any failure
// completes nothing rather than printing an error into the shell.
func (a *App) withCompletionStore(cmd *cobra.Command, fn func(context.Context, db.Store) error) error {
	if err := a.loadConfig(cmd); err != nil {
		return err
	}
	if root := a.setOf(cmd.Root()); root != nil {
		if err := a.resolve(cmd, root, nil); err != nil {
			return err
		}
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	s, err := a.openStoreReadOnly(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(ctx, s)
}
