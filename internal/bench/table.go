package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

// target is one store under test on a fresh database, plus the raw access
// the floor and the bulk fills need.
type target interface {
	store() db.Store
	// floorInsert is one autocommit single-row INSERT of a checkpoint.
	floorInsert(ctx context.Context, sessionID string, i int, positions []byte) error
	// fill bulk-loads n checkpoints of sessionID one minute apart from
	// minute `from`, with every column the store writes.
	fill(ctx context.Context, sessionID string, from, n int, positions []byte) error
	// settle makes the database look like a live one after a bulk load
	// (statistics, visibility map), as autovacuum would.
	settle(ctx context.Context) error
	// checkpointBytes is position_checkpoints' size with its indexes (and
	// TOAST on PostgreSQL) on disk.
	checkpointBytes(ctx context.Context) (int64, error)
	close(ctx context.Context) error
}

// tableResult is one store's column of the table.
type tableResult struct {
	floor samples
	// pairedFloor and pairedCreate alternate floor inserts and creates of
	// 10 positions.
	pairedFloor, pairedCreate samples
	create                    map[int]*samples
	restore1k, restore100k    map[int]*samples
	list10, stats1k, stats    samples
	cleanup, cleanupCreates   samples
	bytesPerRow               map[int]float64
	extraFloors               map[string]*samples // store-specific extra floors
}

func newTableResult() *tableResult {
	r := &tableResult{create: map[int]*samples{}, restore1k: map[int]*samples{}, restore100k: map[int]*samples{},
		bytesPerRow: map[int]float64{}, extraFloors: map[string]*samples{}}
	for _, n := range positionCounts {
		r.create[n], r.restore1k[n], r.restore100k[n] = &samples{}, &samples{}, &samples{}
	}
	return r
}

const (
	floorRuns  = 1000
	opRuns     = 300
	bigOpRuns  = 100 // creates of 1000 positions
	smallHist  = 1000
	sessFloor  = 1
	sessCreate = 2
	sessHist   = 3
	sessClean  = 4
	sessTrade  = 5
)

// measureTable runs one repetition of every checkpoint operation on t.
func (r *runner) measureTable(ctx context.Context, t target, res *tableResult) error {
	s := t.store()
	ten, err := payload(10)
	if err != nil {
		return err
	}
	newSession := func(id string, positions int) error {
		if err := s.CreateSession(ctx, db.Session{ID: id, StartTime: t0, Symbols: []string{"AAPL"}}); err != nil {
			return err
		}
		for i := range positions {
			if _, err := s.OpenPosition(ctx, position(id, i)); err != nil {
				return err
			}
		}
		return nil
	}
	floorID := sessionID(sessFloor, 0)
	if err := newSession(floorID, 0); err != nil {
		return err
	}
	i := 0
	floor := func() error { i++; return t.floorInsert(ctx, floorID, i, ten) }
	ds, err := timeN(floorRuns, floor)
	if err != nil {
		return fmt.Errorf("floor insert: %w", err)
	}
	res.floor.addRep(ds)

	if err := measureCreates(ctx, s, res, newSession, floor); err != nil {
		return err
	}
	r.progress("   creates done")

	short, long := sessionID(sessHist, smallHist), sessionID(sessHist, r.cfg.History)
	if err := r.measureHistoryReads(ctx, t, res, newSession, ten); err != nil {
		return err
	}
	if err := r.measureRestores(ctx, t, res, short, long); err != nil {
		return err
	}
	r.progress("   list, stats, restore done")
	return r.measureCleanup(ctx, t, res, newSession, ten)
}

