package broker_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gambler-trader/gambler/internal/broker"
	"github.com/rs/zerolog"
)

func TestKeysNeverAppearInErrorsOrLogs(t *testing.T) {
	// A server that echoes the credentials it received in its error
	// messages, the worst case for leaking them.
	var hits int
	var mu sync.Mutex
	srv := http.NewServeMux()
	srv.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		n := hits
		mu.Unlock()
		echo := "key " + r.Header.Get("APCA-API-KEY-ID") + " secret " + r.Header.Get("APCA-API-SECRET-KEY")
		switch {
		case n == 1:
			writeErr(w, http.StatusInternalServerError, 50010000, "boom: "+echo) // retried, so logged
		case strings.HasSuffix(r.URL.Path, "/orders"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("<html>bad request from " + echo + "</html>")) // not JSON
		default:
			writeErr(w, http.StatusUnauthorized, 40110000, "unauthorized: "+echo)
		}
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	// Reads come after the client's calls have returned; SyncWriter keeps
	// the writes of its retry goroutines apart.
	var logs bytes.Buffer
	c, _ := newTestClient(t, ts.URL, func(cfg *broker.Config) {
		cfg.Logger = zerolog.New(zerolog.SyncWriter(&logs)).Level(zerolog.DebugLevel)
	})
	_, errAcct := c.Account(context.Background())
	_, errOrder := c.PlaceOrder(context.Background(), marketBuy("s2-1"))
	for _, err := range []error{errAcct, errOrder} {
		if err == nil {
			t.Fatal("expected an error")
		}
		if strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testKeyID) {
			t.Errorf("error leaks credentials: %v", err)
		}
		if !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("error lost the server message: %v", err)
		}
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Fatalf("the 500 was not logged, test proves nothing: %s", logs.String())
	}
	if strings.Contains(logs.String(), testSecret) || strings.Contains(logs.String(), testKeyID) {
		t.Errorf("logs leak credentials: %s", logs.String())
	}
}

// TestOneLetterKeysRedactWholeTokens: a one-letter key id and secret are
// masked where they stand alone, and a URL in the same message survives
// (a substring mask made it http[REDACTED]://paper-api.alpaca.mar...).
func TestOneLetterKeysRedactWholeTokens(t *testing.T) {
	const page = "https://paper-api.alpaca.markets/v2/account"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := "key " + r.Header.Get("APCA-API-KEY-ID") + " secret " + r.Header.Get("APCA-API-SECRET-KEY")
		writeErr(w, http.StatusUnauthorized, 40110000, "unauthorized: "+echo+" at "+page)
	}))
	t.Cleanup(ts.Close)
	c, _ := newTestClient(t, ts.URL, func(cfg *broker.Config) { cfg.KeyID, cfg.Secret = "a", "k" })
	_, err := c.Account(context.Background())
	if err == nil {
		t.Fatal("expected an error")
	}
	if !strings.Contains(err.Error(), "key [REDACTED] secret [REDACTED] at "+page) {
		t.Errorf("want the keys masked and the URL whole, got: %v", err)
	}
}
