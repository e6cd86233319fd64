package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/reconcile"
	"github.com/gambler-trader/gambler/internal/session"
)

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

// reconcileOptions are reconcile-only's options. Its broker settings fall
// back to the trade.* keys and then to what the session stored, so it
// talks to the broker the session traded on without a config of its own;
// the exit percentages that place adopted positions' exits are the
// session's.
type reconcileOptions struct {
	SessionID string
	DryRun    bool
	brokerSettings
	exitSettings
}

func newReconcileCmd(app *App) *cobra.Command {
	o := &reconcileOptions{}
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
		RunE: func(cmd *cobra.Command, _ []string) error { return app.runReconcile(cmd, o) },
	}
	set := app.bind(c,
		app.sessionFlag(&o.SessionID, "session to reconcile (default: the newest session, whatever its status)"),
		boolOpt(&o.DryRun, "dry-run", "print the plan without changing anything"),
		o.kindOpt().fallbackTo(tradeSection).withUsage("sim or alpaca (default: trade.broker, then what the session traded on)"),
		o.urlOpt().fallbackTo(tradeSection).withUsage("a running gambler exchange (default: trade.exchange_url, then what the session traded on)"),
		o.speedOpt().fromSession(), o.seedOpt().fromSession(), o.stopLossOpt().fromSession(), o.takeProfitOpt().fromSession(),
	)
	set.restorable = true
	return c
}

func (a *App) runReconcile(cmd *cobra.Command, o *reconcileOptions) error {
	ctx := cmd.Context()
	log := a.logger()
	open := a.openStore
	if o.DryRun {
		open = a.openStoreReadOnly
	}
	store, err := open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	sess, err := resolveSession(ctx, store, o.SessionID)
	if err != nil {
		return err
	}
	set := a.setOf(cmd)
	if err := a.resolve(cmd, set, a.parseStored(sess.ID, sess.Settings)); err != nil {
		return err
	}
	a.warnUnwise(set)
	writes := store
	if !o.DryRun {
		lease, err := store.AcquireLease(ctx, sess.ID, session.ThisProcess(a.Now()))
		var held *db.LeaseHeldError
		if errors.As(err, &held) {
			return fmt.Errorf("cannot reconcile while the session is traded: %w", held)
		}
		if err != nil {
			return fmt.Errorf("take lease of session %s: %w", sess.ID, err)
		}
		defer func() { _ = lease.Release(ctx) }()
		// Its writes are fenced by the lease it took, like a trader's.
		writes = store.Fenced(db.Fence{SessionID: sess.ID, Epoch: lease.Epoch()})
	}
	brk, stopExchange, err := a.connectBroker(ctx, &o.brokerSettings, sess.InstanceID, log, nil)
	if err != nil {
		return err
	}
	defer stopExchange()
	rec := &reconcile.Reconciler{Store: writes, Broker: brk, SessionID: sess.ID,
		StopLossPct: o.StopLossPct, TakeProfitPct: o.TakeProfitPct, Now: a.Now, Log: log}
	plan, err := rec.Run(ctx, reconcile.Options{DryRun: o.DryRun})
	if err != nil {
		return err
	}
	plan.Log(log)
	if !o.DryRun {
		released, err := writes.ReleaseIdleClaims(ctx, sess.ID)
		if err != nil {
			return fmt.Errorf("release idle symbol claims: %w", err)
		}
		if len(released) > 0 {
			log.Info().Strs("symbols", released).Msg("released symbol claims")
		}
	}
	if err := a.render(reconcileOutput(plan, o.DryRun), func() *table { return reconcileTable(plan) }); err != nil {
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