// measureHistoryReads fills a short and a long checkpoint history and
// times listing and stats on them.
func (r *runner) measureHistoryReads(ctx context.Context, t target, res *tableResult,
	newSession func(id string, positions int) error, ten []byte) error {
	s := t.store()
	short, long := sessionID(sessHist, smallHist), sessionID(sessHist, r.cfg.History)
	for _, h := range []struct {
		id string
		n  int
	}{{short, smallHist}, {long, r.cfg.History}} {
		if err := newSession(h.id, 0); err != nil {
			return err
		}
		if err := t.fill(ctx, h.id, 0, h.n, ten); err != nil {
			return fmt.Errorf("fill %d checkpoints: %w", h.n, err)
		}
	}
	if err := t.settle(ctx); err != nil {
		return err
	}
	r.progress("   histories filled")
	if err := measureInto(&res.list10, func() error {
		l, err := s.ListCheckpoints(ctx, long, 10)
		if err == nil && len(l) != 10 {
			err = fmt.Errorf("listed %d", len(l))
		}
		return err
	}); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	for _, st := range []struct {
		id   string
		n    int
		into *samples
	}{{short, smallHist, &res.stats1k}, {long, r.cfg.History, &res.stats}} {
		if err := measureInto(st.into, func() error {
			got, err := s.CheckpointStats(ctx, st.id)
			if err == nil && got.Total != int64(st.n) {
				err = fmt.Errorf("stats total %d, want %d", got.Total, st.n)
			}
			return err
		}); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
	}
	return nil
}

// measureRestores times restoring the newest checkpoint behind both
// histories: a newer row with the measured payload becomes the newest.
func (r *runner) measureRestores(ctx context.Context, t target, res *tableResult, short, long string) error {
	s := t.store()
	for k, n := range positionCounts {
		p, err := payload(n)
		if err != nil {
			return err
		}
		for _, h := range []struct {
			id   string
			hist int
			into *samples
		}{{short, smallHist, res.restore1k[n]}, {long, r.cfg.History, res.restore100k[n]}} {
			if err := t.fill(ctx, h.id, h.hist+k, 1, p); err != nil {
				return err
			}
			if err := measureInto(h.into, func() error {
				c, err := s.NewestCheckpoint(ctx, h.id, 0)
				if err == nil && len(c.PositionsSnapshot) != len(p) {
					err = fmt.Errorf("restored %d bytes, want %d", len(c.PositionsSnapshot), len(p))
				}
				return err
			}); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
		}
	}
	return nil
}

// measureCreates times creates at every position count through a view
// fenced by the session's lease, as the trader's are; at 10 positions also
// alternating with floor inserts.
func measureCreates(ctx context.Context, s db.Store, res *tableResult, newSession func(string, int) error,
	floor func() error) error {
	for _, n := range positionCounts {
		id := sessionID(sessCreate, n)
		if err := newSession(id, n); err != nil {
			return err
		}
		w, lease, err := fencedView(ctx, s, id)
		if err != nil {
			return err
		}
		err = timeCreates(res, n, func() error {
			_, err := w.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: id, Trigger: db.TriggerInterval,
				AccountSnapshot: account})
			return err
		}, floor)
		if err := errors.Join(err, lease.Release(ctx)); err != nil {
			return fmt.Errorf("create with %d positions: %w", n, err)
		}
	}
	return nil
}

// timeCreates times the creates of n positions. At 10 positions it then
// alternates create and floor insert, so that the ratio compares samples
// taken under the same load: on a shared machine the load can change
// between the floor's block of samples and the creates'.
func timeCreates(res *tableResult, n int, create, floor func() error) error {
	runs := opRuns
	if n >= 1000 {
		runs = bigOpRuns
	}
	ds, err := timeN(runs, create)
	if err != nil {
		return err
	}
	res.create[n].addRep(ds)
	if n != 10 {
		return nil
	}
	floors, creates, err := timePairs(runs, floor, create)
	if err != nil {
		return err
	}
	res.pairedFloor.addRep(floors)
	res.pairedCreate.addRep(creates)
	return nil
}

// fencedView takes sessionID's lease and returns the view fenced by its
// epoch, through which the trader writes its checkpoints.
func fencedView(ctx context.Context, s db.Store, sessionID string) (db.Store, db.Lease, error) {
	l, err := s.AcquireLease(ctx, sessionID, db.Holder{})
	if err != nil {
		return nil, nil, fmt.Errorf("lease of %s: %w", sessionID, err)
	}
	return s.Fenced(db.Fence{SessionID: sessionID, Epoch: l.Epoch()}), l, nil
}

