package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/report"
)

// sessionShow is `sessions show -o json`. JSON names are a stable
// interface for scripts; decimals are strings with their exact text.
type sessionShow struct {
	Summary         report.Summary   `json:"summary"`
	Runs            []report.Run     `json:"runs"`
	ActivePositions []report.Trade   `json:"active_positions"`
	ClosedPositions []report.Trade   `json:"closed_positions"`
	Orders          []orderRow       `json:"orders"`
	Checkpoints     checkpoint.Stats `json:"checkpoints"`
}

type orderRow struct {
	ClientOrderID       string              `json:"client_order_id"`
	BrokerOrderID       *string             `json:"broker_order_id"`
	ParentClientOrderID *string             `json:"parent_client_order_id"`
	Purpose             *string             `json:"purpose"`
	Symbol              string              `json:"symbol"`
	Side                string              `json:"side"`
	Type                string              `json:"type"`
	Class               string              `json:"class"`
	Qty                 decimal.Decimal     `json:"qty"`
	LimitPrice          decimal.NullDecimal `json:"limit_price"`
	StopPrice           decimal.NullDecimal `json:"stop_price"`
	TakeProfitPrice     decimal.NullDecimal `json:"take_profit_price"`
	StopLossPrice       decimal.NullDecimal `json:"stop_loss_price"`
	Status              string              `json:"status"`
	FilledQty           decimal.Decimal     `json:"filled_qty"`
	FilledAvgPrice      decimal.NullDecimal `json:"filled_avg_price"`
	RejectionReason     *string             `json:"rejection_reason"`
	CreatedAt           *string             `json:"created_at"`
	SubmittedAt         *string             `json:"submitted_at"`
	AcknowledgedAt      *string             `json:"acknowledged_at"`
	UpdatedAt           *string             `json:"updated_at"`
}

func newOrderRow(o db.Order) orderRow {
	return orderRow{
		ClientOrderID: o.ClientOrderID, BrokerOrderID: optString(o.BrokerOrderID), ParentClientOrderID: optString(o.ParentClientOrderID),
		Purpose: optString(o.Purpose), Symbol: o.Symbol, Side: o.Side, Type: o.OrderType, Class: o.OrderClass, Qty: o.Qty,
		LimitPrice: o.LimitPrice, StopPrice: o.StopPrice, TakeProfitPrice: o.TakeProfitPrice, StopLossPrice: o.StopLossPrice,
		Status: o.Status, FilledQty: o.FilledQty, FilledAvgPrice: o.FilledAvgPrice, RejectionReason: optString(o.RejectionReason),
		CreatedAt: jsonTime(&o.CreatedAt), SubmittedAt: jsonTime(o.SubmittedAt), AcknowledgedAt: jsonTime(o.AcknowledgedAt),
		UpdatedAt: jsonTime(&o.UpdatedAt),
	}
}

func newSessionsShowCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:               "show [ID]",
		Short:             "Show how a session went: summary, positions, orders and checkpoint stats (default: the most recently started session)",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: app.completeSessionArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, sess, err := app.openSession(ctx, firstArg(args))
			if err != nil {
				return err
			}
			defer s.Close()
			sum, positions, err := report.LoadSummary(ctx, s, sess, app.logger())
			if err != nil {
				return err
			}
			orders, err := s.SessionOrders(ctx, sess.ID, false)
			if err != nil {
				return fmt.Errorf("read orders of session %s: %w", sess.ID, err)
			}
			st, err := checkpoint.ComputeStats(ctx, s, sess.ID, app.Now())
			if err != nil {
				return err
			}
			values, err := s.ValueSeries(ctx, sess.ID)
			if err != nil {
				return fmt.Errorf("read the value series of session %s: %w", sess.ID, err)
			}
			out := sessionShow{Summary: sum, Runs: report.Runs(values, sum.InitialValue), Orders: make([]orderRow, 0, len(orders)),
				Checkpoints: st}
			if out.Runs == nil {
				out.Runs = []report.Run{}
			}
			out.ActivePositions, out.ClosedPositions = report.Split(report.Trades(positions))
			for _, o := range orders {
				out.Orders = append(out.Orders, newOrderRow(o))
			}
			return app.render(out, func() *table { return sessionShowTable(out, orders) })
		},
	}
}

// sessionShowTable stacks the sections; a line without cells ends
// tabwriter's column blocks, so each section aligns on its own.
func sessionShowTable(v sessionShow, orders []db.Order) *table {
	t := &table{}
	summaryRows(t, v.Summary)
	runRows(t, v.Runs)
	positionRows(t, v)
	orderRows(t, len(v.Orders), orders)
	t.add()
	t.add("CHECKPOINTS (WALL TIME)")
	t.rows = append(t.rows, statsTable(v.Checkpoints).rows...)
	return t
}

