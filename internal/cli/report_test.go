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
	wallStart time.Time
}

// Market time runs 60 times faster than the wall clock from another
// origin, as on the simulated exchange.
var (
	reportWall   = time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)
	reportMarket = time.Date(2025, 6, 2, 13, 30, 0, 0, time.UTC)
)

func marketAt(wall time.Duration) time.Time { return reportMarket.Add(60 * wall) }

// seedReport writes, through the store contract, a session as the trader
// leaves it: fills that open and close positions (one left open, one a
// symbol that needs escaping), the session's value when it started and at
// a checkpoint every two minutes of wall time with the prices of what it
// held, and checkpoints.
func seedReport(t *testing.T, dbURL string) reportFixture {
	ctx := context.Background()
	s, err := dbopen.Open(ctx, dbURL, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := reportFixture{store: s, dbURL: dbURL, sessionID: uuid.NewString(), wallStart: reportWall}
	if err := s.CreateSession(ctx, db.Session{ID: f.sessionID, InstanceID: 1, StrategyName: "momentum", Status: db.StatusActive,
		StartTime: reportWall, Symbols: []string{"AAPL", "AT&T", "MSFT"}, InitialPortfolioValue: decimal.NewNullDecimal(decimal.NewFromInt(100000)),
		CreatedAt: reportWall, UpdatedAt: reportWall}); err != nil {
		t.Fatal(err)
	}
	d := decimal.RequireFromString
	trades := []struct {
		symbol, qty, entry, exit string
		in, out                  time.Duration
	}{
		{"AAPL", "10", "150.25", "156.5", 3 * time.Minute, 9 * time.Minute},
		{"AT&T", "7", "18.10", "17.55", 5 * time.Minute, 20 * time.Minute},
		{"MSFT", "3", "410", "", 25 * time.Minute, 0},
	}
	for i, tr := range trades {
		fill := db.Fill{FillID: fmt.Sprintf("in-%d", i), SessionID: f.sessionID, Symbol: tr.symbol, Side: "buy", Qty: d(tr.qty),
			Price: d(tr.entry), FilledAt: marketAt(tr.in)}
		if _, err := s.ApplyFill(ctx, db.FillEffect{Fill: fill, Open: &db.Position{SessionID: f.sessionID, Symbol: tr.symbol,
			EntryTime: fill.FilledAt, EntryPrice: fill.Price, Qty: fill.Qty, Direction: db.DirectionUp, Side: "buy",
			Status: db.PositionActive}}); err != nil {
			t.Fatal(err)
		}
	}
	active, err := s.ActivePositions(ctx, f.sessionID)
	if err != nil {
		t.Fatal(err)
	}
	for i, tr := range trades {
		if tr.exit == "" {
			continue
		}
		fill := db.Fill{FillID: fmt.Sprintf("out-%d", i), SessionID: f.sessionID, Symbol: tr.symbol, Side: "sell", Qty: d(tr.qty),
			Price: d(tr.exit), FilledAt: marketAt(tr.out)}
		if _, err := s.ApplyFill(ctx, db.FillEffect{Fill: fill, Close: &db.PositionClose{PositionID: active[i].ID,
			ExitTime: fill.FilledAt, ExitPrice: decimal.NewNullDecimal(fill.Price), ExitReason: "stop_loss",
			PnL: decimal.NewNullDecimal(fill.Price.Sub(d(tr.entry)).Mul(d(tr.qty)))}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AppendValuePoint(ctx, db.ValuePoint{SessionID: f.sessionID, MarketTime: marketAt(0), Source: db.ValueStart,
		Equity: decimal.NewNullDecimal(d("100000"))}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 18; i++ {
		wall := time.Duration(2*i) * time.Minute
		held := map[string]decimal.Decimal{}
		for _, tr := range trades {
			if tr.in < wall && (tr.exit == "" || tr.out > wall) {
				held[tr.symbol] = d(tr.entry).Add(decimal.NewFromInt(int64(i % 5)))
			}
		}
		if _, err := s.AppendValuePoint(ctx, db.ValuePoint{SessionID: f.sessionID, MarketTime: marketAt(wall),
			Source: db.ValueCheckpoint, Equity: decimal.NewNullDecimal(d("1")), Prices: held}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCheckpoint(ctx, db.CheckpointInput{SessionID: f.sessionID, CheckpointTime: reportWall.Add(wall),
			Trigger: db.TriggerInterval, AccountSnapshot: fmt.Appendf(nil, `{"portfolio_value":1,"cash":1,"buying_power":1,"timestamp":"x","market_time":%q}`,
				marketAt(wall).Format(time.RFC3339Nano))}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestReportHTMLMatchesStore renders a report on each store and reads it
// back as a document: a vertex per instant of the session's record, left
// to right, every entry and exit on one, the dollar and percent axes
// titled, the trade tables and the counts agreeing with the store, one
// clock, and nothing that loads or runs anything. Checkpoint cleanup does
// not change the curve.
func TestReportHTMLMatchesStore(t *testing.T) {
	onEachStore(t, func(t *testing.T, f reportFixture, doc *node, render func() *node) {
		checkSelfContained(t, doc)
		xs, ys := polylinePoints(t, doc.byID(t, "equity-chart"))
		// Instants: the start, 18 checkpoints, 5 fills (one at a checkpoint's instant).
		if len(xs) != 23 {
			t.Errorf("equity polyline has %d points, want 23: the start, 18 checkpoints and 4 more fill instants", len(xs))
		}
		for i := 1; i < len(xs); i++ {
			if xs[i] <= xs[i-1] {
				t.Errorf("point %d x %v not right of point %d x %v: not in market-time order", i, xs[i], i-1, xs[i-1])
			}
		}
		checkMarkersOnVertices(t, doc, xs, ys)
		checkAxes(t, doc)
		checkTradeRows(t, doc, f)
		checkOneClock(t, doc, f)

		var out, errOut bytes.Buffer
		if code := cli.Main(context.Background(), []string{"checkpoints", "cleanup", "--session", f.sessionID, "--keep", "0",
			"--database-url", f.dbURL}, &cli.App{IO: cli.IOStreams{Out: &out, ErrOut: &errOut}, Getenv: func(string) string { return "" }}); code != 0 {
			t.Fatalf("checkpoints cleanup: exit %d\n%s", code, errOut.String())
		}
		after := render()
		xs2, ys2 := polylinePoints(t, after.byID(t, "equity-chart"))
		if fmt.Sprint(xs2, ys2) != fmt.Sprint(xs, ys) {
			t.Errorf("the curve changed with checkpoint cleanup:\nbefore %v %v\nafter  %v %v", xs, ys, xs2, ys2)
		}
		if cell := strings.TrimSpace(after.byID(t, "curve-points").text.String()); !strings.Contains(cell, "1 checkpoint stored now") {
			t.Errorf("after cleanup the summary says %q, want the one checkpoint cleanup keeps", cell)
		}
	})
}

// onEachStore seeds the fixture on SQLite and on PostgreSQL, renders its
// report and hands over the parsed page and a way to render it again.
func onEachStore(t *testing.T, check func(t *testing.T, f reportFixture, doc *node, render func() *node)) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			dir := t.TempDir()
			url := filepath.Join(dir, "gambler.db")
			if driver == "postgres" {
				url = dbtest.CreatePostgresDB(t)
			}
			f := seedReport(t, url)
			render := func() *node { return renderReport(t, url, f.sessionID, filepath.Join(dir, "report.html")) }
			check(t, f, render(), render)
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

// checkMarkersOnVertices: three entries and two exits, each on a vertex.
func checkMarkersOnVertices(t *testing.T, doc *node, xs, ys []float64) {
	t.Helper()
	markers := doc.byID(t, "equity-chart").find(func(c *node) bool { return hasClass(c, "g", "marker") })
	if len(markers) != 5 {
		t.Errorf("equity chart has %d entry/exit markers, want 5 (3 entries, 2 exits)", len(markers))
	}
	for i, m := range markers {
		var x, y float64
		if _, err := fmt.Sscanf(m.attrs["transform"], "translate(%g,%g)", &x, &y); err != nil {
			t.Fatalf("marker %d transform %q: %v", i, m.attrs["transform"], err)
		}
		on := false
		for j := range xs {
			on = on || (math.Abs(x-xs[j]) < 0.05 && math.Abs(y-ys[j]) < 0.05)
		}
		if !on {
			t.Errorf("marker %d at %v,%v is on no vertex of the curve", i, x, y)
		}
	}
	if doc.find(func(c *node) bool { return strings.Contains(c.text.String(), "fall outside") }) != nil {
		t.Error("the report says markers fall outside the curve")
	}
}

// checkAxes: dollar ticks on the left, signed percent ticks on the right,
// times below, and a title on each axis.
func checkAxes(t *testing.T, doc *node) {
	t.Helper()
	var texts []string
	for _, n := range doc.byID(t, "equity-chart").find(func(c *node) bool { return c.name == "text" }) {
		texts = append(texts, strings.TrimSpace(n.text.String()))
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"$100,000", "0%", "Session equity ($)", "Return on starting capital (%)", "Market time (UTC)", "2025-06-02"} {
		if !strings.Contains("|"+all+"|", "|"+want+"|") {
			t.Errorf("equity chart has no label %q: %s", want, all)
		}
	}
	if !strings.Contains(all, "|+") {
		t.Errorf("equity chart has no signed gain on the percent axis: %s", all)
	}
}

// checkOneClock: the wall clock's start is said once; the trades carry
// market time.
func checkOneClock(t *testing.T, doc *node, f reportFixture) {
	t.Helper()
	body := doc.find(func(c *node) bool { return c.name == "body" })[0].text.String()
	if n := strings.Count(body, f.wallStart.Format("2006-01-02 15:04:05")); n != 1 {
		t.Errorf("the wall-clock start appears %d times, want once", n)
	}
	if n := strings.Count(body, "2026-03-02"); n != 1 {
		t.Errorf("the wall-clock date appears %d times, want once (the wall-clock span, with the generation time in it)", n)
	}
	if trades := doc.byID(t, "trades").text.String(); !strings.Contains(trades, marketAt(3*time.Minute).Format("2006-01-02 15:04:05")) {
		t.Errorf("the trades table lacks the first entry's market time:\n%s", trades)
	}
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

// checkTradeRows compares the trade tables with the store's positions,
// and the counts the page gives with theirs.
func checkTradeRows(t *testing.T, doc *node, f reportFixture) {
	t.Helper()
	positions, err := f.store.Positions(context.Background(), f.sessionID)
	if err != nil {
		t.Fatal(err)
	}
	var closed, open []db.Position
	for _, p := range positions {
		if p.Status == db.PositionClosed {
			closed = append(closed, p)
		} else {
			open = append(open, p)
		}
	}
	checkRows(t, doc.byID(t, "trades"), closed)
	checkRows(t, doc.byID(t, "open-positions"), open)
	if card := strings.TrimSpace(doc.byID(t, "card-trades").text.String()); card != strconv.Itoa(len(closed)) {
		t.Errorf("the trades card says %s, the store has %d closed positions", card, len(closed))
	}
	for _, want := range []string{fmt.Sprintf("Closed trades (%d)", len(closed)), fmt.Sprintf("Open positions (%d)", len(open)),
		fmt.Sprintf("%d closed (", len(closed)), fmt.Sprintf("), %d open", len(open))} {
		if !strings.Contains(doc.text.String(), want) {
			t.Errorf("the report does not say %q", want)
		}
	}
}

func checkRows(t *testing.T, table *node, positions []db.Position) {
	t.Helper()
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
		t.Fatalf("table %s has no %q column: %v", table.attrs["id"], name, header)
		return -1
	}
	rows := table.find(func(c *node) bool {
		return c.name == "tr" && len(c.find(func(d *node) bool { return d.name == "td" })) > 0
	})
	if len(rows) != len(positions) {
		t.Fatalf("table %s has %d rows, want %d positions", table.attrs["id"], len(rows), len(positions))
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
		if p.Status != db.PositionClosed {
			continue
		}
		if pnl := cells[col("P&L")]; pnl == "-" || !decimal.RequireFromString(pnl).Equal(p.PnL.Decimal) {
			t.Errorf("row %d P&L %q, want %s", i, pnl, p.PnL.Decimal)
		}
	}
}
