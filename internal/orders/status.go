package orders

import "slices"

// Status is a journal order status: the broker's, copied verbatim, or one
// of gambler's own (Intent, Abandoned).
type Status string

// Statuses gambler acts on. The broker has more (pending_new, held, ...);
// they pass through unchanged and are not terminal.
const (
	Intent          Status = "intent"    // journaled, not yet acknowledged by the broker
	Abandoned       Status = "abandoned" // never acknowledged and unknown at the broker
	New             Status = "new"
	Accepted        Status = "accepted"
	PartiallyFilled Status = "partially_filled"
	Filled          Status = "filled"
	Canceled        Status = "canceled"
	Expired         Status = "expired"
	Rejected        Status = "rejected"
	Replaced        Status = "replaced"
	DoneForDay      Status = "done_for_day"
	PendingCancel   Status = "pending_cancel"
	Held            Status = "held"
)

// TerminalStatuses lists the statuses the broker never changes again. The
// migrations' partial index of open orders repeats this list in SQL; a
// test holds them equal.
func TerminalStatuses() []Status {
	return []Status{Filled, Canceled, Expired, Rejected, Abandoned, Replaced, DoneForDay}
}

// Terminal reports whether the broker will not change an order in status s
// again.
func (s Status) Terminal() bool { return slices.Contains(TerminalStatuses(), s) }

// Live reports whether an order in status s can still execute.
func (s Status) Live() bool { return !s.Terminal() && s != PendingCancel }
