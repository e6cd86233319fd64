package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/session"
	"github.com/gambler-trader/gambler/internal/tradertest"
)

func TestSessionLifeCycle(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			w := tradertest.New(t, tradertest.Options{Driver: driver})
			m := w.Sessions()
			if _, err := m.Resume(ctx, "", 1); !errors.Is(err, session.ErrNothingToResume) {
				t.Fatalf("resume with no session: %v, want ErrNothingToResume", err)
			}
			if _, err := m.Resume(ctx, "00000000-0000-4000-8000-000000000009", 0); err == nil || !strings.Contains(err.Error(), "does not exist") {
				t.Fatalf("resume of an unknown id: %v", err)
			}
			s, err := m.Start(ctx, db.Session{InstanceID: 1, StrategyName: "momentum", Symbols: []string{"AAPL"},
				InitialPortfolioValue: decimal.NewNullDecimal(decimal.NewFromInt(100000))})
			if err != nil {
				t.Fatal(err)
			}
			if s.Row().ID == "" || s.Row().Status != db.StatusActive || !s.Row().StartTime.Equal(tradertest.Monday) {
				t.Fatalf("started %+v", s.Row())
			}
			if err := s.Alive(ctx); err != nil {
				t.Fatalf("alive: %v", err)
			}
			if _, running, err := w.Store.LeaseHolder(ctx, s.ID); err != nil || !running {
				t.Fatalf("lease of a started session not held (%v)", err)
			}
			// A second process cannot take it.
			var held *db.LeaseHeldError
			if _, err := m.Resume(ctx, s.ID, 0); !errors.As(err, &held) {
				t.Fatalf("resume of a held session: %v, want *db.LeaseHeldError", err)
			}
			// Another instance's session is not touched by this instance's
			// start; this instance's live session is not taken for crashed.
			other, err := m.Start(ctx, db.Session{InstanceID: 2, StrategyName: "momentum", Symbols: []string{"MSFT"}})
			if err != nil {
				t.Fatal(err)
			}
			// The process of the first session dies: its lease goes with it,
			// its row stays active.
			if err := s.Release(ctx); err != nil {
				t.Fatal(err)
			}
			w.Clock.Advance(time.Minute)
			third, err := m.Start(ctx, db.Session{InstanceID: 1, StrategyName: "momentum", Symbols: []string{"AAPL"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := status(t, w, s.ID); got != db.StatusCrashed {
				t.Errorf("abandoned session of the same instance is %s, want crashed", got)
			}
			if got := status(t, w, other.ID); got != db.StatusActive {
				t.Errorf("the other instance's session is %s, want active", got)
			}
			if err := third.End(ctx, db.SessionEnd{Status: db.StatusCompleted, EndTime: w.Clock.Now()}); err != nil {
				t.Fatal(err)
			}
			if got := status(t, w, third.ID); got != db.StatusCompleted {
				t.Errorf("ended session is %s", got)
			}
			if _, running, _ := w.Store.LeaseHolder(ctx, third.ID); running {
				t.Error("lease still held after End")
			}
			// The newest unfinished session of instance 1 is the crashed one;
			// resuming marks it active again.
			back, err := m.Resume(ctx, "", 1)
			if err != nil {
				t.Fatal(err)
			}
			if back.ID != s.ID || status(t, w, s.ID) != db.StatusActive {
				t.Errorf("resumed %s (%s), want %s active", back.ID, status(t, w, back.ID), s.ID)
			}
			if err := back.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if err := other.Release(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestThisProcess(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	h := session.ThisProcess(at)
	if h.PID == 0 || h.Host == "" || !h.Since.Equal(at) || h.Since.Location() != time.UTC {
		t.Errorf("holder %+v", h)
	}
}

func status(t *testing.T, w *tradertest.World, id string) string {
	t.Helper()
	s, err := w.Store.GetSession(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s.Status
}

// failing is a store whose named method fails.
type failing struct {
	session.Store
	fail string
}

var errBroken = errors.New("store broken")

func (f failing) err(name string) error {
	if f.fail == name {
		return errBroken
	}
	return nil
}

func (f failing) ListSessions(ctx context.Context, flt db.SessionFilter) ([]db.SessionSummary, error) {
	if err := f.err("ListSessions"); err != nil {
		return nil, err
	}
	return f.Store.ListSessions(ctx, flt)
}

func (f failing) CreateSession(ctx context.Context, s db.Session) error {
	if err := f.err("CreateSession"); err != nil {
		return err
	}
	return f.Store.CreateSession(ctx, s)
}

func (f failing) AcquireLease(ctx context.Context, id string, h db.Holder) (db.Lease, error) {
	if err := f.err("AcquireLease"); err != nil {
		return nil, err
	}
	return f.Store.AcquireLease(ctx, id, h)
}

func (f failing) SetSessionStatus(ctx context.Context, id, st string, at time.Time) error {
	if err := f.err("SetSessionStatus"); err != nil {
		return err
	}
	return f.Store.SetSessionStatus(ctx, id, st, at)
}

func (f failing) EndSession(ctx context.Context, id string, end db.SessionEnd) error {
	if err := f.err("EndSession"); err != nil {
		return err
	}
	return f.Store.EndSession(ctx, id, end)
}

// Fenced keeps the failures in the fenced view, which the lease's writes
// go through.
func (f failing) Fenced(fence db.Fence) db.Store {
	return failingDB{Store: f.Store.Fenced(fence), fail: f.fail}
}

type failingDB struct {
	db.Store
	fail string
}

func (f failingDB) SetSessionStatus(ctx context.Context, id, st string, at time.Time) error {
	if f.fail == "SetSessionStatus" {
		return errBroken
	}
	return f.Store.SetSessionStatus(ctx, id, st, at)
}

func (f failingDB) EndSession(ctx context.Context, id string, end db.SessionEnd) error {
	if f.fail == "EndSession" {
		return errBroken
	}
	return f.Store.EndSession(ctx, id, end)
}

func (f failing) LatestResumable(ctx context.Context, instance int) (db.Session, error) {
	if err := f.err("LatestResumable"); err != nil {
		return db.Session{}, err
	}
	return f.Store.LatestResumable(ctx, instance)
}

func (f failing) LeaseHolder(ctx context.Context, id string) (db.Holder, bool, error) {
	if err := f.err("LeaseHolder"); err != nil {
		return db.Holder{}, false, err
	}
	return f.Store.LeaseHolder(ctx, id)
}

// TestStoreFailuresAreReported: every store failure reaches the caller,
// wrapped with what was being done, and leaves no lease behind.
func TestStoreFailuresAreReported(t *testing.T) {
	ctx := context.Background()
	w := tradertest.New(t, tradertest.Options{})
	ok := &session.Manager{Store: w.Store, Now: w.Clock.Now, Log: w.Logger}
	crashed, err := ok.Start(ctx, db.Session{InstanceID: 1, StrategyName: "momentum"})
	if err != nil {
		t.Fatal(err)
	}
	if err := crashed.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, op, want string }{
		{"ListSessions", "start", "list active sessions"},
		{"LeaseHolder", "start", "check lease"},
		{"SetSessionStatus", "start", "mark session"},
		{"CreateSession", "start", "create session"},
		{"AcquireLease", "start", "take lease"},
		{"LatestResumable", "resume", "find session to resume"},
		{"AcquireLease", "resume", "resume session"},
		{"SetSessionStatus", "resume", "reactivate session"},
	} {
		// An active session nobody trades: a start marks it crashed, a
		// resume takes it.
		if err := w.Store.SetSessionStatus(ctx, crashed.ID, db.StatusActive, w.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		m := &session.Manager{Store: failing{Store: w.Store, fail: c.method}, Now: w.Clock.Now, Log: w.Logger}
		var err error
		if c.op == "start" {
			_, err = m.Start(ctx, db.Session{InstanceID: 1, StrategyName: "momentum"})
		} else {
			_, err = m.Resume(ctx, "", 1)
		}
		if !errors.Is(err, errBroken) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s failing in %s: %v, want it wrapped with %q", c.method, c.op, err, c.want)
		}
		// The failed attempts leave the crashed session resumable.
		if _, running, _ := w.Store.LeaseHolder(ctx, crashed.ID); running {
			t.Fatalf("%s failing in %s left a lease held", c.method, c.op)
		}
	}
	s, err := (&session.Manager{Store: failing{Store: w.Store, fail: "EndSession"}, Now: w.Clock.Now, Log: w.Logger}).Resume(ctx, crashed.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.End(ctx, db.SessionEnd{Status: db.StatusCompleted}); !errors.Is(err, errBroken) {
		t.Errorf("End with a failing store: %v", err)
	}
	if err := s.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Alive(ctx); err == nil {
		t.Error("a released session is alive")
	}
}

// TestCompletedSessionsAndFences: a completed session is refused by id
// (with the hint) and reopened only on purpose, keeping its previous end;
// each run's writes are fenced by its lease, so the run a takeover ended
// can no longer end the session.
func TestCompletedSessionsAndFences(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			w := tradertest.New(t, tradertest.Options{Driver: driver})
			m := w.Sessions()
			s, err := m.Start(ctx, db.Session{InstanceID: 1, StrategyName: "momentum"})
			if err != nil {
				t.Fatal(err)
			}
			if f := s.Fence(); f.SessionID != s.ID || f.Epoch < 1 {
				t.Fatalf("fence %+v", f)
			}
			end := db.SessionEnd{Status: db.StatusCompleted, EndTime: w.Clock.Now(), TotalTrades: 3,
				PnL: decimal.NewNullDecimal(decimal.RequireFromString("12.5"))}
			if err := s.End(ctx, end); err != nil {
				t.Fatal(err)
			}
			var completed *session.CompletedError
			_, err = m.Resume(ctx, s.ID, 0)
			if !errors.As(err, &completed) || !strings.Contains(err.Error(), "--reopen") {
				t.Fatalf("resume of a completed session: %v", err)
			}
			w.Clock.Advance(time.Hour)
			again, err := w.Sessions().Reopen(ctx, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if again.Reopened == nil || again.Reopened.TotalTrades != 3 || !again.Reopened.PnL.Decimal.Equal(decimal.RequireFromString("12.5")) ||
				!again.Reopened.EndTime.Equal(end.EndTime) {
				t.Fatalf("reopened with %+v, want the previous end", again.Reopened)
			}
			if again.Fence().Epoch <= s.Fence().Epoch {
				t.Errorf("reopen did not move the epoch on: %d after %d", again.Fence().Epoch, s.Fence().Epoch)
			}
			// The first run's fenced store refuses now.
			if err := s.Store().SetSessionStatus(ctx, s.ID, db.StatusActive, w.Clock.Now()); !errors.Is(err, db.ErrFenced) {
				t.Errorf("a write under the old fence: %v, want db.ErrFenced", err)
			}
			if err := again.End(ctx, db.SessionEnd{Status: db.StatusCompleted, EndTime: w.Clock.Now()}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
