package exchange

import (
	"net/http"
	"time"
)

func (e *Exchange) handleAccount(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	writeJSON(w, http.StatusOK, e.accountLocked(e.marketNow()))
}

type clockView struct {
	Timestamp time.Time `json:"timestamp"`
	IsOpen    bool      `json:"is_open"`
	NextOpen  time.Time `json:"next_open"`
	NextClose time.Time `json:"next_close"`
}

// handleClock reports market time in New York's offset, as Alpaca does.
// Under market hours it follows the NYSE calendar; without them the market
// never closes, and next_open and next_close both name the next UTC
// midnight.
func (e *Exchange) handleClock(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	now := e.marketNow()
	e.mu.Unlock()
	ny := e.cal.ny
	v := clockView{Timestamp: now.In(ny), IsOpen: true}
	if e.cfg.MarketHours {
		td := e.cal.sessionFrom(now)
		v.IsOpen = !now.Before(td.open)
		v.NextClose = td.close.In(ny)
		v.NextOpen = td.open.In(ny)
		if v.IsOpen {
			v.NextOpen = e.cal.nextDay(td.date).open.In(ny)
		}
	} else {
		midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
		v.NextOpen, v.NextClose = midnight, midnight
	}
	writeJSON(w, http.StatusOK, v)
}

type assetView struct {
	ID                           string   `json:"id"`
	Class                        string   `json:"class"`
	Exchange                     string   `json:"exchange"`
	Symbol                       string   `json:"symbol"`
	Name                         string   `json:"name"`
	Status                       string   `json:"status"`
	Tradable                     bool     `json:"tradable"`
	Marginable                   bool     `json:"marginable"`
	MaintenanceMarginRequirement uint     `json:"maintenance_margin_requirement"`
	Shortable                    bool     `json:"shortable"`
	EasyToBorrow                 bool     `json:"easy_to_borrow"`
	Fractionable                 bool     `json:"fractionable"`
	Attributes                   []string `json:"attributes"`
}

func (e *Exchange) handleAsset(w http.ResponseWriter, r *http.Request) {
	sym := r.PathValue("symbol")
	if !e.src.known(sym) {
		e.fail(w, refuse(refusedNotFound, "asset not found for %s", sym))
		return
	}
	writeJSON(w, http.StatusOK, assetView{
		ID: assetID(sym), Class: "us_equity", Exchange: "NASDAQ", Symbol: sym, Name: sym + " (simulated)",
		Status: "active", Tradable: true, Marginable: true, MaintenanceMarginRequirement: 30,
		Shortable: true, EasyToBorrow: true, Fractionable: true, Attributes: []string{},
	})
}
