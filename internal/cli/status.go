package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/status"
)

// clearScreen moves the cursor home and clears the terminal, so that each
// --watch refresh replaces the previous one.
const clearScreen = "\x1b[H\x1b[2J"

// statusOptions are `gambler status`'s options.
type statusOptions struct {
	Watch    bool
	Interval time.Duration
}

func newStatusCmd(app *App) *cobra.Command {
	o := &statusOptions{}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show every running session: value, P&L, open positions, pending orders, checkpoint age and health",
		Long: "status shows, on one screen, every session a live process is trading: its uptime and market time,\n" +
			"its own equity and P&L, its open positions with unrealized P&L, its pending orders, how old its last\n" +
			"checkpoint is, and the verdict of the /healthz rule. --watch refreshes it until interrupted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := app.openStoreReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			if !o.Watch {
				return app.showStatus(cmd.Context(), s)
			}
			return app.watchStatus(cmd.Context(), s, o.Interval)
		},
	}
	app.bind(c,
		boolOpt(&o.Watch, "watch", "refresh until interrupted"),
		durOpt(&o.Interval, "interval", "2s", time.Second, 100*time.Millisecond, time.Hour,
			"with --watch, refresh this often: seconds, or a Go duration"),
	)
	return c
}

func (a *App) showStatus(ctx context.Context, s status.Store) error {
	scr, err := status.Collect(ctx, s, a.Now(), a.logger())
	if err != nil {
		return err
	}
	return a.render(scr, func() *table { return statusTable(scr) })
}

// watchStatus redraws the view every interval until the context ends (the
// first Ctrl-C), which is a normal end. A refresh that fails is reported
// and the next one tries again: a watcher outlives a database restart.
func (a *App) watchStatus(ctx context.Context, s status.Store, every time.Duration) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	log := a.logger()
	for {
		if a.output() == "table" && a.IO.OutIsTerminal {
			fmt.Fprint(a.IO.Out, clearScreen)
		}
		if err := a.showStatus(ctx, s); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn().Err(err).Msg("status refresh failed; trying again")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if a.output() == "table" && !a.IO.OutIsTerminal {
			fmt.Fprintln(a.IO.Out)
		}
	}
}

// statusTable is one line per running session, then each session's open
// positions and pending orders; a line without cells ends tabwriter's
// column block, so each section aligns on its own.
func statusTable(scr status.Screen) *table {
	t := &table{}
	t.add(fmt.Sprintf("gambler status at %s UTC: %d running", scr.GeneratedAt.Format("2006-01-02 15:04:05"), len(scr.Sessions)))
	if len(scr.NotRunning) > 0 {
		t.add(fmt.Sprintf("%d active session(s) not running (resume them with gambler resume-session ID): %s",
			len(scr.NotRunning), strings.Join(scr.NotRunning, ", ")))
	}
	if len(scr.Sessions) == 0 {
		t.add("no session is running; start one with: gambler trade --symbols AAPL,MSFT")
		return t
	}
	t.add()
	t.add("INSTANCE", "SESSION", "UPTIME", "MARKET TIME", "EQUITY", "PNL", "REALIZED", "UNREALIZED", "OPEN", "PENDING", "LAST CHECKPOINT", "HEALTH")
	for _, s := range scr.Sessions {
		pnl := fmtNullDec(s.PnL)
		if s.PnLPct.Valid {
			pnl += " (" + s.PnLPct.Decimal.StringFixed(2) + "%)"
		}
		unrealized := fmtNullDec(s.UnrealizedPnL)
		if s.PricesStale {
			unrealized += " (stale)"
		}
		age := "-"
		if s.LastCheckpointAgeSeconds != nil {
			age = fmtAge(*s.LastCheckpointAgeSeconds) + " ago"
		}
		t.add(strconv.Itoa(s.InstanceID), s.SessionID, fmtAge(s.UptimeSeconds), fmtTime(s.MarketTime), fmtNullDec(s.Equity), pnl,
			s.RealizedPnL.StringFixed(2), unrealized, strconv.Itoa(len(s.OpenPositions)), strconv.Itoa(len(s.PendingOrders)), age, s.Health)
	}
	for _, s := range scr.Sessions {
		statusDetail(t, s)
	}
	return t
}

func statusDetail(t *table, s status.Session) {
	t.add()
	t.add(fmt.Sprintf("INSTANCE %d (%s pid %d): OPEN POSITIONS (%d)", s.InstanceID, s.Holder.Host, s.Holder.PID, len(s.OpenPositions)))
	if len(s.OpenPositions) > 0 {
		t.add("SYMBOL", "SIDE", "QTY", "ENTRY", "PRICE", "UNREALIZED")
	}
	for _, p := range s.OpenPositions {
		t.add(p.Symbol, p.Side, p.Qty.String(), p.EntryPrice.String(), exactNullDec(p.Price), fmtNullDec(p.UnrealizedPnL))
	}
	t.add()
	t.add(fmt.Sprintf("INSTANCE %d: PENDING ORDERS (%d)", s.InstanceID, len(s.PendingOrders)))
	if len(s.PendingOrders) > 0 {
		t.add("CLIENT ORDER ID", "SYMBOL", "SIDE", "TYPE", "PURPOSE", "QTY", "STATUS", "CREATED (WALL)")
	}
	for _, o := range s.PendingOrders {
		t.add(o.ClientOrderID, o.Symbol, o.Side, o.Type, optStr(&o.Purpose), o.Qty.String(), o.Status, fmtTime(&o.CreatedAt))
	}
}

// fmtAge shows a duration in seconds the way a person reads an age.
func fmtAge(secs float64) string {
	d := time.Duration(secs * float64(time.Second))
	switch {
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}
