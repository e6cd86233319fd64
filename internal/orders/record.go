package orders

import (
	"context"
	"errors"
	"fmt"

	"github.com/gambler-trader/gambler/internal/db"
)

// Writer is what Record needs from the store.
type Writer interface {
	UpdateOrder(ctx context.Context, u db.OrderUpdate) error
	ApplyFill(ctx context.Context, e db.FillEffect) (bool, error)
}

// Recorded says what Record did.
type Recorded struct {
	Kind Kind // the kind applied: FillOnly when an open fell back
	// Applied is true when a fill was recorded for the first time.
	Applied bool
}

// Record applies c. A fill is applied exactly once (by its fill id) with
// its effect in the same transaction. When an entry's position cannot be
// opened because the symbol became held meanwhile, the fill and the order
// are still recorded, without the position: the fill row is never lost to
// a conflict. A fill recorded earlier leaves the position as it is and
// brings the journal row up to date.
func Record(ctx context.Context, w Writer, c Change) (Recorded, error) {
	switch c.Kind {
	case Nothing:
		return Recorded{Kind: Nothing}, nil
	case StatusOnly:
		if err := w.UpdateOrder(ctx, c.Update); err != nil {
			return Recorded{}, fmt.Errorf("journal status of %s: %w", c.Update.ClientOrderID, err)
		}
		return Recorded{Kind: StatusOnly}, nil
	}
	e, kind := c.Effect, c.Kind
	applied, err := w.ApplyFill(ctx, e)
	if errors.Is(err, db.ErrConflict) && e.Open != nil {
		e.Open, kind = nil, FillOnly
		applied, err = w.ApplyFill(ctx, e)
	}
	if err != nil {
		return Recorded{}, fmt.Errorf("record fill of %s: %w", c.Update.ClientOrderID, err)
	}
	if !applied {
		if err := w.UpdateOrder(ctx, c.Update); err != nil {
			return Recorded{}, fmt.Errorf("journal %s after its fill: %w", c.Update.ClientOrderID, err)
		}
	}
	return Recorded{Kind: kind, Applied: applied}, nil
}
