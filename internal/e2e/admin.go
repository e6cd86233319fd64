package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/shopspring/decimal"
)

// setPrice sets a symbol's price through the exchange admin API, which
// fills any resting order the new price crosses.
func (e *Env) setPrice(symbol, price string) {
	e.T.Helper()
	body, _ := json.Marshal(map[string]string{"symbol": symbol, "price": price})
	resp, err := http.Post(e.Exchange.URL+"/sim/v1/price", "application/json", bytes.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.T.Fatalf("set price %s: HTTP %d", symbol, resp.StatusCode)
	}
}

func decimalFrom(s string) decimal.Decimal { return decimal.RequireFromString(s) }
