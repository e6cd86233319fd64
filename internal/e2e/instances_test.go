package e2e

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/gambler-trader/gambler/internal/db"
)

// instanceSymbols overlap on purpose: AAPL, MSFT and NVDA are wanted by two
// or three instances. Each instance also has one symbol of its own, so all
// three trade from the start whichever wins the shared ones.
var instanceSymbols = map[int]string{1: "AAPL,MSFT,NVDA,GOOGL", 2: "MSFT,NVDA,TSLA", 3: "NVDA,AAPL,AMD"}

const instanceCapital = "2500"

// TestInstancesShareOneAccount runs three instances against one exchange
// process and one PostgreSQL database, with overlapping symbols, prices that
// keep filling brackets, two kill -9 crashes and --auto-resume restarts.
// No session commits more than its capital; replaying the exchange's fills
// shows that no symbol was ever held by two sessions at once; at the end,
// the exchange's positions are the sum of the three stores' positions.
func TestInstancesShareOneAccount(t *testing.T) {
	t.Parallel()
	e := NewEnv(t, "postgres", "60")
	symbols := []string{"AAPL", "MSFT", "NVDA", "GOOGL", "TSLA", "AMD"}
	args := func(id int) []string {
		return append([]string{"trade", "--symbols", instanceSymbols[id], "--instance-id", strconv.Itoa(id),
			"--capital", instanceCapital, "--auto-resume", "--duration", "0"}, e.runArgs()...)
	}
	procs := map[int]*Proc{}
	for id := 1; id <= 3; id++ {
		procs[id] = e.Start(nil, args(id)...)
	}
	w := watchInstances(t, e)
	defer w.stop()
	Eventually(t, 60*time.Second, "three sessions with positions", func() bool { return w.sessionsWithPositions() == 3 })

	// Prices swing so brackets fill, symbols go idle and change hands.
	mover := e.Exchange.StartPriceMover(symbols, 5, 150*time.Millisecond, 11)
	Eventually(t, 60*time.Second, "a symbol held by two sessions one after the other", func() bool { return w.handovers() > 0 })

	// Crash two instances at arbitrary points; Restart=always brings them back.
	for _, id := range []int{2, 1} {
		procs[id].Kill9()
		time.Sleep(500 * time.Millisecond)
		procs[id] = e.Start(nil, args(id)...)
		Eventually(t, 60*time.Second, fmt.Sprintf("instance %d resumed", id), func() bool {
			return strings.Contains(procs[id].Stderr(), "auto-resume: resuming")
		})
		time.Sleep(2 * time.Second)
	}
	if moves := mover.Stop(); moves == 0 {
		t.Fatal("the price mover made no move")
	}
	time.Sleep(time.Second) // the last ticks record the last fills
	// All at once, so the final read-backs and the comparison below are
	// as close together as possible: the exchange's market keeps moving.
	for _, p := range procs {
		p.Signal(syscall.SIGINT)
	}
	for id, p := range procs {
		if code := p.Wait(60 * time.Second); code != 0 {
			t.Errorf("instance %d: exit %d after SIGINT", id, code)
		}
	}
	w.stop()

	for _, v := range w.violations() {
		t.Error(v)
	}
	sessions := e.instanceSessions()
	if len(sessions) != 3 {
		t.Fatalf("want one session per instance (auto-resume continues, never restarts), have %d", len(sessions))
	}
	checkSumOfStoresIsTheAccount(t, e, sessions)
	checkBrokerNeverNetsTwoSessions(t, e, sessions)
	checkNoOverlappingHoldings(t, e, sessions)
	e.CheckNoDuplicateOrders()
	for _, s := range sessions {
		e.CheckFills(s.ID)
	}
	skipped := 0
	for _, p := range procs {
		skipped += strings.Count(p.Stderr(), "another session holds this symbol")
	}
	if skipped == 0 {
		t.Error("no instance ever skipped a claimed symbol: the overlap was not exercised")
	}

	// sessions list shows every instance; --instance-id keeps one.
	out, code := e.Run(nil, "sessions", "list", "-o", "json")
	for id := 1; id <= 3; id++ {
		if code != 0 || !strings.Contains(out.Stdout(), fmt.Sprintf(`"instance_id": %d`, id)) {
			t.Errorf("sessions list (exit %d) lacks instance %d:\n%s", code, id, out.Stdout())
		}
	}
	out, code = e.Run(nil, "sessions", "list", "--instance-id", "2", "-o", "json")
	if code != 0 || strings.Count(out.Stdout(), `"session_id"`) != 1 || !strings.Contains(out.Stdout(), `"instance_id": 2`) {
		t.Errorf("sessions list --instance-id 2 (exit %d):\n%s", code, out.Stdout())
	}
}

