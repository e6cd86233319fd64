package e2e

import (
	"context"
	"sort"
	"strings"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
)

// CheckAll checks every invariant of a session that ended cleanly: no
// duplicate order (1), positions equal to the exchange's (2), fills applied
// exactly once (3), checkpoints increasing and verified with the last one
// taken after the last change of positions (4), exactly one session and it
// is completed (5). Symbols of foreign positions, which the session never
// held, are left out of (2).
func (e *Env) CheckAll(foreign ...string) db.Session {
	e.T.Helper()
	s := e.Session()
	if s.Status != db.StatusCompleted {
		e.T.Errorf("session %s ended %s, want completed", s.ID, s.Status)
	}
	e.CheckNoDuplicateOrders()
	e.CheckPositionsMatch(s.ID, foreign...)
	e.CheckFills(s.ID)
	metas := e.CheckCheckpoints(s.ID)
	e.CheckFinalCheckpoint(s.ID, metas)
	return s
}

// CheckFinalCheckpoint: the newest checkpoint is the shutdown one and its
// snapshot holds exactly the store's final positions, so it was written at
// or after the last change of positions.
func (e *Env) CheckFinalCheckpoint(sessionID string, metas []db.CheckpointMeta) {
	e.T.Helper()
	if len(metas) == 0 {
		e.T.Errorf("session %s has no checkpoint", sessionID)
		return
	}
	if metas[0].Trigger != db.TriggerShutdown {
		e.T.Errorf("newest checkpoint has trigger %s, want shutdown (%s)", metas[0].Trigger, Triggers(metas))
	}
	ctx := context.Background()
	c, err := e.Store.GetCheckpoint(ctx, metas[0].ID)
	if err != nil {
		e.T.Fatal(err)
	}
	r := checkpoint.Decode(c)
	var snap []string
	for _, p := range r.Positions {
		snap = append(snap, p.Symbol+" "+p.Side+" "+p.Qty.String())
	}
	all, err := e.Store.Positions(ctx, sessionID)
	if err != nil {
		e.T.Fatal(err)
	}
	var store []string
	closed := 0
	for _, p := range all {
		if p.Status == db.PositionActive {
			store = append(store, p.Symbol+" "+p.Side+" "+p.Qty.String())
		} else {
			closed++
		}
	}
	sort.Strings(snap)
	sort.Strings(store)
	if strings.Join(snap, ",") != strings.Join(store, ",") || r.ClosedCount != closed {
		e.T.Errorf("final checkpoint %d holds %v and %d closed; the store ends with %v and %d closed",
			r.CheckpointID, snap, r.ClosedCount, store, closed)
	}
}

// OwnOrders counts the exchange's orders (legs excluded) whose
// client_order_id carries the session's prefix.
func (e *Env) OwnOrders(sessionID string) int {
	e.T.Helper()
	prefix := OrderPrefix(sessionID)
	n := 0
	for _, o := range e.ExchangeOrders() {
		if id, _ := o["client_order_id"].(string); strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

// ClosedPositions counts the session's closed positions.
func (e *Env) ClosedPositions(sessionID string) int {
	e.T.Helper()
	all, err := e.Store.Positions(context.Background(), sessionID)
	if err != nil {
		e.T.Fatal(err)
	}
	n := 0
	for _, p := range all {
		if p.Status == db.PositionClosed {
			n++
		}
	}
	return n
}
