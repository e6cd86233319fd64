package orders

import (
	"strconv"
	"strings"
	"time"
)

// Purposes of a journal row: what the order is for.
const (
	PurposeEntry   = "entry"   // opens a position on a signal
	PurposeExit    = "exit"    // a bracket leg or a closing order of an entry
	PurposeRepair  = "repair"  // a protective OCO that reconcile placed
	PurposeAdopted = "adopted" // an order of ours that the journal lacked
)

// MaxClientOrderIDLen is the longest client_order_id gambler builds
// (docs/design.md, Rules 3); Alpaca itself allows 128.
const MaxClientOrderIDLen = 48

// Prefix is the per-session prefix of every client_order_id: "g", the
// session UUID without dashes, and "-". Reconcile tells this session's
// orders from another session's by it.
func Prefix(sessionID string) string {
	return "g" + strings.ReplaceAll(sessionID, "-", "") + "-"
}

// EntryID is the client_order_id of the entry for symbol on the bar that
// starts at bar: the prefix, the symbol, "-", and the bar's start in
// minutes since the Unix epoch in base 36. Deriving it from the bar makes
// the journal's unique index and the broker's duplicate check refuse a
// second entry for the same bar, after a crash or from a second process.
// With a 34-character prefix, an 8-character symbol (BRK.B style) and five
// base-36 digits (enough until 2084-12-18) it is at most 48 characters.
func EntryID(sessionID, symbol string, bar time.Time) string {
	return Prefix(sessionID) + symbol + "-" + strconv.FormatInt(bar.Unix()/60, 36)
}

// EntryBar parses an id built by EntryID back into its symbol and bar
// start; ok is false for any other id.
func EntryBar(sessionID, cid string) (symbol string, bar time.Time, ok bool) {
	rest, found := strings.CutPrefix(cid, Prefix(sessionID))
	if !found {
		return "", time.Time{}, false
	}
	i := strings.LastIndexByte(rest, '-')
	if i <= 0 || rest[0] < 'A' || rest[0] > 'Z' {
		return "", time.Time{}, false
	}
	mins, err := strconv.ParseInt(rest[i+1:], 36, 64)
	if err != nil {
		return "", time.Time{}, false
	}
	return rest[:i], time.Unix(mins*60, 0).UTC(), true
}

// SeqID is the client_order_id of the session's seq-th order, the form
// entries had before ids were derived from bars; journals written then
// still hold them.
func SeqID(sessionID string, seq int64) string {
	return Prefix(sessionID) + strconv.FormatInt(seq, 10)
}

// RepairID is the client_order_id of the n-th exit repair of a position.
// The "x" keeps it apart from entry ids (which start with a symbol's
// upper-case letter) and from sequence ids (digits); base 36 keeps it
// within 48 characters.
func RepairID(sessionID string, positionID int64, n int) string {
	return Prefix(sessionID) + "x" + strconv.FormatInt(positionID, 36) + "-" + strconv.FormatInt(int64(n), 36)
}

// IsRepairID reports whether cid is one of the session's exit repairs.
func IsRepairID(sessionID, cid string) bool {
	return strings.HasPrefix(cid, Prefix(sessionID)+"x")
}

// SeqOf returns the sequence a SeqID-style id was built from, or 0.
func SeqOf(sessionID, cid string) int64 {
	rest, ok := strings.CutPrefix(cid, Prefix(sessionID))
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