// instanceSessions returns the sessions, one per instance, by instance id.
func (e *Env) instanceSessions() map[int]db.Session {
	e.T.Helper()
	list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
	if err != nil {
		e.T.Fatal(err)
	}
	out := map[int]db.Session{}
	for _, s := range list {
		if _, dup := out[s.InstanceID]; dup {
			e.T.Errorf("instance %d has more than one session", s.InstanceID)
		}
		out[s.InstanceID] = s.Session
	}
	return out
}

// signedQty is +qty for a long position, -qty for a short one.
func signedQty(side string, qty decimal.Decimal) decimal.Decimal {
	if side == string(broker.Sell) || side == broker.PositionShort {
		return qty.Neg()
	}
	return qty
}

func checkSumOfStoresIsTheAccount(t *testing.T, e *Env, sessions map[int]db.Session) {
	t.Helper()
	ctx := context.Background()
	held, err := e.Broker.Positions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exchange := map[string]string{}
	for _, p := range held {
		exchange[p.Symbol] = signedQty(p.Side, p.Qty).String()
	}
	sum := map[string]decimal.Decimal{}
	for _, s := range sessions {
		ps, err := e.Store.ActivePositions(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			sum[p.Symbol] = sum[p.Symbol].Add(signedQty(p.Side, p.Qty))
		}
	}
	stores := map[string]string{}
	for sym, q := range sum {
		if !q.IsZero() {
			stores[sym] = q.String()
		}
	}
	if fmt.Sprint(stores) != fmt.Sprint(exchange) {
		t.Errorf("sum of the stores' positions %v != the exchange's positions %v", stores, exchange)
	}
}

// checkBrokerNeverNetsTwoSessions replays every fill the exchange made, in
// time order, attributing each to the session whose journal holds the
// order: at no moment may two sessions have a position in one symbol. Every
// filled order must belong to a session (nothing lost from the journals).
func checkBrokerNeverNetsTwoSessions(t *testing.T, e *Env, sessions map[int]db.Session) {
	t.Helper()
	owner := map[string]int{} // broker order id -> instance
	for id, s := range sessions {
		journal, err := e.Store.SessionOrders(context.Background(), s.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range journal {
			if o.BrokerOrderID != "" {
				owner[o.BrokerOrderID] = id
			}
		}
	}
	type fill struct {
		instance int
		at       time.Time
		qty      decimal.Decimal // signed
	}
	bySymbol := map[string][]fill{}
	for _, f := range e.ExchangeFills() {
		inst, ok := owner[f.OrderID]
		if !ok {
			t.Errorf("exchange order %s (sell %v %s %s) filled but is in no session's journal", f.OrderID, f.Sell, f.Symbol, f.Qty)
			continue
		}
		bySymbol[f.Symbol] = append(bySymbol[f.Symbol], fill{inst, f.At, f.Signed()})
	}
	for sym, fills := range bySymbol {
		net := map[int]decimal.Decimal{}
		// Holders are counted after all fills of one instant: an exit and
		// the next instance's entry may share a timestamp.
		for i, f := range fills {
			net[f.instance] = net[f.instance].Add(f.qty)
			if i+1 < len(fills) && fills[i+1].at.Equal(f.at) {
				continue
			}
			var holders []int
			for inst, q := range net {
				if !q.IsZero() {
					holders = append(holders, inst)
				}
			}
			if len(holders) > 1 {
				sort.Ints(holders)
				t.Errorf("%s held at the broker by instances %v at once (%s)", sym, holders, f.at.Format(time.RFC3339Nano))
				break
			}
		}
	}
}

// checkNoOverlappingHoldings: the positions of different sessions in one
// symbol never overlap in time (entries and exits are broker fill times).
func checkNoOverlappingHoldings(t *testing.T, e *Env, sessions map[int]db.Session) {
	t.Helper()
	type span struct {
		session  int
		from, to time.Time
	}
	bySymbol := map[string][]span{}
	for id, s := range sessions {
		ps, err := e.Store.Positions(context.Background(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			to := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
			if p.ExitTime != nil {
				to = *p.ExitTime
			}
			bySymbol[p.Symbol] = append(bySymbol[p.Symbol], span{id, p.EntryTime, to})
		}
	}
	for sym, spans := range bySymbol {
		sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
		for i := 1; i < len(spans); i++ {
			a, b := spans[i-1], spans[i]
			if a.session != b.session && b.from.Before(a.to) {
				t.Errorf("%s held by instance %d (%s-%s) and instance %d (from %s) at once",
					sym, a.session, a.from.Format(time.RFC3339), a.to.Format(time.RFC3339), b.session, b.from.Format(time.RFC3339))
			}
		}
	}
}

// instanceWatcher polls the store while the instances trade.
type instanceWatcher struct {
	t      testing.TB
	e      *Env
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	bad     map[string]bool
	withPos map[string]bool   // sessions seen holding a position
	holders map[string]string // symbol -> last session seen holding it
	changes int               // times a symbol's holder changed
}

func watchInstances(t testing.TB, e *Env) *instanceWatcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &instanceWatcher{t: t, e: e, cancel: cancel, done: make(chan struct{}),
		bad: map[string]bool{}, withPos: map[string]bool{}, holders: map[string]string{}}
	go func() {
		defer close(w.done)
		repeat(ctx, 50*time.Millisecond, func() { w.poll(ctx) })
	}()
	return w
}

func (w *instanceWatcher) poll(ctx context.Context) {
	list, err := w.e.Store.ListSessions(ctx, db.SessionFilter{})
	if err != nil {
		return // the store is read again on the next poll
	}
	capital := decimal.RequireFromString(instanceCapital)
	holding := map[string][]string{}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range list {
		ps, err := w.e.Store.ActivePositions(ctx, s.ID)
		if err != nil {
			return
		}
		exposure := decimal.Zero
		for _, p := range ps {
			holding[p.Symbol] = append(holding[p.Symbol], s.ID)
			exposure = exposure.Add(p.EntryPrice.Mul(p.Qty))
			w.withPos[s.ID] = true
		}
		if exposure.GreaterThan(capital) {
			w.bad[fmt.Sprintf("instance %d committed more than its capital %s", s.InstanceID, capital)] = true
		}
	}
	// Two store rows in one symbol are not a violation by themselves: a
	// crashed session's row stays active until its resume reconciles it,
	// although another instance took the symbol over once the broker held
	// nothing in it. What the broker held is judged from its own fills at
	// the end (checkBrokerNeverNetsTwoSessions).
	for sym, ids := range holding {
		if last, ok := w.holders[sym]; ok && last != ids[0] && len(ids) == 1 {
			w.changes++
		}
		w.holders[sym] = ids[0]
	}
}

func (w *instanceWatcher) sessionsWithPositions() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.withPos)
}

