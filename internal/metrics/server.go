package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics from the private registry and /healthz.
func (m *Metrics) Handler(c HealthConfig) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.Handle("GET /healthz", m.healthHandler(c))
	return mux
}

// Server is the HTTP endpoint. Binding (Listen) and serving (Serve) are
// separate so that a taken port fails the command before it touches a
// session, while the handler is only built once the session is known.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan error
}

// Listen binds addr (host:port; port 0 picks a free one).
func Listen(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics endpoint: %w", err)
	}
	return &Server{ln: ln}, nil
}

// Addr is the bound address, with the port the kernel chose.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers requests with h in the background until Shutdown.
func (s *Server) Serve(h http.Handler) {
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.done = make(chan error, 1)
	go func() { s.done <- s.srv.Serve(s.ln) }()
}

// Shutdown stops serving, lets requests in flight finish until ctx ends,
// and waits for the serving goroutine. Without Serve it releases the port.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return s.ln.Close()
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		// Requests still running past ctx: cut them off.
		err = errors.Join(err, s.srv.Close())
	}
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("metrics: shut down: %w", err)
	}
	return nil
}
