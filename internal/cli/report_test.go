package cli_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/cli"
	"github.com/gambler-trader/gambler/internal/db"
	"github.com/gambler-trader/gambler/internal/db/dbopen"
	"github.com/gambler-trader/gambler/internal/db/dbtest"
)

// node is a parsed HTML element: enough of a DOM to assert on.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     strings.Builder
}

// parseHTML reads the report leniently (void elements, HTML entities) with
// encoding/xml; a report it cannot parse fails the test.
func parseHTML(t *testing.T, page []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	root := &node{name: "#document"}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("parse report: %v", err)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: strings.ToLower(tok.Name.Local), attrs: map[string]string{}}
			for _, a := range tok.Attr {
				name := strings.ToLower(a.Name.Local)
				if a.Name.Space != "" {
					name = strings.ToLower(a.Name.Space) + ":" + name
				}
				n.attrs[name] = a.Value
			}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(tok)
			}
		}
	}
	return root
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

func (n *node) find(match func(*node) bool) []*node {
	var out []*node
	n.walk(func(c *node) {
		if match(c) {
			out = append(out, c)
		}
	})
	return out
}

func (n *node) byID(t *testing.T, id string) *node {
	t.Helper()
	found := n.find(func(c *node) bool { return c.attrs["id"] == id })
	if len(found) != 1 {
		t.Fatalf("report has %d elements with id %q, want 1", len(found), id)
	}
	return found[0]
}

func hasClass(c *node, name, class string) bool {
	return c.name == name && strings.Contains(" "+c.attrs["class"]+" ", " "+class+" ")
}

type reportFixture struct {
	store     db.Store
	dbURL     string
	sessionID string
	values    []string // portfolio value of each checkpoint, in checkpoint-time order
}

// seedReport writes a session whose checkpoints are created out of time
// order, with trades around them, through the store contract. With speed
// 0 the trades' broker times share the checkpoints' clock and the
// checkpoints carry no market_time, as before the field existed; with a
// speed the broker's market clock runs that many times faster, as the
// simulated exchange's does, from a different origin, and the checkpoints
// record it.
func seedReport(t *testing.T, dbURL string, speed int) reportFixture {
	ctx := context.Background()
	s, err := dbopen.Open(ctx, dbURL, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	start := time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)
	broker := func(d time.Duration) time.Time { return start.Add(d) }
	if speed > 0 {
		broker = func(d time.Duration) time.Time {
			return time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC).Add(d * time.Duration(speed))
		}
	}
	f := reportFixture{store: s, dbURL: dbURL, sessionID: uuid.NewString()}
	if err := s.CreateSession(ctx, db.Session{ID: f.sessionID, InstanceID: 1, StrategyName: "momentum", Status: db.StatusActive,
		StartTime: start, Symbols: []string{"AAPL", "AT&T"}, InitialPortfolioValue: decimal.NewNullDecimal(decimal.NewFromInt(100000)),
		CreatedAt: start, UpdatedAt: start}); err != nil {
		t.Fatal(err)
	}
	trades := []struct {
		symbol, qty, entry, exit string
		in, out                  time.Duration
	}{
		{"AAPL", "10", "150.25", "156.5", 3 * time.Minute, 9 * time.Minute},
		{"AT&T", "7", "18.10", "17.55", 5 * time.Minute, 20 * time.Minute},
		{"MSFT", "3", "410", "", 25 * time.Minute, 0},
	}
	for _, tr := range trades {
		entry := decimal.RequireFromString(tr.entry)
		id, err := s.OpenPosition(ctx, db.Position{SessionID: f.sessionID, Symbol: tr.symbol, EntryTime: broker(tr.in),
			EntryPrice: entry, Qty: decimal.RequireFromString(tr.qty), Direction: db.DirectionUp, Side: "buy", Status: db.PositionActive})
		if err != nil {
			t.Fatal(err)
		}
		if tr.exit == "" {
			continue
		}
		exit := decimal.RequireFromString(tr.exit)
		if err := s.ClosePosition(ctx, db.PositionClose{PositionID: id, ExitTime: broker(tr.out), ExitPrice: decimal.NewNullDecimal(exit),
			ExitReason: "stop_loss", PnL: decimal.NewNullDecimal(exit.Sub(entry).Mul(decimal.RequireFromString(tr.qty)))}); err != nil {
			t.Fatal(err)
		}
	}
	const n = 37
	f.values = make([]string, n)
	for i := range n {
		f.values[i] = decimal.NewFromInt(100000).Add(decimal.NewFromFloat(float64((i*7919)%401-200) * 1.25)).String()
	}
	// Written newest first, so only the store's ordering puts them right.
	for i := n - 1; i >= 0; i-- {
		market := ""
		if speed > 0 {
			market = fmt.Sprintf(`,"market_time":%q`, broker(time.Duration(i)*time.Minute).Format(time.RFC3339Nano))
		}
		_, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: f.sessionID, CheckpointTime: start.Add(time.Duration(i) * time.Minute),
			Trigger: db.TriggerInterval, AccountSnapshot: fmt.Appendf(nil, `{"portfolio_value":%s,"cash":1,"buying_power":1,"timestamp":"x"%s}`, f.values[i], market)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestReportHTMLMatchesStore renders a report on each store and reads it
// back as a document: one polyline point per checkpoint in time order, a
// trade row per position, and nothing that loads or runs anything.
func TestReportHTMLMatchesStore(t *testing.T) {
	onEachStore(t, 0, func(t *testing.T, f reportFixture, doc *node) {
		checkSelfContained(t, doc)
		checkEquityPoints(t, doc, f.values)
		checkTradeRows(t, doc, f)
		markers := doc.byID(t, "equity-chart").find(func(c *node) bool { return hasClass(c, "g", "marker") })
		if len(markers) != 5 {
			t.Errorf("equity chart has %d entry/exit markers, want 5 (3 entries, 2 exits)", len(markers))
		}
	})
}

// onEachStore seeds the fixture (at the broker clock speed, see
// seedReport) on SQLite and on PostgreSQL, renders its report and hands
// over the parsed page.
func onEachStore(t *testing.T, speed int, check func(t *testing.T, f reportFixture, doc *node)) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			dir := t.TempDir()
			url := filepath.Join(dir, "gambler.db")
			if driver == "postgres" {
				url = dbtest.CreatePostgresDB(t)
			}
			f := seedReport(t, url, speed)
			check(t, f, renderReport(t, url, f.sessionID, filepath.Join(dir, "report.html")))
		})
	}
}

