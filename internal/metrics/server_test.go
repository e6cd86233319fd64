package metrics_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gambler-trader/gambler/internal/metrics"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestServerServesUntilShutdown(t *testing.T) {
	srv, err := metrics.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(srv.Addr(), ":0") {
		t.Fatalf("Addr %s does not name the chosen port", srv.Addr())
	}
	m := metrics.New()
	srv.Serve(m.Handler(metrics.HealthConfig{Store: &pinger{}, CheckpointInterval: time.Minute,
		Start: time.Now(), Now: time.Now}))
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://" + srv.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("GET /healthz = %d %q", resp.StatusCode, body)
	}
	// A second server cannot take the same port.
	if _, err := metrics.Listen(srv.Addr()); err == nil || !strings.Contains(err.Error(), srv.Addr()) {
		t.Fatalf("second Listen on %s: %v, want an error naming the address", srv.Addr(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if resp, err := client.Get("http://" + srv.Addr() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("server still answers after Shutdown")
	}
}

func TestShutdownWithoutServeReleasesThePort(t *testing.T) {
	srv, err := metrics.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	again, err := metrics.Listen(addr)
	if err != nil {
		t.Fatalf("port not released: %v", err)
	}
	_ = again.Shutdown(context.Background())
}
