package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

func checkpointOf(ctx context.Context, s *Store, sessionID string, account []byte) error {
	_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: sessionID, CheckpointTime: base,
		Trigger: db.TriggerInterval, AccountSnapshot: account})
	return err
}

// A write behind another connection's write lock gives up after the busy
// timeout with db.ErrBusy.
func TestBlockedWriteIsBusyNotHung(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	s := openAt(t, path, WithBusyTimeout(50*time.Millisecond))
	seedSession(t, s, "s1")
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	err = checkpointOf(ctx, s, "s1", []byte(`{}`))
	if !errors.Is(err, db.ErrBusy) {
		t.Fatalf("checkpoint behind another writer: %v, want db.ErrBusy", err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if err := checkpointOf(ctx, s, "s1", []byte(`{}`)); err != nil {
		t.Fatalf("checkpoint after the lock went: %v", err)
	}
}

// Writing to a store opened read-only is permission denied.
func TestWriteToReadOnlyStoreIsPermissionDenied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	seedSession(t, openAt(t, path), "s1")
	ro, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = ro.SetSessionStatus(context.Background(), "s1", db.StatusCrashed, base)
	if !errors.Is(err, db.ErrPermission) {
		t.Fatalf("write through a read-only store: %v, want db.ErrPermission", err)
	}
}

// The WAL stays bounded: SQLite's default let it grow to about 16 MB with
// 16 KiB pages before a checkpoint.
func TestWALStaysBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	s := openAt(t, path)
	seedSession(t, s, "s1")
	account := []byte(`{"pad":"` + strings.Repeat("x", 64<<10) + `"}`)
	var largest int64
	for range 200 { // 13 MB of checkpoints
		if err := checkpointOf(context.Background(), s, "s1", account); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			largest = max(largest, fi.Size())
		}
	}
	if largest > walLimit+(1<<20) {
		t.Errorf("the WAL grew to %d bytes, want at most about %d", largest, walLimit)
	}
}

// On a full disk a write fails with db.ErrDiskFull naming the file. The
// store then checkpoints the WAL into the database and truncates it, so
// that when the WAL held what filled the disk the same write succeeds
// again at once; and when the database itself filled it, writes succeed
// again once there is room: the store is never left broken.
func TestDiskFullIsNamedAndRecovers(t *testing.T) {
	dir := dbtest.SmallDisk(t, "2m")
	path := filepath.Join(dir, "g.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seedSession(t, s, "s1")
	// Every page the database will need is in the file, not only in the
	// WAL: the truncating checkpoint has nothing to grow.
	execSQL(t, s, `PRAGMA wal_checkpoint(TRUNCATE)`)
	ballast := dbtest.Fill(t, dir, 96<<10)
	// Rewriting one row only grows the WAL: each commit appends a copy of
	// the same pages, until the disk is full.
	settings := func(i int) []byte { return []byte(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("z", 4000))) }
	var full error
	i := 0
	for ; i < 1000 && full == nil; i++ {
		full = s.SetSessionSettings(ctx, "s1", settings(i), base)
	}
	if !errors.Is(full, db.ErrDiskFull) || !strings.Contains(full.Error(), path) {
		t.Fatalf("rewrites on a full disk ended with %v; want db.ErrDiskFull naming %s", full, path)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 0 {
		t.Errorf("the WAL after the disk-full error: %v, %v; want it checkpointed and truncated to 0", fi, err)
	}
	if err := s.SetSessionSettings(ctx, "s1", settings(i), base); err != nil {
		t.Fatalf("the same write after the WAL was truncated: %v", err)
	}

	// New rows grow the database itself: only room helps.
	account := []byte(`{"pad":"` + strings.Repeat("y", 32<<10) + `"}`)
	full = nil
	for range 200 {
		if full = checkpointOf(ctx, s, "s1", account); full != nil {
			break
		}
	}
	if !errors.Is(full, db.ErrDiskFull) {
		t.Fatalf("checkpoints on a full disk ended with %v; want db.ErrDiskFull", full)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	if err := checkpointOf(ctx, s, "s1", account); err != nil {
		t.Fatalf("checkpoint once there is room again: %v", err)
	}
	got, err := s.GetSession(ctx, "s1")
	if err != nil || !strings.Contains(string(got.Settings), fmt.Sprintf(`"n":%d`, i)) {
		t.Fatalf("session after recovery: %s, %v", got.Settings, err)
	}
}

// A copy of a database on a read-only file system (where SQLite cannot
// create the WAL's -shm file) can still be inspected read-only.
func TestOpenReadOnlyOnAReadOnlyFileSystem(t *testing.T) {
	dir := dbtest.SmallDisk(t, "4m")
	path := filepath.Join(dir, "g.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	seedSession(t, s, "s1")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot remount %s read-only: %v: %s", dir, err, out)
	}
	ro, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatalf("OpenReadOnly on a read-only file system: %v", err)
	}
	defer ro.Close()
	if _, err := ro.GetSession(context.Background(), "s1"); err != nil {
		t.Fatalf("read on a read-only file system: %v", err)
	}
	if _, err := Open(context.Background(), path); err == nil {
		t.Error("a read-write Open on a read-only file system succeeded")
	}
}
