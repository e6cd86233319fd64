package exchange

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/shopspring/decimal"
)

// matchInterval is how often (wall time) resting orders are checked against
// moving prices when no request arrives.
const matchInterval = 500 * time.Millisecond

// Exchange is a simulated Alpaca-compatible broker. All of its methods are
// safe for concurrent use.
type Exchange struct {
	cfg    Config
	log    zerolog.Logger
	src    priceSource
	loc    *time.Location // America/New_York, for market hours
	faults *faults
	events *events

	mu       sync.Mutex
	st       *state
	byID     map[string]*order
	byClient map[string]*order

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New builds an exchange, restoring StateFile when it exists.
func New(cfg Config) (*Exchange, error) {
	cfg = cfg.withDefaults()
	e := &Exchange{
		cfg:    cfg,
		log:    cfg.Logger,
		faults: newFaults(),
		events: newEvents(),
		loc:    loadNewYork(),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	start := cfg.Now().UTC()
	if cfg.BarsFile != "" {
		fs, err := loadBarsFile(cfg.BarsFile)
		if err != nil {
			return nil, err
		}
		e.src = fs
		start = fs.start
	} else {
		e.src = newGenerator(cfg.Seed)
	}
	st, err := loadState(cfg.StateFile)
	if err != nil {
		return nil, err
	}
	switch {
	case st == nil:
		st = e.freshState(start)
	case st.Speed != cfg.Speed:
		// Restarted at another speed: market time continues from where
		// the old speed has taken it, then runs at the new one.
		wall := cfg.Now().UTC()
		oldSpeed := st.Speed
		if oldSpeed <= 0 {
			oldSpeed = 1
		}
		st.AnchorMarket = st.AnchorMarket.Add(time.Duration(float64(wall.Sub(st.AnchorWall)) * oldSpeed)).UTC()
		st.AnchorWall, st.Speed = wall, cfg.Speed
	}
	if cfg.StateFile != "" {
		if err := saveState(cfg.StateFile, st); err != nil {
			return nil, err
		}
	}
	e.setState(st)
	go e.ticker()
	return e, nil
}

func (e *Exchange) freshState(market time.Time) *state {
	return &state{
		Version:      1,
		AnchorWall:   e.cfg.Now().UTC(),
		AnchorMarket: market,
		Speed:        e.cfg.Speed,
		Cash:         e.cfg.InitialCash,
		Positions:    make(map[string]*position),
	}
}

func (e *Exchange) setState(st *state) {
	e.st = st
	e.byID = make(map[string]*order, len(st.Orders))
	e.byClient = make(map[string]*order, len(st.Orders))
	for _, o := range st.Orders {
		e.byID[o.ID] = o
		e.byClient[o.ClientOrderID] = o
	}
}

// Close stops background matching. State is already on disk: every change
// is written before it is acknowledged.
func (e *Exchange) Close() error {
	e.closeOnce.Do(func() {
		e.events.stop()
		close(e.stop)
		<-e.done
	})
	return nil
}

func (e *Exchange) ticker() {
	defer close(e.done)
	t := time.NewTicker(matchInterval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.mu.Lock()
			if e.matchLocked() {
				if err := e.saveLocked(); err != nil {
					e.log.Error().Err(err).Msg("exchange: persist after background fill")
				}
			}
			e.mu.Unlock()
		}
	}
}

// marketNow is the exchange's market time, which runs Speed times faster
// than the wall clock from the anchor on.
func (e *Exchange) marketNow() time.Time {
	wall := e.cfg.Now().UTC()
	elapsed := wall.Sub(e.st.AnchorWall)
	return e.st.AnchorMarket.Add(time.Duration(float64(elapsed) * e.cfg.Speed)).UTC()
}

func (e *Exchange) saveLocked() error {
	if e.cfg.StateFile == "" {
		return nil
	}
	return saveState(e.cfg.StateFile, e.st)
}

// priceLocked is the current price of sym, honouring admin overrides and bursts.
func (e *Exchange) priceLocked(sym string, t time.Time) (decimal.Decimal, bool) {
	return e.adjustmentsLocked(sym).price(t)
}

// Run serves an exchange on listen until ctx is done, then shuts down
// gracefully. ready receives the base URL ("http://host:port") once the
// listener is open. Run prints nothing.
func Run(ctx context.Context, cfg Config, listen string, ready func(url string)) error {
	e, err := New(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(e.events.stop)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready("http://" + ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
