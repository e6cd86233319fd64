package pgstore

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func checkpointOf(ctx context.Context, s db.Store, sessionID string) error {
	_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: sessionID, CheckpointTime: dbtest.BaseTime(),
		Trigger: db.TriggerInterval, AccountSnapshot: []byte(`{"cash":1}`)})
	return err
}

// A write behind a lock another transaction holds gives up after the lock
// timeout with db.ErrBusy, instead of hanging the tick; once the lock is
// gone it goes through.
func TestBlockedWriteIsBusyNotHung(t *testing.T) {
	ctx := context.Background()
	u := dbtest.CreatePostgresDB(t)
	for _, c := range []struct {
		name string
		opts []Option
	}{
		{"lock_timeout", []Option{WithLockTimeout(100 * time.Millisecond)}},
		{"statement_timeout", []Option{WithLockTimeout(0), WithStatementTimeout(150 * time.Millisecond)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(ctx, u, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sess := dbtest.SeedSession(t, s)
			release := dbtest.LockTable(t, u, "position_checkpoints")
			err = checkpointOf(ctx, s, sess.ID)
			if !errors.Is(err, db.ErrBusy) || errors.Is(err, db.ErrPermission) {
				t.Fatalf("checkpoint behind LOCK TABLE: %v, want db.ErrBusy", err)
			}
			if _, err := s.ListCheckpoints(ctx, sess.ID, 10); !errors.Is(err, db.ErrBusy) {
				t.Errorf("list behind LOCK TABLE: %v, want db.ErrBusy", err)
			}
			release()
			if err := checkpointOf(ctx, s, sess.ID); err != nil {
				t.Fatalf("checkpoint after the lock went: %v", err)
			}
		})
	}
}

// A privilege revoked from the store's role is reported as permission
// denied, not as a database that cannot be reached or is busy.
func TestRevokedPrivilegeIsPermissionDenied(t *testing.T) {
	ctx := context.Background()
	admin := dbtest.CreatePostgresDB(t)
	migrated, err := Open(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	sess := dbtest.SeedSession(t, migrated)
	role := "gambler_test_role_" + strings.ToLower(strings.ReplaceAll(sess.ID[:8], "-", ""))
	adminExec := func(stmt string) {
		t.Helper()
		if _, err := migrated.pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	adminExec(`CREATE ROLE ` + role + ` LOGIN`)
	t.Cleanup(func() {
		_, _ = migrated.pool.Exec(context.Background(), `DROP OWNED BY `+role)
		_, _ = migrated.pool.Exec(context.Background(), `DROP ROLE `+role)
		_ = migrated.Close()
	})
	adminExec(`GRANT USAGE ON SCHEMA public TO ` + role)
	adminExec(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ` + role)
	adminExec(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ` + role)

	ru, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	ru.User = url.User(role)
	s, err := Open(ctx, ru.String())
	if err != nil {
		t.Fatalf("open as %s: %v", role, err)
	}
	defer s.Close()
	if err := checkpointOf(ctx, s, sess.ID); err != nil {
		t.Fatalf("checkpoint before the REVOKE: %v", err)
	}
	adminExec(`REVOKE INSERT ON position_checkpoints FROM ` + role)
	err = checkpointOf(ctx, s, sess.ID)
	if !errors.Is(err, db.ErrPermission) || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("checkpoint after REVOKE: %v, want db.ErrPermission saying permission denied", err)
	}
	if errors.Is(err, db.ErrBusy) {
		t.Errorf("checkpoint after REVOKE: %v is also db.ErrBusy", err)
	}
}
