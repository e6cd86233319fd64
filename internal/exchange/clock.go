package exchange

import (
	"net/http"
	"regexp"
	"time"
	_ "time/tzdata" // market hours need America/New_York on machines without zoneinfo
)

func loadNewYork() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil { // unreachable with time/tzdata linked in
		return time.FixedZone("EST", -5*3600)
	}
	return loc
}

// marketOpen reports regular US equity hours: 09:30-16:00 New York time,
// Monday to Friday. Holidays are not modelled.
func marketOpen(t time.Time, newYork *time.Location) bool {
	ny := t.In(newYork)
	if ny.Weekday() == time.Saturday || ny.Weekday() == time.Sunday {
		return false
	}
	mins := ny.Hour()*60 + ny.Minute()
	return mins >= 9*60+30 && mins < 16*60
}

// nextSession returns the next open and close after t under regular hours.
func nextSession(t time.Time, newYork *time.Location) (open, close time.Time) {
	ny := t.In(newYork)
	day := time.Date(ny.Year(), ny.Month(), ny.Day(), 0, 0, 0, 0, newYork)
	for i := 0; i < 8; i++ {
		d := day.AddDate(0, 0, i)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		o := d.Add(9*time.Hour + 30*time.Minute)
		c := d.Add(16 * time.Hour)
		if open.IsZero() && o.After(t) {
			open = o
		}
		if close.IsZero() && c.After(t) {
			close = c
		}
	}
	return open.UTC(), close.UTC()
}

type clockView struct {
	Timestamp time.Time `json:"timestamp"`
	IsOpen    bool      `json:"is_open"`
	NextOpen  time.Time `json:"next_open"`
	NextClose time.Time `json:"next_close"`
}

// handleClock reports market time. Without MarketHours the market never
// closes; next_open and next_close then both name the next UTC midnight.
func (e *Exchange) handleClock(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	now := e.marketNow()
	e.mu.Unlock()
	v := clockView{Timestamp: now, IsOpen: true}
	if e.cfg.MarketHours {
		v.IsOpen = marketOpen(now, e.loc)
		v.NextOpen, v.NextClose = nextSession(now, e.loc)
	} else {
		midnight := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
		v.NextOpen, v.NextClose = midnight, midnight
	}
	writeJSON(w, http.StatusOK, v)
}

// symbolPattern is the symbol rule: one to five upper-case ASCII letters,
// optionally a '.' and a one- or two-letter share class (BRK.B).
var symbolPattern = regexp.MustCompile(`^[A-Z]{1,5}(\.[A-Z]{1,2})?$`)

func validSymbol(s string) bool { return symbolPattern.MatchString(s) }

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
		writeError(w, errf(http.StatusNotFound, codeNotFound, "asset not found for "+sym))
		return
	}
	writeJSON(w, http.StatusOK, assetView{
		ID: assetID(sym), Class: "us_equity", Exchange: "NASDAQ", Symbol: sym, Name: sym + " (simulated)",
		Status: "active", Tradable: true, Marginable: true, MaintenanceMarginRequirement: 30,
		Shortable: true, EasyToBorrow: true, Fractionable: true, Attributes: []string{},
	})
}
