package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
)

// openTimeout bounds how long a command waits for an unreachable database
// before it says so.
const openTimeout = 15 * time.Second

// openStore opens the configured store and runs pending migrations.
func (a *App) openStore(ctx context.Context) (db.Store, error) {
	return a.openWith(ctx, dbopen.Open[func(string) string])
}

// openStoreReadOnly opens the configured store for a command that only
// looks: nothing is created or migrated.
func (a *App) openStoreReadOnly(ctx context.Context) (db.Store, error) {
	return a.openWith(ctx, dbopen.OpenReadOnly[func(string) string])
}

func (a *App) openWith(ctx context.Context,
	open func(context.Context, string, func(string) string, ...dbopen.Option) (db.Store, error)) (db.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	s, err := open(ctx, a.g.DatabaseURL, a.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%w (check %s)", err, a.databaseSource())
	}
	return s, nil
}

// openSession opens the store read-only and resolves the session a
// command looks at (the named one, or the most recently started). The
// caller closes the store.
func (a *App) openSession(ctx context.Context, id string) (db.Store, db.Session, error) {
	s, err := a.openStoreReadOnly(ctx)
	if err != nil {
		return nil, db.Session{}, err
	}
	sess, err := resolveSession(ctx, s, id)
	if err != nil {
		_ = s.Close()
		return nil, db.Session{}, err
	}
	return s, sess, nil
}

// sessionGetter is the part of the store that resolves --session.
type sessionGetter interface {
	GetSession(ctx context.Context, id string) (db.Session, error)
	LatestSession(ctx context.Context) (db.Session, error)
}

// resolveSession returns the named session, or the most recently started
// one when id is empty.
func resolveSession(ctx context.Context, s sessionGetter, id string) (db.Session, error) {
	if id == "" {
		sess, err := s.LatestSession(ctx)
		if errors.Is(err, db.ErrNotFound) {
			return db.Session{}, fmt.Errorf("no sessions in this database yet; start one with: gambler trade --symbols AAPL,MSFT")
		}
		if err != nil {
			return db.Session{}, fmt.Errorf("find latest session: %w", err)
		}
		return sess, nil
	}
	if err := validSessionID(id); err != nil {
		return db.Session{}, err
	}
	sess, err := s.GetSession(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return db.Session{}, fmt.Errorf("session %s not found; list sessions with: gambler sessions list", id)
	}
	if err != nil {
		return db.Session{}, fmt.Errorf("read session %s: %w", id, err)
	}
	return sess, nil
}

func validSessionID(id string) error {
	if err := checkSessionID(id); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// databaseSource names where the database URL came from, or where to give
// one when it is the embedded default.
func (a *App) databaseSource() string {
	if src := a.sourceOf(&a.g.DatabaseURL); a.given(&a.g.DatabaseURL) {
		return src
	}
	return "--database-url / GAMBLER_DATABASE_URL"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// newestOfInstance is the most recently started session of one instance.
func newestOfInstance(ctx context.Context, s db.Store, instance int) (db.Session, error) {
	list, err := s.ListSessions(ctx, db.SessionFilter{InstanceID: instance, Limit: 1})
	if err != nil {
		return db.Session{}, fmt.Errorf("find the newest session of instance %d: %w", instance, err)
	}
	if len(list) == 0 {
		return db.Session{}, fmt.Errorf("instance %d has no sessions in this database; list them with: gambler sessions list", instance)
	}
	return list[0].Session, nil
}
