package dbtest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/db"
)

func claimTests() []suiteTest {
	return []suiteTest{
		{"Claims/OneSessionPerSymbol", testClaimOneSession},
		{"Claims/ReleaseIdle", testClaimReleaseIdle},
		{"Claims/UnknownSession", testClaimUnknownSession},
		{"Claims/ConcurrentClaims", testClaimConcurrent},
		{"Claims/TakeOver", testClaimTakeOver},
	}
}

func claimSymbols(t testing.TB, s db.Store) map[string]string {
	t.Helper()
	claims, err := s.SymbolClaims(t.Context())
	must(t, err, "symbol claims")
	out := map[string]string{}
	for _, c := range claims {
		out[c.Symbol] = c.SessionID
	}
	return out
}

func testClaimOneSession(t *testing.T, h Harness) {
	s := h.New(t)
	a := SeedSession(t, s, withInstance(1))
	b := SeedSession(t, s, withInstance(2))
	at := BaseTime().Add(time.Minute)
	must(t, s.ClaimSymbol(t.Context(), a.ID, "AAPL", at), "claim AAPL for a")
	must(t, s.ClaimSymbol(t.Context(), a.ID, "AAPL", at.Add(time.Second)), "claim AAPL for a again")
	must(t, s.ClaimSymbol(t.Context(), b.ID, "MSFT", at), "claim MSFT for b")

	err := s.ClaimSymbol(t.Context(), b.ID, "AAPL", at)
	var held *db.SymbolClaimedError
	if !errors.As(err, &held) {
		t.Fatalf("b claiming a's AAPL: err = %v, want *SymbolClaimedError", err)
	}
	wantErrIs(t, err, db.ErrConflict, "b claiming a's AAPL")
	eq(t, "holder session", held.Claim.SessionID, a.ID)
	eq(t, "holder instance", held.Claim.InstanceID, 1)
	eqTime(t, "claimed at (the first claim's)", held.Claim.ClaimedAt, at)

	claims, err := s.SymbolClaims(t.Context())
	must(t, err, "symbol claims")
	eq(t, "claims", len(claims), 2)
	eq(t, "first claim symbol (ordered)", claims[0].Symbol, "AAPL")
	eq(t, "MSFT instance", claims[1].InstanceID, 2)
}

func testClaimReleaseIdle(t *testing.T, h Harness) {
	s := h.New(t)
	a := SeedSession(t, s)
	b := SeedSession(t, s, withInstance(2))
	ctx := t.Context()
	for _, sym := range []string{"AAPL", "MSFT", "NVDA", "TSLA"} {
		must(t, s.ClaimSymbol(ctx, a.ID, sym, BaseTime()), "claim "+sym)
	}
	must(t, s.ClaimSymbol(ctx, b.ID, "AMD", BaseTime()), "claim AMD for b")
	// AAPL: an active position. MSFT: an open entry intent. NVDA: a
	// filled order and a closed position. TSLA: nothing.
	openPosition(t, s, position(a.ID, "AAPL", 0))
	pending := order(a.ID, "a-1", 1)
	pending.Symbol = "MSFT"
	_, err := s.InsertOrder(ctx, pending)
	must(t, err, "insert MSFT intent")
	done := order(a.ID, "a-2", 2)
	done.Symbol, done.Status = "NVDA", "filled"
	_, err = s.InsertOrder(ctx, done)
	must(t, err, "insert NVDA order")
	closePosition(t, s, openPosition(t, s, position(a.ID, "NVDA", 0)), BaseTime().Add(time.Hour))

	released, err := s.ReleaseIdleClaims(ctx, a.ID)
	must(t, err, "release idle claims")
	eqSlice(t, "released", sortedStrings(released), []string{"NVDA", "TSLA"})
	want := map[string]string{"AAPL": a.ID, "MSFT": a.ID, "AMD": b.ID}
	got := claimSymbols(t, s)
	if len(got) != len(want) {
		t.Fatalf("claims after release = %v, want %v", got, want)
	}
	for sym, id := range want {
		eq(t, "claim on "+sym, got[sym], id)
	}

	// The intent ends unfilled and the position closes: both claims go.
	must(t, s.UpdateOrder(ctx, db.OrderUpdate{ClientOrderID: "a-1", Status: "canceled", UpdatedAt: BaseTime().Add(time.Hour)}), "cancel intent")
	active := activePositions(t, s, a.ID)
	closePosition(t, s, active[0].ID, BaseTime().Add(time.Hour))
	released, err = s.ReleaseIdleClaims(ctx, a.ID)
	must(t, err, "release idle claims again")
	eqSlice(t, "released second time", sortedStrings(released), []string{"AAPL", "MSFT"})
	must(t, s.ClaimSymbol(ctx, b.ID, "AAPL", BaseTime()), "b claims the released AAPL")
}

func testClaimUnknownSession(t *testing.T, h Harness) {
	s := h.New(t)
	err := s.ClaimSymbol(t.Context(), "00000000-0000-0000-0000-000000000000", "AAPL", BaseTime())
	wantErrIs(t, err, db.ErrNotFound, "claim for a missing session")
	eq(t, "claims", len(claimSymbols(t, s)), 0)
}

// testClaimConcurrent races sessions for one symbol: exactly one wins.
func testClaimConcurrent(t *testing.T, h Harness) {
	s := h.New(t)
	const n = 8
	ids := make([]string, n)
	for i := range ids {
		ids[i] = SeedSession(t, s, withInstance(i+1)).ID
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.ClaimSymbol(t.Context(), ids[i], "AAPL", BaseTime())
		}()
	}
	wg.Wait()
	winners := 0
	for i, err := range errs {
		var held *db.SymbolClaimedError
		switch {
		case err == nil:
			winners++
		case !errors.As(err, &held):
			t.Errorf("session %d: unexpected error %v", i, err)
		}
	}
	eq(t, "winners", winners, 1)
}

func sortedStrings(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
}

func testClaimTakeOver(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := t.Context()
	a := SeedSession(t, s, withInstance(1), withStatus(db.StatusCompleted))
	b := SeedSession(t, s, withInstance(2))
	c := SeedSession(t, s, withInstance(3))
	must(t, s.ClaimSymbol(ctx, a.ID, "AAPL", BaseTime()), "a claims AAPL")
	later := BaseTime().Add(time.Hour)
	must(t, s.TakeOverClaim(ctx, "AAPL", a.ID, b.ID, later), "b takes AAPL over from a")
	claims, err := s.SymbolClaims(ctx)
	must(t, err, "claims")
	eq(t, "claims", len(claims), 1)
	eq(t, "new holder", claims[0].SessionID, b.ID)
	eq(t, "new holder instance", claims[0].InstanceID, 2)
	eqTime(t, "claimed at", claims[0].ClaimedAt, later)

	// Only from the session that holds it: a second taker loses the race.
	wantErrIs(t, s.TakeOverClaim(ctx, "AAPL", a.ID, c.ID, later), db.ErrNotFound, "take over from a former holder")
	wantErrIs(t, s.TakeOverClaim(ctx, "MSFT", a.ID, c.ID, later), db.ErrNotFound, "take over an unclaimed symbol")
	wantErrIs(t, s.TakeOverClaim(ctx, "AAPL", b.ID, "00000000-0000-0000-0000-000000000000", later), db.ErrNotFound,
		"take over for a missing session")
	eq(t, "holder after refused take-overs", claimSymbols(t, s)["AAPL"], b.ID)
}