func measureInto(into *samples, op func() error) error {
	ds, err := timeN(opRuns, op)
	if err != nil {
		return err
	}
	into.addRep(ds)
	return nil
}

// measureCleanup keeps 100 of History checkpoints while another session
// checkpoints every 5 ms, as a trader would.
func (r *runner) measureCleanup(ctx context.Context, t target, res *tableResult,
	newSession func(string, int) error, ten []byte) error {
	s := t.store()
	victim, trading := sessionID(sessClean, 0), sessionID(sessTrade, 0)
	if err := newSession(victim, 0); err != nil {
		return err
	}
	if err := newSession(trading, 10); err != nil {
		return err
	}
	if err := t.fill(ctx, victim, 0, r.cfg.History, ten); err != nil {
		return err
	}
	if err := t.settle(ctx); err != nil {
		return err
	}
	w, lease, err := fencedView(ctx, s, trading)
	if err != nil {
		return err
	}
	defer func() { _ = lease.Release(ctx) }()
	var (
		wg      sync.WaitGroup
		creates []time.Duration
		cerr    error
		done    = make(chan struct{})
	)
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			start := time.Now()
			if _, err := w.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: trading,
				Trigger: db.TriggerInterval, AccountSnapshot: account}); err != nil {
				cerr = err
				return
			}
			creates = append(creates, time.Since(start))
		}
	})
	start := time.Now()
	n, err := s.DeleteCheckpoints(ctx, db.CheckpointDelete{SessionID: victim, Keep: 100})
	took := time.Since(start)
	close(done)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("create during cleanup: %w", cerr)
	}
	if n != int64(r.cfg.History-100) {
		return fmt.Errorf("cleanup deleted %d, want %d", n, r.cfg.History-100)
	}
	res.cleanup.addRep([]time.Duration{took})
	res.cleanupCreates.addRep(creates)
	return nil
}

// measureBytes fills a fresh database with rows of n positions and
// divides the table's size by the row count.
func (r *runner) measureBytes(ctx context.Context, open func(context.Context) (target, error), res *tableResult) error {
	for _, n := range positionCounts {
		rows := 10_000
		if n >= 1000 {
			rows = 1_000
		}
		t, err := open(ctx)
		if err != nil {
			return err
		}
		p, err := payload(n)
		if err == nil {
			id := sessionID(sessHist, n)
			err = t.store().CreateSession(ctx, db.Session{ID: id, StartTime: t0, Symbols: []string{"AAPL"}})
			if err == nil {
				err = t.fill(ctx, id, 0, rows, p)
			}
		}
		if err == nil {
			err = t.settle(ctx)
		}
		var size int64
		if err == nil {
			size, err = t.checkpointBytes(ctx)
		}
		if cerr := t.close(ctx); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("bytes per row at %d positions: %w", n, err)
		}
		res.bytesPerRow[n] = float64(size) / float64(rows)
	}
	return nil
}

// runTable runs Reps repetitions of measureTable, each on a fresh target
// (extra runs first on each), then the bytes-per-row fills.
func (r *runner) runTable(ctx context.Context, name string, open func(context.Context) (target, error),
	extra func(context.Context, target) error) (*tableResult, error) {
	res := newTableResult()
	for rep := range r.cfg.Reps {
		r.progress("  %s repetition %d/%d", name, rep+1, r.cfg.Reps)
		t, err := open(ctx)
		if err != nil {
			return nil, err
		}
		if extra != nil {
			err = extra(ctx, t)
		}
		if err == nil {
			err = r.measureTable(ctx, t, res)
		}
		if cerr := t.close(ctx); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
	r.progress("  %s bytes per row", name)
	if err := r.measureBytes(ctx, open, res); err != nil {
		return nil, err
	}
	return res, nil
}