// renderReport runs `gambler report --html out` and parses the file.
func renderReport(t *testing.T, url, sessionID, out string) *node {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), []string{"report", sessionID, "--html", out, "--database-url", url},
		&cli.App{IO: cli.IOStreams{Out: &stdout, ErrOut: &stderr}, Getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("report: exit %d\n%s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("report wrote %q to stdout; data goes to the file, logs to stderr", stdout.String())
	}
	if !strings.Contains(stderr.String(), out) {
		t.Errorf("stderr does not say where the report went:\n%s", stderr.String())
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("report mode %v, want 0644", st.Mode().Perm())
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return parseHTML(t, page)
}

// TestReportMarkersAtSimSpeed: the broker's market clock runs 60 times
// faster than the checkpoints' (the simulated exchange's default), and
// every entry and exit marker still sits inside the curve's x-range, at
// the x of the checkpoint whose market time it shares.
func TestReportMarkersAtSimSpeed(t *testing.T) {
	onEachStore(t, 60, func(t *testing.T, _ reportFixture, doc *node) {
		chart := doc.byID(t, "equity-chart")
		xs, _ := polylinePoints(t, chart)
		// Every trade of the fixture enters and exits on a whole minute
		// of wall time, which is checkpoint i's x.
		want := []int{3, 9, 5, 20, 25}
		markers := chart.find(func(c *node) bool { return hasClass(c, "g", "marker") })
		if len(markers) != len(want) {
			t.Fatalf("equity chart has %d markers, want %d", len(markers), len(want))
		}
		for i, m := range markers {
			var x, y float64
			if _, err := fmt.Sscanf(m.attrs["transform"], "translate(%g,%g)", &x, &y); err != nil {
				t.Fatalf("marker %d transform %q: %v", i, m.attrs["transform"], err)
			}
			if x < xs[0] || x > xs[len(xs)-1] {
				t.Errorf("marker %d at x %v, outside the curve's x-range [%v, %v]", i, x, xs[0], xs[len(xs)-1])
			}
			if math.Abs(x-xs[want[i]]) > 0.2 {
				t.Errorf("marker %d at x %v, want checkpoint %d's x %v", i, x, want[i], xs[want[i]])
			}
		}
		if doc.find(func(c *node) bool { return strings.Contains(c.text.String(), "fall outside") }) != nil {
			t.Error("the report says markers fall outside the checkpoints' span")
		}
	})
}

func checkSelfContained(t *testing.T, doc *node) {
	t.Helper()
	doc.walk(func(n *node) {
		switch n.name {
		case "script", "link", "iframe", "object", "embed", "img", "image", "use", "base":
			t.Errorf("report has a <%s> element", n.name)
		}
		for k, v := range n.attrs {
			lv := strings.ToLower(strings.TrimSpace(v))
			if k == "src" || k == "href" || strings.HasSuffix(k, ":href") || strings.HasPrefix(k, "on") ||
				strings.HasPrefix(lv, "http://") || strings.HasPrefix(lv, "https://") || strings.HasPrefix(lv, "//") {
				t.Errorf("report has <%s %s=%q>", n.name, k, v)
			}
		}
		if n.name == "style" && (strings.Contains(n.text.String(), "url(") || strings.Contains(n.text.String(), "@import")) {
			t.Error("report's CSS loads something")
		}
	})
}

// checkEquityPoints: one point per checkpoint, left to right, and higher
// values drawn higher (smaller y).
func checkEquityPoints(t *testing.T, doc *node, values []string) {
	t.Helper()
	xs, ys := polylinePoints(t, doc.byID(t, "equity-chart"))
	if len(xs) != len(values) {
		t.Fatalf("equity polyline has %d points, want one per checkpoint: %d", len(xs), len(values))
	}
	for i := range xs {
		if i > 0 && xs[i] <= xs[i-1] {
			t.Errorf("point %d x %v not right of point %d x %v: not in checkpoint-time order", i, xs[i], i-1, xs[i-1])
		}
		for j := range xs {
			vi, vj := decimal.RequireFromString(values[i]), decimal.RequireFromString(values[j])
			if vi.GreaterThan(vj) && ys[i] >= ys[j] {
				t.Fatalf("checkpoint %d (%s) is drawn at y %v, not above checkpoint %d (%s) at y %v", i, vi, ys[i], j, vj, ys[j])
			}
		}
	}
}

// polylinePoints reads the chart's equity polyline.
func polylinePoints(t *testing.T, chart *node) (xs, ys []float64) {
	t.Helper()
	lines := chart.find(func(c *node) bool { return hasClass(c, "polyline", "equity") })
	if len(lines) != 1 {
		t.Fatalf("equity chart has %d equity polylines, want 1", len(lines))
	}
	pts := strings.Fields(lines[0].attrs["points"])
	xs, ys = make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		x, y, ok := strings.Cut(p, ",")
		var err1, err2 error
		xs[i], err1 = strconv.ParseFloat(x, 64)
		ys[i], err2 = strconv.ParseFloat(y, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("point %d %q is not x,y", i, p)
		}
	}
	return xs, ys
}

