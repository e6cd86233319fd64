package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/cli"
)

// TestExchangeJSONStartupLine: with --output json the exchange's startup
// line is one JSON document with the URL it serves, which answers.
func TestExchangeJSONStartupLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"exchange", "--listen", "127.0.0.1:0", "-o", "json", "--log-format", "json"},
			&cli.App{IO: cli.IOStreams{Out: w, ErrOut: io.Discard}, Getenv: func(string) string { return "" }})
		w.Close()
	}()
	// The document is indented over three lines: read up to its close.
	var text strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		text.WriteString(sc.Text() + "\n")
		if sc.Text() == "}" {
			break
		}
	}
	var ready struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(text.String()), &ready); err != nil || !strings.HasPrefix(ready.URL, "http://127.0.0.1:") {
		t.Fatalf("startup output %q: %v", text.String(), err)
	}
	resp, err := http.Get(ready.URL + "/v2/clock")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after cancel", code)
	}
}
