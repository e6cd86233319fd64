package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/report"
)

func newReportCmd(app *App) *cobra.Command {
	var path string
	c := &cobra.Command{
		Use:   "report [ID] --html FILE",
		Short: "Write a session's report (summary, equity curve, drawdown, trades) as one self-contained HTML file",
		Long: `Writes one HTML file with no external assets and no JavaScript: the summary,
the session's equity curve with every entry and exit marked, the drawdown
from the running peak, the closed trades and the open positions. The curve
is the session's own value (starting capital plus realized and unrealized
P&L, never the account's) at every fill, entry and exit, each run's start
and each checkpoint, valued from its positions and the prices the trader
recorded; checkpoint cleanup does not thin it. Every time on the page is
market time (the broker's clock); the session's wall-clock span is stated
once. The default session is the most recently started one. --html -
writes to stdout; a file is written atomically with mode 0644.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: app.completeSessionArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			if path == "" {
				return usageError("--html FILE is required (- writes to stdout)")
			}
			ctx := cmd.Context()
			s, sess, err := app.openSession(ctx, firstArg(args))
			if err != nil {
				return err
			}
			defer s.Close()
			log := app.logger()
			r, err := report.Build(ctx, s, sess, app.Now(), log)
			if err != nil {
				return err
			}
			if path == "-" {
				return report.Render(app.IO.Out, r)
			}
			if err := writeFileAtomic(path, 0o644, func(w io.Writer) error { return report.Render(w, r) }); err != nil {
				return err
			}
			abs, err := filepath.Abs(path)
			if err != nil {
				abs = path
			}
			log.Info().Str("session", sess.ID).Str("file", abs).Int("points", len(r.Curve.Points)).
				Int("closed_trades", len(r.Closed)).Int("open_positions", len(r.Open)).Msg("report written")
			return nil
		},
	}
	app.bind(c, stringOpt(&path, "html", "", "write the HTML report to this file; - writes to stdout").named("file"))
	return c
}

// writeFileAtomic writes through a temp file in the target's directory and
// renames it over the target, so a reader (or a browser reloading) never
// sees half a report and a failed run leaves the old file in place.
func writeFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	bw := bufio.NewWriter(tmp)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
