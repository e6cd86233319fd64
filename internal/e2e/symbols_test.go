package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/realdata"
)

// TestUnknownSymbolsRefused: symbols the broker does not trade stop `trade`
// with exit 2 and one message naming all of them, before a session is
// created or anything is written.
func TestUnknownSymbolsRefused(t *testing.T) {
	t.Parallel()
	bars := realdata.BarsFile(t)
	for _, driver := range Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			e := &Env{T: t, Dir: t.TempDir()}
			e.DBURL = e.dbURL(driver)
			e.Exchange = StartExchange(t, e.Dir, "--bars-file", bars)
			e.connect("", "")
			p, code := e.Run(nil, "trade", "--exchange-url", e.Exchange.URL, "--timeframe", "1Hour",
				"--symbols", "AAPL,NOPE,MSFT,ZZZZ")
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, tail(p.Stderr(), 800))
			}
			msg := p.Stderr()
			if !strings.Contains(msg, "NOPE") || !strings.Contains(msg, "ZZZZ") || strings.Count(msg, "gambler: ") != 1 {
				t.Errorf("want one message naming NOPE and ZZZZ; stderr: %s", tail(msg, 800))
			}
			list, err := e.Store.ListSessions(context.Background(), db.SessionFilter{})
			if err != nil || len(list) != 0 {
				t.Errorf("sessions after the refusal: %v %v, want none", list, err)
			}
		})
	}
}
