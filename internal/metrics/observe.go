package metrics

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/pnl"
)

// The methods below satisfy the trader's and the broker's observer
// interfaces.

// CheckpointCreated records a written checkpoint.
func (m *Metrics) CheckpointCreated(at time.Time, took time.Duration, sizeBytes int64) {
	m.checkpointsCreated.Inc()
	m.checkpointDuration.Observe(took.Seconds())
	m.checkpointSize.Set(float64(sizeBytes))
	m.checkpointLast.Set(float64(at.UnixNano()) / 1e9)
	m.mu.Lock()
	m.lastCheckpoint = at
	m.mu.Unlock()
}

// CheckpointFailed counts a failed checkpoint write.
func (m *Metrics) CheckpointFailed() { m.checkpointsFailed.Inc() }

// CheckpointRestored counts a checkpoint restored on resume.
func (m *Metrics) CheckpointRestored() { m.checkpointsRestored.Inc() }

// ActivePositions sets the number of open positions.
func (m *Metrics) ActivePositions(n int) { m.positionsActive.Set(float64(n)) }

// Account sets the account gauges. Money is decimal everywhere else;
// Prometheus samples are float64, so the conversion happens here and only
// here.
func (m *Metrics) Account(portfolioValue, cash decimal.Decimal) {
	m.portfolioValue.Set(portfolioValue.InexactFloat64())
	m.cash.Set(cash.InexactFloat64())
}

// SessionValue sets the session-level gauges: the session's own value,
// beside the account's. An equity that cannot be known (a session without
// a starting capital) leaves its gauge as it was.
func (m *Metrics) SessionValue(f pnl.Figures) {
	if f.Equity.Valid {
		m.sessionEquity.Set(f.Equity.Decimal.InexactFloat64())
	}
	m.sessionRealized.Set(f.Realized.InexactFloat64())
	m.sessionUnrealized.Set(f.Unrealized.InexactFloat64())
}

// OrderStatus counts a journaled order status.
func (m *Metrics) OrderStatus(status string) {
	m.orders.WithLabelValues(orderStatusLabel(status)).Inc()
}

// FillApplied counts a recorded fill.
func (m *Metrics) FillApplied() { m.fills.Inc() }

// StoreUp sets gambler_store_up.
func (m *Metrics) StoreUp(up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.storeUp.Set(v)
}

// BrokerRequest records one HTTP attempt to the broker.
func (m *Metrics) BrokerRequest(endpoint, status string, latency time.Duration) {
	m.brokerRequests.WithLabelValues(endpoint, status).Inc()
	m.brokerDuration.WithLabelValues(endpoint).Observe(latency.Seconds())
}

// RateLimitWait adds time spent waiting for the broker rate limit.
func (m *Metrics) RateLimitWait(d time.Duration) {
	if d > 0 {
		m.rateLimitWait.Add(d.Seconds())
	}
}

// orderStatuses are Alpaca's order statuses plus the journal's own. The
// status comes from the broker's response, so anything else is folded into
// "other" to keep the label set bounded.
var orderStatuses = map[string]bool{
	"intent": true, "abandoned": true,
	"new": true, "partially_filled": true, "filled": true, "done_for_day": true, "canceled": true,
	"expired": true, "replaced": true, "pending_cancel": true, "pending_replace": true, "accepted": true,
	"pending_new": true, "accepted_for_bidding": true, "stopped": true, "rejected": true,
	"suspended": true, "calculated": true, "held": true,
}

func orderStatusLabel(s string) string {
	if orderStatuses[s] {
		return s
	}
	return "other"
}
