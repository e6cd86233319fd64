// Package session owns a trading session's life: creation, the status
// machine (active -> completed, active -> crashed -> active), and the
// single-writer lease that keeps a second process off a running session.
package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/db"
)

// ErrNothingToResume means no session is resumable.
var ErrNothingToResume = errors.New("no unfinished session to resume; start one with: gambler trade --symbols AAPL,MSFT")

// CompletedError says a session asked for by id has completed: it is not
// resumed, unless reopened on purpose.
type CompletedError struct {
	SessionID string
	EndTime   *time.Time
}

func (e *CompletedError) Error() string {
	ended := ""
	if e.EndTime != nil {
		ended = " at " + e.EndTime.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("session %s completed%s and is not resumed; start a new one with `gambler trade`, or reopen it with `gambler resume-session %s --reopen`",
		e.SessionID, ended, e.SessionID)
}

// Store is what the session package needs.
type Store interface {
	CreateSession(ctx context.Context, s db.Session) error
	GetSession(ctx context.Context, id string) (db.Session, error)
	LatestResumable(ctx context.Context, instanceID int) (db.Session, error)
	ListSessions(ctx context.Context, f db.SessionFilter) ([]db.SessionSummary, error)
	SetSessionStatus(ctx context.Context, id, status string, at time.Time) error
	EndSession(ctx context.Context, id string, end db.SessionEnd) error
	AcquireLease(ctx context.Context, sessionID string, h db.Holder) (db.Lease, error)
	LeaseHolder(ctx context.Context, sessionID string) (db.Holder, bool, error)
	// Fenced is the store whose writes refuse a stale lease epoch.
	Fenced(f db.Fence) db.Store
}

// Manager starts and resumes sessions.
type Manager struct {
	Store Store
	Now   func() time.Time
	Log   zerolog.Logger
	// Holder names the lease holder; nil means ThisProcess. Tests that
	// run several "processes" in one pass names of their own.
	Holder func(now time.Time) db.Holder
}

func (m *Manager) holder(now time.Time) db.Holder {
	if m.Holder != nil {
		return m.Holder(now)
	}
	return ThisProcess(now)
}

// Session is a session this process holds the lease of.
type Session struct {
	db.Session
	store Store
	lease db.Lease
	// Reopened is how the session's previous run ended, when this run
	// reopened a completed session; nil otherwise.
	Reopened *db.SessionEnd
}

// ThisProcess is the lease holder identity of the running process.
func ThisProcess(now time.Time) db.Holder {
	host, _ := os.Hostname()
	return db.Holder{Host: host, PID: os.Getpid(), Since: now.UTC()}
}

// Start creates a new active session, takes its lease, and records as
// crashed every other active session of the same instance that no live
// process holds: those were abandoned by a crash.
func (m *Manager) Start(ctx context.Context, s db.Session) (*Session, error) {
	now := m.Now().UTC()
	if s.ID == "" {
		s.ID = uuid.NewString()
	}
	s.Status = db.StatusActive
	s.StartTime, s.CreatedAt, s.UpdatedAt = now, now, now
	if err := m.markAbandoned(ctx, s.InstanceID, now); err != nil {
		return nil, err
	}
	if err := m.Store.CreateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	lease, err := m.Store.AcquireLease(ctx, s.ID, m.holder(now))
	if err != nil {
		return nil, fmt.Errorf("take lease of new session %s: %w", s.ID, err)
	}
	return &Session{Session: s, store: m.Store, lease: lease}, nil
}

// Resume takes the lease of an existing session and marks it active again.
// An empty id means the newest session that is not completed; a completed
// session named by id is refused with a *CompletedError.
func (m *Manager) Resume(ctx context.Context, id string, instanceID int) (*Session, error) {
	return m.resume(ctx, id, instanceID, false)
}

// Reopen resumes a session whatever its status, a completed one too. The
// previous run's end is kept in Reopened, for the history.
func (m *Manager) Reopen(ctx context.Context, id string) (*Session, error) {
	return m.resume(ctx, id, 0, true)
}

func (m *Manager) resume(ctx context.Context, id string, instanceID int, reopen bool) (*Session, error) {
	var (
		s   db.Session
		err error
	)
	if id == "" {
		s, err = m.Store.LatestResumable(ctx, instanceID)
		if errors.Is(err, db.ErrNotFound) {
			return nil, ErrNothingToResume
		}
	} else {
		s, err = m.Store.GetSession(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return nil, fmt.Errorf("session %s does not exist; list sessions with: gambler sessions list", id)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("find session to resume: %w", err)
	}
	var previous *db.SessionEnd
	if s.Status == db.StatusCompleted {
		if !reopen {
			return nil, &CompletedError{SessionID: s.ID, EndTime: s.EndTime}
		}
		previous = &db.SessionEnd{Status: s.Status, FinalPortfolioValue: s.FinalPortfolioValue, PnL: s.PnL,
			PnLPct: s.PnLPct, TotalTrades: s.TotalTrades}
		if s.EndTime != nil {
			previous.EndTime = *s.EndTime
		}
	}
	now := m.Now().UTC()
	lease, err := m.Store.AcquireLease(ctx, s.ID, m.holder(now))
	if err != nil {
		return nil, fmt.Errorf("resume session %s: %w", s.ID, err)
	}
	fenced := m.Store.Fenced(db.Fence{SessionID: s.ID, Epoch: lease.Epoch()})
	if err := fenced.SetSessionStatus(ctx, s.ID, db.StatusActive, now); err != nil {
		_ = lease.Release(ctx)
		return nil, fmt.Errorf("reactivate session %s: %w", s.ID, err)
	}
	s.Status = db.StatusActive
	return &Session{Session: s, store: m.Store, lease: lease, Reopened: previous}, nil
}

func (m *Manager) markAbandoned(ctx context.Context, instanceID int, now time.Time) error {
	active, err := m.Store.ListSessions(ctx, db.SessionFilter{Status: db.StatusActive, InstanceID: instanceID})
	if err != nil {
		return fmt.Errorf("list active sessions: %w", err)
	}
	for _, a := range active {
		_, running, err := m.Store.LeaseHolder(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("check lease of session %s: %w", a.ID, err)
		}
		if running {
			continue
		}
		if err := m.Store.SetSessionStatus(ctx, a.ID, db.StatusCrashed, now); err != nil {
			return fmt.Errorf("mark session %s crashed: %w", a.ID, err)
		}
		m.Log.Warn().Str("session", a.ID).Msg("previous session was abandoned by a crash; marked crashed (resume it with gambler resume-session)")
	}
	return nil
}

// Fence is what the writes of this process carry: the session and the
// lease epoch it took. Once another process takes the session, writes
// through Store refuse.
func (s *Session) Fence() db.Fence { return db.Fence{SessionID: s.ID, Epoch: s.lease.Epoch()} }

// Store is the store, fenced by this process's lease: every write that
// matters refuses with db.ErrFenced once another process took the session.
func (s *Session) Store() db.Store { return s.store.Fenced(s.Fence()) }

// End records the session's end, fenced by the lease, and releases it.
func (s *Session) End(ctx context.Context, end db.SessionEnd) error {
	if err := s.Store().EndSession(ctx, s.ID, end); err != nil {
		return fmt.Errorf("end session %s: %w", s.ID, err)
	}
	s.Status = end.Status
	return s.Release(ctx)
}

// Release gives the lease up without changing the status; a session left
// active this way is found by the next resume.
func (s *Session) Release(ctx context.Context) error {
	if err := s.lease.Release(ctx); err != nil {
		return fmt.Errorf("release lease of session %s: %w", s.ID, err)
	}
	return nil
}

// Alive checks the single-writer lease, taking it again if the store lost
// it; an error wrapping *db.LeaseHeldError means another process took the
// session over.
func (s *Session) Alive(ctx context.Context) error {
	if err := s.lease.Alive(ctx); err != nil {
		return fmt.Errorf("lease of session %s: %w", s.ID, err)
	}
	return nil
}

// Row is the session's row as this process knows it.
func (s *Session) Row() db.Session { return s.Session }
