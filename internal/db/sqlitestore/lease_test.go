package sqlitestore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gambler-trader/gambler/internal/db"
)

func holderA() db.Holder { return db.Holder{Host: "host-a", PID: 11, Since: base} }

func wantHeld(t *testing.T, err error, want db.Holder) {
	t.Helper()
	var held *db.LeaseHeldError
	if !errors.As(err, &held) {
		t.Fatalf("acquire: %v, want *db.LeaseHeldError", err)
	}
	if held.Holder.Host != want.Host || held.Holder.PID != want.PID {
		t.Errorf("holder named = %s/%d, want %s/%d", held.Holder.Host, held.Holder.PID, want.Host, want.PID)
	}
}

func TestLeaseLockFileNextToDatabaseAndKeptOnRelease(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seedSession(t, s, "s1")
	l, err := s.AcquireLease(ctx, "s1", holderA())
	if err != nil {
		t.Fatal(err)
	}
	lockFile := s.Path() + ".lease-s1.lock"
	if _, err := os.Stat(lockFile); err != nil {
		t.Fatalf("lock file: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if _, err := os.Stat(lockFile); err != nil {
		t.Errorf("release removed the lock file another holder may have open: %v", err)
	}
	var host *string
	if err := s.r.QueryRow(`SELECT lease_host FROM trading_sessions WHERE session_id = 's1'`).Scan(&host); err != nil {
		t.Fatal(err)
	}
	if host != nil {
		t.Errorf("lease_host after release = %q, want NULL", *host)
	}
}

// flock(2) locks belong to an open file description, so two stores (two
// *flock.Flock) in one process must exclude each other like two processes.
func TestLeaseConflictsBetweenStoresOfOneProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	a, b := openAt(t, path), openAt(t, path)
	ctx := context.Background()
	seedSession(t, a, "s1")
	l, err := a.AcquireLease(ctx, "s1", holderA())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.AcquireLease(ctx, "s1", db.Holder{Host: "host-b", PID: 22})
	wantHeld(t, err, holderA())
	h, held, err := b.LeaseHolder(ctx, "s1")
	if err != nil || !held || h.PID != holderA().PID {
		t.Errorf("LeaseHolder from other store = %+v, %v, %v; want held by pid 11", h, held, err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	lb, err := b.AcquireLease(ctx, "s1", db.Holder{Host: "host-b", PID: 22})
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	if err := lb.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLeaseRejectsSessionIDThatIsNotAFileName(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"", "..", "a/b", `a\b`} {
		if _, err := s.AcquireLease(context.Background(), id, holderA()); err == nil {
			t.Errorf("AcquireLease(%q) succeeded", id)
		}
	}
}

// The heartbeat is written by Alive, not by a goroutine of its own: a
// holder whose trading loop stopped checking its lease stops beating.
func TestLeaseHeartbeatAdvancesOnAliveAndStopsOnRelease(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var ticks atomic.Int64
	clock := func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Second) }
	path := filepath.Join(t.TempDir(), "g.db")
	s, err := Open(context.Background(), path, WithClock(clock), WithHeartbeat(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	seedSession(t, s, "s1")
	l, err := s.AcquireLease(ctx, "s1", holderA())
	if err != nil {
		t.Fatal(err)
	}
	first := heartbeat(t, s)
	if err := l.Alive(ctx); err != nil {
		t.Fatal(err)
	}
	if heartbeat(t, s) <= first {
		t.Fatalf("lease_heartbeat %s did not advance from %s", heartbeat(t, s), first)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if hb := heartbeat(t, s); hb != "" {
		t.Errorf("lease_heartbeat after release = %q, want cleared", hb)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func heartbeat(t *testing.T, s *Store) string {
	t.Helper()
	var hb string
	if err := s.r.QueryRow(`SELECT COALESCE(lease_heartbeat, '') FROM trading_sessions WHERE session_id = 's1'`).
		Scan(&hb); err != nil {
		t.Fatal(err)
	}
	return hb
}

// helperEnv makes the test binary act as a lease holder in a child process.
const helperEnv = "SQLITESTORE_LEASE_HELPER_DB"

func TestLeaseHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestLeaseFreedWhenHolderProcessDies")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if _, err := s.AcquireLease(context.Background(), "s1", db.Holder{Host: "child"}); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("held")
	// Hold until killed: the parent proves a dead holder frees the lease.
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

func TestLeaseFreedWhenHolderProcessDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	s := openAt(t, path)
	ctx := context.Background()
	seedSession(t, s, "s1")

	cmd := exec.Command(os.Args[0], "-test.run=^TestLeaseHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		_ = cmd.Process.Kill()
		t.Fatalf("child: %q, %v", line, err)
	}

	_, err = s.AcquireLease(ctx, "s1", holderA())
	wantHeld(t, err, db.Holder{Host: "child", PID: cmd.Process.Pid})

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	h, held, err := s.LeaseHolder(ctx, "s1")
	if err != nil || held {
		t.Fatalf("LeaseHolder after holder died = %+v, %v, %v; want not held", h, held, err)
	}
	l, err := s.AcquireLease(ctx, "s1", holderA())
	if err != nil {
		t.Fatalf("acquire after holder died: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLeaseRefusalSkipsDeadHolderRow: racing resumes — the row still names
// a holder that was killed (its pid is gone) while the lock is already the
// winner's; the refusal waits for the winner's name instead of naming the
// dead process.
func TestLeaseRefusalSkipsDeadHolderRow(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	sess := db.Session{ID: "racing-session"}
	seedSession(t, s, sess.ID)
	host, _ := os.Hostname()
	winner := db.Holder{Host: host, PID: os.Getpid()}
	l, err := s.AcquireLease(ctx, sess.ID, winner)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(ctx)
	// A dead pid of this host, as a kill -9'd holder leaves in the row.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE trading_sessions SET lease_pid = ?, lease_host = ? WHERE session_id = ?`,
		dead.Process.Pid, host, sess.ID); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond) // the winner writes its row late
		_, _ = s.w.ExecContext(ctx, `UPDATE trading_sessions SET lease_pid = ? WHERE session_id = ?`, winner.PID, sess.ID)
	}()
	_, err = s.AcquireLease(ctx, sess.ID, db.Holder{Host: host, PID: 1})
	var held *db.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.PID != winner.PID {
		t.Fatalf("refusal %v, want the winner pid %d named", err, winner.PID)
	}
}

// heldLease opens a store at path, seeds session s1 and takes its lease.
func heldLease(t *testing.T, path string) (*Store, db.Lease) {
	t.Helper()
	s := openAt(t, path)
	seedSession(t, s, "s1")
	l, err := s.AcquireLease(context.Background(), "s1", holderA())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Release(context.Background()) })
	if err := l.Alive(context.Background()); err != nil {
		t.Fatalf("Alive while held: %v", err)
	}
	return s, l
}

// wantReplaced checks that Alive says, now and after, that a file was
// removed or replaced, naming it.
func wantReplaced(t *testing.T, l db.Lease, file string) {
	t.Helper()
	for range 2 {
		err := l.Alive(context.Background())
		if !errors.Is(err, db.ErrStoreReplaced) || !strings.Contains(err.Error(), file) {
			t.Fatalf("Alive = %v; want db.ErrStoreReplaced naming %s", err, file)
		}
	}
}

func TestAliveSeesTheLockFileRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	_, l := heldLease(t, path)
	lockFile := path + ".lease-s1.lock"
	if err := os.Remove(lockFile); err != nil {
		t.Fatal(err)
	}
	wantReplaced(t, l, lockFile)
}

func TestAliveSeesTheLockFileReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	_, l := heldLease(t, path)
	lockFile := path + ".lease-s1.lock"
	if err := os.Rename(lockFile, lockFile+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lockFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantReplaced(t, l, lockFile)
}

// A second process that finds the lock file gone takes the session: the
// first one hears both that its lock file went and who took over, and its
// fenced writes are refused.
func TestAliveSeesATakeoverThroughARemovedLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	s, l := heldLease(t, path)
	if err := os.Remove(path + ".lease-s1.lock"); err != nil {
		t.Fatal(err)
	}
	other := openAt(t, path)
	taker, err := other.AcquireLease(context.Background(), "s1", db.Holder{Host: "host-b", PID: 22})
	if err != nil {
		t.Fatalf("takeover through a removed lock file: %v", err)
	}
	defer taker.Release(context.Background())
	err = l.Alive(context.Background())
	var held *db.LeaseHeldError
	if !errors.As(err, &held) || held.Holder.PID != 22 || !errors.Is(err, db.ErrStoreReplaced) {
		t.Fatalf("Alive after the takeover = %v; want the new holder (pid 22) and db.ErrStoreReplaced", err)
	}
	err = s.Fenced(db.Fence{SessionID: "s1", Epoch: l.Epoch()}).SetSessionStatus(context.Background(), "s1",
		db.StatusCompleted, base)
	if !errors.Is(err, db.ErrFenced) {
		t.Errorf("fenced write of the old holder: %v, want db.ErrFenced", err)
	}
}

// rm g.db g.db-wal g.db-shm while the trader runs: its writes would go to
// unlinked files nobody reads again.
func TestAliveSeesTheDatabaseRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	_, l := heldLease(t, path)
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	wantReplaced(t, l, path)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checking the lease created a new %s (stat: %v)", path, err)
	}
}

func TestAliveSeesTheDatabaseReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.db")
	_, l := heldLease(t, path)
	other := filepath.Join(dir, "other.db")
	s2, err := Open(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	wantReplaced(t, l, path)
}
