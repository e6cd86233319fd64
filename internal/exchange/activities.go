package exchange

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// activityView is one account activity in Alpaca's shape: a FILL (a trade
// activity) or a CSD, the cash deposit the account was opened with (a
// non-trade activity). They are derived from the orders and the deposit,
// so they need no storage of their own. An id is the activity's time
// (yyyymmddhhmmssSSS, UTC) and "::" and the order's (or the account's) id.
type activityView struct {
	ID           string `json:"id"`
	ActivityType string `json:"activity_type"`
	at           time.Time

	TransactionTime *time.Time       `json:"transaction_time,omitempty"`
	Type            string           `json:"type,omitempty"`
	Price           *decimal.Decimal `json:"price,omitempty"`
	Qty             *decimal.Decimal `json:"qty,omitempty"`
	Side            string           `json:"side,omitempty"`
	Symbol          string           `json:"symbol,omitempty"`
	LeavesQty       *decimal.Decimal `json:"leaves_qty,omitempty"`
	OrderID         string           `json:"order_id,omitempty"`
	CumQty          *decimal.Decimal `json:"cum_qty,omitempty"`
	OrderStatus     string           `json:"order_status,omitempty"`

	Date      string           `json:"date,omitempty"`
	NetAmount *decimal.Decimal `json:"net_amount,omitempty"`
	Status    string           `json:"status,omitempty"`
	Currency  string           `json:"currency,omitempty"`
}

const (
	activityFill    = "FILL"
	activityDeposit = "CSD"
	maxActivityPage = 100
)

func activityID(at time.Time, id string) string {
	return strings.ReplaceAll(at.UTC().Format("20060102150405.000"), ".", "") + "::" + id
}

// depositLocked is the cash the account was opened with.
func (e *Exchange) depositLocked() decimal.Decimal {
	if e.st.Deposit != nil {
		return *e.st.Deposit
	}
	return e.cfg.InitialCash
}

// activitiesLocked lists every activity, oldest first.
func (e *Exchange) activitiesLocked() []activityView {
	dep := e.depositLocked()
	open := e.st.AnchorMarket
	out := []activityView{{ID: activityID(open, accountID), ActivityType: activityDeposit, at: open,
		Date: civilOf(open, e.cal.ny).String(), NetAmount: &dep, Status: "executed", Currency: "USD"}}
	for _, o := range e.st.Orders {
		if o.Status != statusFilled || o.FilledAt == nil {
			continue
		}
		zero, qty := decimal.Zero, o.FilledQty
		t := *o.FilledAt
		out = append(out, activityView{ID: activityID(t, o.ID), ActivityType: activityFill, at: t,
			TransactionTime: &t, Type: "fill", Price: o.FilledAvgPrice, Qty: &qty, Side: o.Side, Symbol: o.Symbol,
			LeavesQty: &zero, OrderID: o.ID, CumQty: &qty, OrderStatus: statusFilled})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// activityQuery is a parsed GET /v2/account/activities.
type activityQuery struct {
	types        map[string]bool
	after, until time.Time
	asc          bool
	size         int
	token        string
}

func (e *Exchange) parseActivityQuery(r *http.Request) (activityQuery, error) {
	q := r.URL.Query()
	aq := activityQuery{size: maxActivityPage, token: q.Get("page_token")}
	types := q.Get("activity_types")
	if t := r.PathValue("activity_type"); t != "" {
		types = t
	}
	switch q.Get("category") {
	case "":
	case "trade_activity":
		types = activityFill
	case "non_trade_activity":
		types = activityDeposit
	default:
		return aq, invalid("category must be trade_activity or non_trade_activity")
	}
	if types != "" {
		aq.types = map[string]bool{}
		for _, t := range strings.Split(types, ",") {
			aq.types[strings.ToUpper(strings.TrimSpace(t))] = true
		}
	}
	if err := e.activityTimes(q.Get("date"), q.Get("after"), q.Get("until"), &aq); err != nil {
		return aq, err
	}
	desc, err := ascDesc(q.Get("direction"), true, "direction", invalid)
	if err != nil {
		return aq, err
	}
	aq.asc = !desc
	if s := q.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxActivityPage {
			return aq, invalid("page_size must be between 1 and 100")
		}
		aq.size = n
	}
	return aq, nil
}

// activityTimes reads date (one New York day) or after and until.
func (e *Exchange) activityTimes(date, after, until string, aq *activityQuery) error {
	if date != "" {
		if after != "" || until != "" {
			return invalid("date cannot be combined with after or until")
		}
		d, err := parseTimeOrDate(date, e.cal.ny)
		if err != nil {
			return invalid("date must be a date (YYYY-MM-DD)")
		}
		start := civilOf(d, e.cal.ny).midnight(e.cal.ny)
		aq.after, aq.until = start.Add(-time.Nanosecond), start.AddDate(0, 0, 1)
		return nil
	}
	for _, p := range []struct {
		s   string
		dst *time.Time
	}{{after, &aq.after}, {until, &aq.until}} {
		if p.s == "" {
			continue
		}
		t, err := parseTimeOrDate(p.s, e.cal.ny)
		if err != nil {
			return invalid("after and until must be RFC 3339 times or dates")
		}
		*p.dst = t
	}
	return nil
}

func (aq activityQuery) match(a activityView) bool {
	return (aq.types == nil || aq.types[a.ActivityType]) &&
		(aq.after.IsZero() || a.at.After(aq.after)) && (aq.until.IsZero() || a.at.Before(aq.until))
}

// handleActivities serves activities newest first (or oldest with
// direction=asc), page_size at a time; page_token is the id of the last
// activity of the page before, as Alpaca pages them.
func (e *Exchange) handleActivities(w http.ResponseWriter, r *http.Request) {
	aq, err := e.parseActivityQuery(r)
	if err != nil {
		e.fail(w, err)
		return
	}
	e.mu.Lock()
	all := e.activitiesLocked()
	e.mu.Unlock()
	if !aq.asc {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	out := []activityView{}
	started := aq.token == ""
	for _, a := range all {
		if !started {
			started = a.ID == aq.token
			continue
		}
		if aq.match(a) && len(out) < aq.size {
			out = append(out, a)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
