package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/cli"
	"github.com/gambler-trader/gambler/internal/db"
)

// TestSessionsShowLabelsClocks: `sessions show` prints two clocks, the
// broker's market time of entries and exits and this machine's wall time
// of the session and the journal, and says which is which.
func TestSessionsShowLabelsClocks(t *testing.T) {
	url := filepath.Join(t.TempDir(), "gambler.db")
	f := seedReport(t, url)
	created := reportWall.Add(7 * time.Minute)
	if _, err := f.store.InsertOrder(context.Background(), db.Order{SessionID: f.sessionID, ClientOrderID: "g-clock-1", Seq: 1,
		Symbol: "MSFT", Side: "buy", Qty: decimal.NewFromInt(3), FilledQty: decimal.Zero, CreatedAt: created, UpdatedAt: created}); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := cli.Main(context.Background(), []string{"sessions", "show", f.sessionID, "--database-url", url},
		&cli.App{IO: cli.IOStreams{Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }}); code != 0 {
		t.Fatalf("sessions show: exit %d\n%s", code, errOut.String())
	}
	lines := strings.Split(out.String(), "\n")
	// line finds the first line with all of words; the columns are
	// aligned by spaces.
	line := func(words ...string) string {
		for _, l := range lines {
			ok := true
			for _, w := range words {
				ok = ok && strings.Contains(l, w)
			}
			if ok {
				return l
			}
		}
		t.Fatalf("sessions show has no line with %q:\n%s", words, out.String())
		return ""
	}
	line("started (wall)", reportWall.Format("2006-01-02 15:04:05"))
	line("clocks", "wall", "market")
	line("SYMBOL", "ENTERED (MARKET)", "EXITED (MARKET)")
	line("AAPL", marketAt(3*time.Minute).Format("2006-01-02 15:04:05"), marketAt(9*time.Minute).Format("2006-01-02 15:04:05"))
	line("CLIENT ORDER ID", "CREATED (WALL)", "UPDATED (WALL)")
	line("g-clock-1", created.Format("2006-01-02 15:04:05"))
	line("CHECKPOINTS (WALL TIME)")
	for _, word := range []string{"ENTERED", "EXITED", "CREATED", "UPDATED", "started", "ended"} {
		if n, labelled := strings.Count(out.String(), word), strings.Count(out.String(), word+" ("); n != labelled {
			t.Errorf("sessions show has %q %d times, labelled with its clock %d times:\n%s", word, n, labelled, out.String())
		}
	}
}
