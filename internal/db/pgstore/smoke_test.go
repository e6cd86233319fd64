package pgstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func seed(t *testing.T, s *Store, id string) {
	t.Helper()
	err := s.CreateSession(context.Background(), db.Session{ID: id, StartTime: t0, Status: db.StatusActive,
		Symbols: []string{"AAPL", "MSFT"}, InitialPortfolioValue: decimal.NewNullDecimal(decimal.RequireFromString("1000.50"))})
	if err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, s *Store, sid, sym string) int64 {
	t.Helper()
	id, err := s.OpenPosition(context.Background(), db.Position{SessionID: sid, Symbol: sym, EntryTime: t0,
		EntryPrice: decimal.RequireFromString("150.50"), Qty: decimal.NewFromInt(10), Direction: db.DirectionUp,
		Side: "buy", StopLoss: decimal.NewNullDecimal(decimal.RequireFromString("140")), OrderID: "o-" + sym})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	seed(t, s, "s1")
	got, err := s.GetSession(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", got)
	if err := s.CreateSession(ctx, db.Session{ID: "s1"}); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("dup: %v", err)
	}
	if _, err := s.GetSession(ctx, "nope"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	p1 := open(t, s, "s1", "AAPL")
	open(t, s, "s1", "MSFT")
	if _, err := s.OpenPosition(ctx, db.Position{SessionID: "s1", Symbol: "AAPL", EntryTime: t0, Direction: "UP", Side: "buy"}); !errors.Is(err, db.ErrConflict) {
		t.Fatalf("dup pos: %v", err)
	}
	m1, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "s1", CheckpointTime: t0, Trigger: db.TriggerManual,
		AccountSnapshot: []byte(`{"cash": 1}`)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v seq=%d", m1, *m1.Sequence)
	if err := s.ClosePosition(ctx, db.PositionClose{PositionID: p1, ExitTime: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	m2, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "s1", CheckpointTime: t0.Add(time.Minute), Trigger: db.TriggerInterval,
		AccountSnapshot: []byte(`{"cash": 2}`)})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListCheckpoints(ctx, "s1", 10)
	if err != nil || len(list) != 2 || list[0].ID != m2.ID || list[0].ActivePositionsCount != 1 || list[0].ClosedTradesCount != 1 || *list[1].Sequence != 1 {
		t.Fatalf("list %+v %v", list, err)
	}
	c, err := s.NewestCheckpoint(ctx, "s1", 1)
	if err != nil || !c.Verify() {
		t.Fatalf("%+v %v", c, err)
	}
	t.Logf("%s %s", c.PositionsSnapshot, c.AccountSnapshot)
	st, err := s.CheckpointStats(ctx, "s1")
	t.Logf("%+v %v", st, err)
	if _, err := s.pool.Exec(ctx, "UPDATE position_checkpoints SET trigger='x'"); err != nil {
		t.Logf("update: %v / %v", err, wrapErr(err, "x"))
	}
	if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "nope", AccountSnapshot: []byte(`{}`)}); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("cp missing session: %v", err)
	}
	for i := range 13 {
		if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: "s1", CheckpointTime: t0.Add(time.Duration(i+2) * time.Minute), AccountSnapshot: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: "s1", Keep: 10, DryRun: true})
	t.Log("dry", n, err)
	n, err = s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: "s1", Keep: 10, BatchSize: 2})
	t.Log("del", n, err)
	list, _ = s.ListCheckpoints(ctx, "s1", 0)
	for _, m := range list {
		fmt.Println(m.ID, *m.Sequence, m.CheckpointTime)
	}

	l, err := s.AcquireLease(ctx, "s1", db.Holder{Host: "h", PID: 42})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.AcquireLease(ctx, "s1", db.Holder{Host: "h2", PID: 43})
	var held *db.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.PID != 42 {
		t.Fatalf("second: %v", err)
	}
	t.Log(err)
	h, ok, err := s.LeaseHolder(ctx, "s1")
	t.Log(h, ok, err)
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	h, ok, err = s.LeaseHolder(ctx, "s1")
	t.Log(h, ok, err)

	ok2, err := s.ApplyFill(ctx, db.FillEffect{Fill: db.Fill{FillID: "f1", SessionID: "s1", Symbol: "X", Side: "buy", Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(2), FilledAt: t0},
		Open: &db.Position{SessionID: "s1", Symbol: "X", EntryTime: t0, EntryPrice: decimal.NewFromInt(2), Qty: decimal.NewFromInt(1), Direction: "UP", Side: "buy"}})
	t.Log(ok2, err)
	ok2, err = s.ApplyFill(ctx, db.FillEffect{Fill: db.Fill{FillID: "f1", SessionID: "s1", Symbol: "X", Side: "buy", Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(2), FilledAt: t0}})
	t.Log(ok2, err)
	ok2, err = s.ApplyFill(ctx, db.FillEffect{Fill: db.Fill{FillID: "f2", SessionID: "s1", Symbol: "X", Side: "buy", Qty: decimal.NewFromInt(1), Price: decimal.NewFromInt(2), FilledAt: t0},
		Open: &db.Position{SessionID: "s1", Symbol: "X", EntryTime: t0, EntryPrice: decimal.NewFromInt(2), Qty: decimal.NewFromInt(1), Direction: "UP", Side: "buy"}})
	t.Log(ok2, err)
	fills, err := s.Fills(ctx, "s1")
	t.Log(fills, err)
	sums, err := s.ListSessions(ctx, db.SessionFilter{})
	t.Logf("%+v %v", sums, err)
	_, err = s.InsertOrder(ctx, db.Order{SessionID: "s1", ClientOrderID: "c1", Seq: 1, Symbol: "X", Side: "buy", Qty: decimal.NewFromInt(1)})
	t.Log(err)
	err = s.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: "c1", Status: "filled", FilledQty: decimal.NewFromInt(1)})
	t.Log(err)
	os, err := s.SessionOrders(ctx, "s1", true)
	t.Log(len(os), err)
	o, err := s.GetOrder(ctx, "c1")
	t.Logf("%+v %v", o, err)
	v, err := s.SchemaVersion(ctx)
	t.Log(v, err)
}