// checkTradeRows compares the trades table with the store's positions.
func checkTradeRows(t *testing.T, doc *node, f reportFixture) {
	t.Helper()
	positions, err := f.store.Positions(context.Background(), f.sessionID)
	if err != nil {
		t.Fatal(err)
	}
	table := doc.byID(t, "trades")
	var header []string
	for _, th := range table.find(func(c *node) bool { return c.name == "th" }) {
		header = append(header, strings.TrimSpace(th.text.String()))
	}
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("trades table has no %q column: %v", name, header)
		return -1
	}
	rows := table.find(func(c *node) bool {
		return c.name == "tr" && len(c.find(func(d *node) bool { return d.name == "td" })) > 0
	})
	if len(rows) != len(positions) {
		t.Fatalf("trades table has %d rows, want %d positions", len(rows), len(positions))
	}
	for i, p := range positions {
		var cells []string
		for _, td := range rows[i].find(func(c *node) bool { return c.name == "td" }) {
			cells = append(cells, strings.TrimSpace(td.text.String()))
		}
		if got := cells[col("Symbol")]; got != p.Symbol {
			t.Errorf("row %d symbol %q, want %q", i, got, p.Symbol)
		}
		if got := decimal.RequireFromString(cells[col("Qty")]); !got.Equal(p.Qty) {
			t.Errorf("row %d qty %s, want %s", i, got, p.Qty)
		}
		pnl := cells[col("P&L")]
		switch {
		case !p.PnL.Valid && pnl != "-":
			t.Errorf("row %d P&L %q, want - for an open position", i, pnl)
		case p.PnL.Valid && (pnl == "-" || !decimal.RequireFromString(pnl).Equal(p.PnL.Decimal)):
			t.Errorf("row %d P&L %q, want %s", i, pnl, p.PnL.Decimal)
		}
	}
}
