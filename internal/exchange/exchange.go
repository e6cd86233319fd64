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

// ErrPriceSourceChanged means a state file was made on other prices than
// the ones configured; Config.ResetPrices accepts the change.
var ErrPriceSourceChanged = errors.New("price source changed")

// Exchange is a simulated Alpaca-compatible broker. All of its methods are
// safe for concurrent use.
type Exchange struct {
	cfg    Config
	log    zerolog.Logger
	src    priceSource
	origin priceOrigin
	cal    *calendar
	faults *faults
	events *events
	lock   *stateLock

	mu       sync.Mutex
	st       *state
	byID     map[string]*order
	byClient map[string]*order

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New builds an exchange, restoring StateFile when it exists. A state file
// is used by one exchange at a time: New takes a lock that Close releases.
func New(cfg Config) (*Exchange, error) {
	cfg = cfg.withDefaults()
	e := &Exchange{
		cfg:    cfg,
		log:    cfg.Logger,
		cal:    newCalendar(),
		faults: newFaults(),
		events: newEvents(),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	start, err := e.openPrices()
	if err != nil {
		return nil, err
	}
	if cfg.StateFile != "" {
		if e.lock, err = lockStateFile(cfg.StateFile, cfg.Now()); err != nil {
			return nil, err
		}
	}
	st, err := e.restore(start)
	if err != nil {
		return nil, errors.Join(err, e.lock.release())
	}
	e.setState(st)
	go e.ticker()
	return e, nil
}

// openPrices opens the price source and returns the market time a fresh
// state starts at.
func (e *Exchange) openPrices() (time.Time, error) {
	if e.cfg.BarsFile == "" {
		e.src = newGenerator(e.cfg.Seed)
		e.origin = priceOrigin{Kind: "generated", Seed: e.cfg.Seed}
		return e.cfg.Now().UTC(), nil
	}
	fs, err := loadBarsFile(e.cfg.BarsFile, e.cal)
	if err != nil {
		return time.Time{}, err
	}
	e.src = fs
	e.origin = priceOrigin{Kind: "bars_file", BarsFile: e.cfg.BarsFile, SHA256: fs.sha256}
	return fs.start, nil
}

// restore loads the state file (or starts a fresh state), checks that it
// was made on the same prices, and writes it back upgraded.
func (e *Exchange) restore(start time.Time) (*state, error) {
	st, err := loadState(e.cfg.StateFile)
	if err != nil {
		return nil, err
	}
	if st == nil {
		st = e.freshState(start)
	} else if err := e.resume(st); err != nil {
		return nil, err
	}
	if e.cfg.StateFile != "" {
		if err := saveState(e.cfg.StateFile, st); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// resume carries a restored state over to this run's configuration.
func (e *Exchange) resume(st *state) error {
	if st.Prices != nil && !st.Prices.same(e.origin) {
		if !e.cfg.ResetPrices {
			return fmt.Errorf("%w: state file %s was made on %s, and this exchange is given %s; "+
				"restart it on the same prices, or pass --reset-prices to keep the account and its orders on the new prices",
				ErrPriceSourceChanged, e.cfg.StateFile, st.Prices, e.origin)
		}
		e.log.Warn().Str("was", st.Prices.String()).Str("now", e.origin.String()).
			Msg("exchange: prices reset; open orders and positions now trade on the new prices")
	}
	o := e.origin
	st.Prices = &o
	if st.Speed != e.cfg.Speed {
		// Restarted at another speed: market time continues from where
		// the old speed has taken it, then runs at the new one.
		wall := e.cfg.Now().UTC()
		oldSpeed := st.Speed
		if oldSpeed <= 0 {
			oldSpeed = 1
		}
		st.AnchorMarket = st.AnchorMarket.Add(time.Duration(float64(wall.Sub(st.AnchorWall)) * oldSpeed)).UTC()
		st.AnchorWall, st.Speed = wall, e.cfg.Speed
	}
	if st.Version < stateVersion {
		// A version 1 state never walked price paths: start from now.
		st.MatchedTo = st.marketAt(e.cfg.Now())
		st.Version = stateVersion
	}
	return nil
}

func (e *Exchange) freshState(market time.Time) *state {
	o := e.origin
	return &state{
		Version:      stateVersion,
		AnchorWall:   e.cfg.Now().UTC(),
		AnchorMarket: market,
		Speed:        e.cfg.Speed,
		Cash:         e.cfg.InitialCash,
		Positions:    make(map[string]*position),
		MatchedTo:    market,
		Prices:       &o,
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

// Close stops background matching and releases the state file. State is
// already on disk: every change is written before it is acknowledged.
func (e *Exchange) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.events.stop()
		close(e.stop)
		<-e.done
		err = e.lock.release()
	})
	return err
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
func (e *Exchange) marketNow() time.Time { return e.st.marketAt(e.cfg.Now()) }

func (st *state) marketAt(wall time.Time) time.Time {
	speed := st.Speed
	if speed <= 0 {
		speed = 1
	}
	elapsed := wall.UTC().Sub(st.AnchorWall)
	return st.AnchorMarket.Add(time.Duration(float64(elapsed) * speed)).UTC()
}

func (e *Exchange) saveLocked() error {
	if e.cfg.StateFile == "" {
		return nil
	}
	return saveState(e.cfg.StateFile, e.st)
}

// priceLocked is the current price of sym: the last point of its price
// path, honouring admin overrides and bursts.
func (e *Exchange) priceLocked(sym string, t time.Time) (decimal.Decimal, bool) {
	return e.adjustmentsLocked(sym).priceAt(t)
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
