package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/reconcile"
	"github.com/gambler-trader/gambler/internal/session"
)

// reconcileSection is the config section of reconcile-only. Its broker
// settings fall back to the trade.* keys and then to the settings stored
// with the session, so it talks to the same broker the session traded on
// without its own config; it deliberately does not share the trade section,
// which would make trade.session and trade.dry_run valid keys.
const reconcileSection = "reconcile_only"

type reconcileItemJSON struct {
	Class  string `json:"class"`
	Symbol string `json:"symbol"`
	Order  string `json:"order,omitempty"`
	Store  string `json:"store"`
	Broker string `json:"broker"`
	Action string `json:"action"`
	Result string `json:"result"`
}

type reconcileJSON struct {
	SessionID string              `json:"session_id"`
	DryRun    bool                `json:"dry_run"`
	Items     []reconcileItemJSON `json:"items"`
	Summary   map[string]int      `json:"summary"`
}

func newReconcileCmd(app *App) *cobra.Command {
	c := &cobra.Command{
		Use:   "reconcile-only",
		Short: "Compare a session with the broker and repair the differences (without trading)",
		Long: `Compares the session's positions and order journal with the broker, prints every
difference with what is done about it, and fixes it. Exit status 0 when the store and
the broker agree or everything was fixed, 3 when an item needs a person (a side
mismatch). Positions of other sessions on a shared account are reported as
"foreign" and left alone. Claims the session holds on symbols it no longer trades
are released, so other instances may trade them.`,
		Example: `  gambler reconcile-only --dry-run
  gambler reconcile-only --session 123e4567-e89b-12d3-a456-426614174000 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return app.runReconcile(cmd) },
	}
	f := c.Flags()
	f.String("session", "", "session to reconcile (default: the newest session, whatever its status)")
	f.Bool("dry-run", false, "print the plan without changing anything")
	f.String("broker", "", "sim or alpaca (default: trade.broker, then what the session traded on)")
	f.String("exchange-url", "", "a running `gambler exchange` (default: trade.exchange_url, then what the session traded on)")
	return c
}

func (a *App) runReconcile(cmd *cobra.Command) error {
	ctx := cmd.Context()
	log := a.logger()
	dryRun, err := a.boolean(reconcileSection + ".dry_run")
	if err != nil {
		return err
	}
	open := a.openStore
	if dryRun {
		open = a.openStoreReadOnly
	}
	store, err := open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	sess, err := resolveSession(ctx, store, a.str(reconcileSection+".session"))
	if err != nil {
		return err
	}
	opts, err := a.reconcileOptions(sess)
	if err != nil {
		return err
	}
	if !dryRun {
		lease, err := store.AcquireLease(ctx, sess.ID, session.ThisProcess(a.Now()))
		var held *db.LeaseHeldError
		if errors.As(err, &held) {
			return fmt.Errorf("cannot reconcile while the session is traded: %w", held)
		}
		if err != nil {
			return fmt.Errorf("take lease of session %s: %w", sess.ID, err)
		}
		defer func() { _ = lease.Release(ctx) }()
	}
	brk, stopExchange, err := a.connectBroker(ctx, opts, log, nil)
	if err != nil {
		return err
	}
	defer stopExchange()
	rec := &reconcile.Reconciler{Store: store, Broker: brk, SessionID: sess.ID,
		StopLossPct: opts.stopLoss, TakeProfitPct: opts.takeProfit, Now: a.Now, Log: log}
	plan, err := rec.Run(ctx, reconcile.Options{DryRun: dryRun})
	if err != nil {
		return err
	}
	plan.Log(log)
	if !dryRun {
		released, err := store.ReleaseIdleClaims(ctx, sess.ID)
		if err != nil {
			return fmt.Errorf("release idle symbol claims: %w", err)
		}
		if len(released) > 0 {
			log.Info().Strs("symbols", released).Msg("released symbol claims")
		}
	}
	if err := a.render(reconcileOutput(plan, dryRun), func() *table { return reconcileTable(plan) }); err != nil {
		return err
	}
	switch {
	case plan.Failed() > 0:
		return fmt.Errorf("%d reconcile item(s) failed; run reconcile-only again once the cause is fixed", plan.Failed())
	case plan.NeedsPerson():
		return checkFailed(errors.New("reconcile found differences that need a person (see the items marked \"needs a person\")"))
	}
	return nil
}

// reconcileOptions builds the broker connection settings and the exit
// percentages: an explicit reconcile-only value, else trade.* from the
// config file or environment, else the value stored with the session, else
// the trade default.
func (a *App) reconcileOptions(sess db.Session) (tradeOptions, error) {
	saved := map[string]string{}
	if len(sess.Settings) > 0 {
		_ = json.Unmarshal(sess.Settings, &saved) // unreadable settings fall back to defaults
	}
	defaults := map[string]string{"sim-speed": "60", "sim-seed": "1", "stop-loss-pct": "2", "take-profit-pct": "4"}
	// key is the config key of a setting that may be given for this run;
	// "" for settings that only come from the session.
	pick := func(name, key string) string {
		if key != "" {
			for _, section := range []string{reconcileSection, tradeSection} {
				if v := a.str(section + "." + key); v != "" {
					return v
				}
			}
		}
		if v := saved[name]; v != "" {
			return v
		}
		return defaults[name]
	}
	o := tradeOptions{broker: strings.ToLower(pick("broker", "broker")), exchangeURL: pick("exchange-url", "exchange_url")}
	switch o.broker {
	case "", "sim", "alpaca":
	default:
		return o, usageError("--broker: unknown broker %q (use sim or alpaca)", o.broker)
	}
	var err error
	// The session's own exit percentages place adopted positions' exits.
	for _, f := range []struct {
		name string
		dst  *decimal.Decimal
	}{{"stop-loss-pct", &o.stopLoss}, {"take-profit-pct", &o.takeProfit}, {"sim-speed", &o.simSpeed}} {
		if *f.dst, err = positiveDec(f.name, pick(f.name, "")); err != nil {
			return o, err
		}
	}
	if o.simSeed, err = atoiFlag("sim-seed", pick("sim-seed", "")); err != nil {
		return o, usageError("%v", err)
	}
	return o, nil
}

func reconcileOutput(p reconcile.Plan, dryRun bool) reconcileJSON {
	out := reconcileJSON{SessionID: p.SessionID, DryRun: dryRun, Items: []reconcileItemJSON{}, Summary: map[string]int{}}
	for _, it := range p.Items {
		out.Items = append(out.Items, reconcileItemJSON{Class: string(it.Class), Symbol: it.Symbol, Order: it.Order,
			Store: it.Store, Broker: it.Broker, Action: it.Action, Result: it.Result})
	}
	for c, n := range p.Summary() {
		out.Summary[string(c)] = n
	}
	return out
}

func reconcileTable(p reconcile.Plan) *table {
	t := &table{headers: []string{"CLASS", "SYMBOL", "STORE", "BROKER", "ACTION", "RESULT"}}
	for _, it := range p.Items {
		sym := it.Symbol
		if it.Order != "" {
			sym += " " + it.Order
		}
		t.add(string(it.Class), sym, it.Store, it.Broker, it.Action, it.Result)
	}
	if p.Empty() {
		t.headers = nil
		t.add(fmt.Sprintf("session %s: store and broker agree, nothing to do", p.SessionID))
	}
	return t
}
