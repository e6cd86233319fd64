package bench

import (
	"context"
	"errors"
	"net/http/httptest"

	"github.com/gambler-trader/gambler/internal/exchange"
)

// world is a fresh PostgreSQL database and a local simulated exchange whose
// requests are counted: what a whole-process figure runs a trader against.
type world struct {
	db  *pgDatabase
	ex  *exchange.Exchange
	srv *httptest.Server
	ctr *apiCounter
}

func newWorld(ctx context.Context, adminURL, prefix string, speed float64) (*world, error) {
	return newWorldOn(ctx, adminURL, prefix, exchange.Config{Seed: 1, Speed: speed})
}

// newWorldOn is newWorld with the exchange configured by cfg.
func newWorldOn(ctx context.Context, adminURL, prefix string, cfg exchange.Config) (*world, error) {
	d, err := createPGDatabase(ctx, adminURL, prefix)
	if err != nil {
		return nil, err
	}
	ex, err := exchange.New(cfg)
	if err != nil {
		return nil, errors.Join(err, d.drop(ctx))
	}
	w := &world{db: d, ex: ex, ctr: &apiCounter{}}
	w.srv = httptest.NewServer(w.ctr.wrap(ex.Handler()))
	return w, nil
}

func (w *world) close(ctx context.Context) {
	w.srv.Close()
	_ = w.ex.Close()
	_ = w.db.drop(context.WithoutCancel(ctx))
}