func (w *instanceWatcher) handovers() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.changes
}

func (w *instanceWatcher) violations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.bad))
	for v := range w.bad {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func (w *instanceWatcher) stop() {
	w.cancel()
	<-w.done
}

// TestStaleClaimIsTakenOver: a session that completes with an open position
// keeps its claim while the broker holds the position, so another instance
// skips the symbol. Once the broker has closed it, the claim is stale and
// the other instance takes it over; reconcile-only then closes the old
// session's position with its own exit fill.
func TestStaleClaimIsTakenOver(t *testing.T) {
	t.Parallel()
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := NewEnv(t, driver, "60")
			ctx := context.Background()
			one := func(id string) []string {
				return append([]string{"trade", "--symbols", "AAPL", "--instance-id", id, "--duration", "0"}, e.runArgs()...)
			}
			a, first := e.StartTrading(nil, 1, one("1")...)
			a.Signal(syscall.SIGINT)
			if code := a.Wait(30 * time.Second); code != 0 {
				t.Fatalf("instance 1: exit %d after SIGINT", code)
			}

			b := e.Start(nil, one("2")...)
			Eventually(t, 30*time.Second, "instance 2 skipping AAPL", func() bool {
				return strings.Contains(b.Stderr(), "another session holds this symbol")
			})
			// The broker closes the completed session's position: its
			// bracket leg fills.
			e.setPrice("AAPL", "6")
			Eventually(t, 60*time.Second, "instance 2 taking the stale claim over", func() bool {
				return strings.Contains(b.Stderr(), "took over a stale symbol claim")
			})
			second := e.instanceSessions()[2]
			e.WaitForPositions(second.ID, 1)
			b.Signal(syscall.SIGINT)
			if code := b.Wait(30 * time.Second); code != 0 {
				t.Fatalf("instance 2: exit %d after SIGINT", code)
			}

			out, code := e.Run(nil, "reconcile-only", "--session", first.ID, "-o", "json")
			if code != 0 || !strings.Contains(out.Stdout(), `"position_gone"`) {
				t.Fatalf("reconcile-only of the completed session (exit %d):\n%s", code, out.Stdout())
			}
			ps, err := e.Store.Positions(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p.Status != db.PositionClosed || !p.ExitPrice.Valid || p.ExitReason == "closed_at_broker" {
					t.Errorf("old session's %s after reconcile: status %s, exit %v (%s)", p.Symbol, p.Status, p.ExitPrice, p.ExitReason)
				}
			}
			e.CheckPositionsMatch(second.ID)
			e.CheckNoDuplicateOrders()
		})
	}
}
