package checkpoint

import (
	"encoding/json"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/pnl"
)

// SessionValue is the session's own value at a checkpoint (internal/pnl),
// stored beside the account's figures under session_* keys. Several
// sessions may share the account, so portfolio_value, cash and
// buying_power describe the account, and these the session.
type SessionValue struct {
	Capital    decimal.NullDecimal
	Equity     decimal.NullDecimal
	Realized   decimal.Decimal
	Unrealized decimal.Decimal
	// Prices are those the open positions were valued at; PricesStale
	// marks them carried over from an earlier read; Unpriced lists held
	// symbols that had none.
	Prices      map[string]decimal.Decimal
	PricesStale bool
	Unpriced    []string
}

// NewSessionValue keeps what a checkpoint stores of f: the totals and the
// prices the open positions were valued at.
func NewSessionValue(f pnl.Figures) SessionValue {
	v := SessionValue{Capital: f.Capital, Equity: f.Equity, Realized: f.Realized, Unrealized: f.Unrealized,
		Prices: map[string]decimal.Decimal{}, PricesStale: f.PriceStale, Unpriced: f.Unpriced}
	for _, o := range f.Open {
		if o.Price.Valid {
			v.Prices[o.Position.Symbol] = o.Price.Decimal
		}
	}
	return v
}

// sessionJSON is the stored layout of the session_* keys. Decimals are JSON
// strings with their exact text; null when unknown.
type sessionJSON struct {
	Capital     *string           `json:"session_capital"`
	Equity      *string           `json:"session_equity"`
	Realized    string            `json:"session_realized_pnl"`
	Unrealized  string            `json:"session_unrealized_pnl"`
	Prices      map[string]string `json:"session_prices"`
	PricesStale bool              `json:"session_prices_stale,omitempty"`
	Unpriced    []string          `json:"session_unpriced,omitempty"`
}

func encodeSession(v SessionValue) sessionJSON {
	out := sessionJSON{Capital: nullText(v.Capital), Equity: nullText(v.Equity), Realized: v.Realized.String(),
		Unrealized: v.Unrealized.String(), Prices: map[string]string{}, PricesStale: v.PricesStale, Unpriced: v.Unpriced}
	for sym, px := range v.Prices {
		out.Prices[sym] = px.String()
	}
	return out
}

func nullText(d decimal.NullDecimal) *string {
	if !d.Valid {
		return nil
	}
	s := d.Decimal.String()
	return &s
}

// SessionValue is the checkpoint's session_* figures; false when the
// checkpoint has none (written before they existed) or they do not parse.
func (r Restored) SessionValue() (SessionValue, bool) {
	get := func(key string) decimal.NullDecimal {
		switch v := r.AccountInfo[key].(type) {
		case string:
			return db.JSONDecimal([]byte(`"` + v + `"`))
		case json.Number:
			return db.JSONDecimal([]byte(v))
		}
		return decimal.NullDecimal{}
	}
	realized, unrealized := get("session_realized_pnl"), get("session_unrealized_pnl")
	if !realized.Valid || !unrealized.Valid {
		return SessionValue{}, false
	}
	v := SessionValue{Capital: get("session_capital"), Equity: get("session_equity"),
		Realized: realized.Decimal, Unrealized: unrealized.Decimal, Prices: map[string]decimal.Decimal{}}
	v.PricesStale, _ = r.AccountInfo["session_prices_stale"].(bool)
	if prices, ok := r.AccountInfo["session_prices"].(map[string]any); ok {
		for sym, px := range prices {
			if s, ok := px.(string); ok {
				if d, err := decimal.NewFromString(s); err == nil {
					v.Prices[sym] = d
				}
			}
		}
	}
	if list, ok := r.AccountInfo["session_unpriced"].([]any); ok {
		for _, s := range list {
			if sym, ok := s.(string); ok {
				v.Unpriced = append(v.Unpriced, sym)
			}
		}
	}
	sort.Strings(v.Unpriced)
	return v, true
}

// Prices are the checkpoint's session prices, for valuing the session's
// positions as they are now.
func (v SessionValue) PnLPrices() pnl.Prices {
	return pnl.Prices{BySymbol: v.Prices, Stale: v.PricesStale}
}
