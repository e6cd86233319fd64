package exchange

import (
	"net/http"
	"time"
)

// watchlist is a named list of symbols, kept in the state file.
type watchlist struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Symbols   []string  `json:"symbols"`
}

const accountID = "00000000-0000-4000-8000-000000000001"

type watchlistView struct {
	ID        string      `json:"id"`
	AccountID string      `json:"account_id"`
	Name      string      `json:"name"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	Assets    []assetView `json:"assets,omitempty"`
}

func (wl *watchlist) view(assets bool) watchlistView {
	v := watchlistView{ID: wl.ID, AccountID: accountID, Name: wl.Name, CreatedAt: wl.CreatedAt, UpdatedAt: wl.UpdatedAt}
	if assets {
		v.Assets = []assetView{}
		for _, s := range wl.Symbols {
			v.Assets = append(v.Assets, assetOf(s))
		}
	}
	return v
}

// watchlistBody is the body of POST and PUT: a name and symbols; the
// body of POST to one watchlist: a symbol.
type watchlistBody struct {
	Name    *string  `json:"name"`
	Symbols []string `json:"symbols"`
	Symbol  string   `json:"symbol"`
}

// Watchlist names are unique (Alpaca answers 422 for a second one of a
// name) and at most 64 characters; a symbol is in a list at most once.
const maxWatchlistName = 64

func watchlistNotFound() error { return refuse(refusedNotFound, "watchlist not found") }

func (e *Exchange) findWatchlistLocked(r *http.Request) (*watchlist, error) {
	id, name := r.PathValue("id"), r.URL.Query().Get("name")
	for _, wl := range e.st.Watchlists {
		if (id != "" && wl.ID == id) || (id == "" && wl.Name == name) {
			return wl, nil
		}
	}
	return nil, watchlistNotFound()
}

func (e *Exchange) checkNameLocked(name string, self *watchlist) error {
	if name == "" || len(name) > maxWatchlistName {
		return invalid("name is required and must be at most 64 characters")
	}
	for _, wl := range e.st.Watchlists {
		if wl != self && wl.Name == name {
			return invalid("watchlist name must be unique")
		}
	}
	return nil
}

func (e *Exchange) checkSymbols(syms []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range syms {
		if !e.src.known(s) {
			return nil, invalid("asset \"" + s + "\" not found")
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

func (e *Exchange) handleListWatchlists(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []watchlistView{}
	for _, wl := range e.st.Watchlists {
		out = append(out, wl.view(false))
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Exchange) handleCreateWatchlist(w http.ResponseWriter, r *http.Request) {
	var b watchlistBody
	if err := decodeBody(r, &b); err != nil {
		e.fail(w, err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	name := ""
	if b.Name != nil {
		name = *b.Name
	}
	if err := e.checkNameLocked(name, nil); err != nil {
		e.fail(w, err)
		return
	}
	syms, err := e.checkSymbols(b.Symbols)
	if err != nil {
		e.fail(w, err)
		return
	}
	now := e.marketNow()
	wl := &watchlist{ID: newUUID(), Name: name, CreatedAt: now, UpdatedAt: now, Symbols: syms}
	e.st.Watchlists = append(e.st.Watchlists, wl)
	e.respondSaved(w, http.StatusOK, wl.view(true))
}

// withWatchlist runs change on the watchlist the request names (by id or
// by name), under the lock, and answers with it after saving; a nil
// change only reads it.
func (e *Exchange) withWatchlist(w http.ResponseWriter, r *http.Request, change func(*watchlist) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	wl, err := e.findWatchlistLocked(r)
	if err == nil && change != nil {
		err = change(wl)
	}
	if err != nil {
		e.fail(w, err)
		return
	}
	if change == nil {
		writeJSON(w, http.StatusOK, wl.view(true))
		return
	}
	wl.UpdatedAt = e.marketNow()
	e.respondSaved(w, http.StatusOK, wl.view(true))
}

func (e *Exchange) handleGetWatchlist(w http.ResponseWriter, r *http.Request) {
	e.withWatchlist(w, r, nil)
}

// handleUpdateWatchlist replaces the name and the symbols (PUT): a field
// left out keeps its value.
func (e *Exchange) handleUpdateWatchlist(w http.ResponseWriter, r *http.Request) {
	var b watchlistBody
	if err := decodeBody(r, &b); err != nil {
		e.fail(w, err)
		return
	}
	e.withWatchlist(w, r, func(wl *watchlist) error {
		if b.Name != nil {
			if err := e.checkNameLocked(*b.Name, wl); err != nil {
				return err
			}
		}
		syms, err := e.checkSymbols(b.Symbols)
		if err != nil {
			return err
		}
		if b.Name != nil {
			wl.Name = *b.Name
		}
		if b.Symbols != nil {
			wl.Symbols = syms
		}
		return nil
	})
}

func (e *Exchange) handleAddToWatchlist(w http.ResponseWriter, r *http.Request) {
	var b watchlistBody
	if err := decodeBody(r, &b); err != nil {
		e.fail(w, err)
		return
	}
	e.withWatchlist(w, r, func(wl *watchlist) error {
		if _, err := e.checkSymbols([]string{b.Symbol}); err != nil || b.Symbol == "" {
			return invalid("symbol is required and must be a known asset")
		}
		for _, s := range wl.Symbols {
			if s == b.Symbol {
				return invalid("symbol " + b.Symbol + " is already in the watchlist")
			}
		}
		wl.Symbols = append(wl.Symbols, b.Symbol)
		return nil
	})
}

func (e *Exchange) handleRemoveFromWatchlist(w http.ResponseWriter, r *http.Request) {
	sym := r.PathValue("symbol")
	e.withWatchlist(w, r, func(wl *watchlist) error {
		for i, s := range wl.Symbols {
			if s == sym {
				wl.Symbols = append(wl.Symbols[:i:i], wl.Symbols[i+1:]...)
				return nil
			}
		}
		return refuse(refusedNotFound, "symbol %s is not in the watchlist", sym)
	})
}

func (e *Exchange) handleDeleteWatchlist(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	wl, err := e.findWatchlistLocked(r)
	if err != nil {
		e.fail(w, err)
		return
	}
	for i, x := range e.st.Watchlists {
		if x == wl {
			e.st.Watchlists = append(e.st.Watchlists[:i:i], e.st.Watchlists[i+1:]...)
			break
		}
	}
	e.respondSaved(w, http.StatusNoContent, nil)
}
