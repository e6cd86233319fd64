package reconcile

import (
	"context"
	"fmt"
)

// Options tune Run.
type Options struct {
	// DryRun plans without applying.
	DryRun bool
	// RefuseSideMismatch applies nothing when the first plan holds a side
	// mismatch (resume without --force).
	RefuseSideMismatch bool
}

// maxRounds bounds Run. One round fixes what it sees; what a fix uncovers
// (the legs of an entry whose fill was just recorded, the close of a
// position that fill opened) is fixed by the next. Three rounds reach
// agreement for every combination of drifts Diff knows.
const maxRounds = 3

// Run loads, diffs and applies until the store agrees with the broker,
// a round changes nothing, or maxRounds is reached. The returned plan holds
// the items of every round in order; an item left for a person is reported
// once. A failed read stops at once; rounds before it stay applied.
func (r *Reconciler) Run(ctx context.Context, opts Options) (Plan, error) {
	total := Plan{SessionID: r.SessionID}
	reported := map[string]bool{}
	for round := 0; round < maxRounds; round++ {
		s, b, err := r.Load(ctx)
		if err != nil {
			if round > 0 {
				err = fmt.Errorf("reconcile round %d (earlier rounds were applied): %w", round+1, err)
			}
			return total, err
		}
		plan := Diff(s, b)
		if opts.DryRun || (round == 0 && opts.RefuseSideMismatch && plan.HasClass(ClassSideMismatch)) {
			for i := range plan.Items {
				if !plan.Items[i].untouched() {
					plan.Items[i].Result = ResultPlanned
				}
			}
			total.Items = append(total.Items, plan.Items...)
			return total, nil
		}
		r.Apply(ctx, &plan)
		changed := false
		for _, it := range plan.Items {
			key := string(it.Class) + "|" + it.Symbol + "|" + it.Order
			if it.untouched() && reported[key] {
				continue
			}
			reported[key] = true
			total.Items = append(total.Items, it)
			changed = changed || (!it.untouched() && !it.failed())
		}
		if !changed || plan.Failed() > 0 {
			break
		}
	}
	return total, nil
}