func summaryRows(t *table, sum report.Summary) {
	t.add("session", sum.SessionID)
	t.add("instance", strconv.Itoa(sum.InstanceID))
	t.add("strategy", sum.Strategy)
	t.add("symbols", strings.Join(sum.Symbols, ","))
	t.add("status", sum.StatusText())
	// Two clocks: the session's own times and the journal's are this
	// machine's wall clock; entries and exits are the broker's market
	// time, which the simulated exchange runs faster. Each is labelled.
	t.add("started (wall)", fmtTime(&sum.StartTime))
	t.add("ended (wall)", fmtTime(sum.EndTime))
	t.add("clocks", "wall = this machine's clock; market = the broker's, which fills carry (the simulated exchange runs it faster)")
	t.add("starting capital", fmtNullDec(sum.InitialValue))
	t.add("account at start", fmtNullDec(sum.AccountInitialValue))
	final := fmtNullDec(sum.FinalValue)
	if note := sum.FinalValueNote(); note != "" {
		final += " (" + note + ")"
	}
	t.add("final value", final)
	pnl := fmtNullDec(sum.PnL)
	if sum.PnLPct.Valid {
		pnl += " (" + sum.PnLPct.Decimal.StringFixed(2) + "%)"
	}
	t.add("pnl", pnl)
	t.add("realized pnl", fmtNullDec(sum.RealizedPnL))
	t.add("unrealized pnl", fmtNullDec(sum.UnrealizedPnL))
	t.add("trades", fmt.Sprintf("%d closed (%d won, %d lost), %d open", sum.Trades, sum.Wins, sum.Losses, sum.ActivePositions))
	winRate := fmtNullDec(sum.WinRatePct)
	if sum.WinRatePct.Valid {
		winRate += "%"
	}
	t.add("win rate", winRate)
}

func runRows(t *table, runs []report.Run) {
	t.add()
	t.add(fmt.Sprintf("RUNS (%d)", len(runs)))
	if len(runs) > 0 {
		t.add("RUN", "HOW", "BEGAN (WALL)", "ENDED (WALL)", "ENDED", "EQUITY THEN", "PNL THEN")
	}
	for _, r := range runs {
		ended := "without a shutdown (crashed)"
		switch {
		case r.EndedCleanly:
			ended = "cleanly"
		case r.N == len(runs):
			ended = "-"
		}
		t.add(strconv.Itoa(r.N), r.How, fmtTime(&r.BeganWall), fmtTime(r.EndedWall), ended, fmtNullDec(r.Equity), fmtNullDec(r.PnL))
	}
}

func positionRows(t *table, v sessionShow) {
	t.add()
	t.add(fmt.Sprintf("ACTIVE POSITIONS (%d)", len(v.ActivePositions)))
	if len(v.ActivePositions) > 0 {
		t.add("SYMBOL", "SIDE", "QTY", "ENTERED (MARKET)", "ENTRY", "STOP", "TARGET")
	}
	for _, p := range v.ActivePositions {
		t.add(p.Symbol, p.Side, p.Qty.String(), fmtTime(&p.EntryTime), p.EntryPrice.String(), exactNullDec(p.StopLoss), exactNullDec(p.TakeProfit))
	}

	t.add()
	t.add(fmt.Sprintf("CLOSED POSITIONS (%d)", len(v.ClosedPositions)))
	if len(v.ClosedPositions) > 0 {
		t.add("SYMBOL", "SIDE", "QTY", "ENTERED (MARKET)", "ENTRY", "EXITED (MARKET)", "EXIT", "REASON", "PNL", "PNL %")
	}
	for _, p := range v.ClosedPositions {
		t.add(p.Symbol, p.Side, p.Qty.String(), fmtTime(&p.EntryTime), p.EntryPrice.String(), fmtTime(p.ExitTime),
			exactNullDec(p.ExitPrice), optStr(p.ExitReason), fmtNullDec(p.PnL), fmtNullDec(p.PnLPct))
	}
}

func orderRows(t *table, n int, orders []db.Order) {
	t.add()
	t.add(fmt.Sprintf("ORDERS (%d)", n))
	if n > 0 {
		t.add("CLIENT ORDER ID", "SYMBOL", "SIDE", "TYPE/CLASS", "QTY", "STATUS", "FILLED", "AVG PRICE", "CREATED (WALL)", "UPDATED (WALL)")
	}
	for _, o := range orders {
		t.add(o.ClientOrderID, o.Symbol, o.Side, o.OrderType+"/"+o.OrderClass, o.Qty.String(), o.Status, o.FilledQty.String(),
			exactNullDec(o.FilledAvgPrice), fmtTime(&o.CreatedAt), fmtTime(&o.UpdatedAt))
	}
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// exactNullDec shows a price as stored; fmtNullDec rounds money to cents.
func exactNullDec(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.String()
}
