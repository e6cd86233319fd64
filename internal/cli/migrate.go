package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gambler-trader/gambler/internal/db/dbopen"
)

type migrateResult struct {
	Driver        string `json:"driver"`
	Database      string `json:"database"`
	SchemaVersion int64  `json:"schema_version"`
}

func newMigrateCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending schema migrations and print the schema version",
		Long:  "Migrations also run automatically whenever a command opens the database;\nthis command runs them explicitly, e.g. before a deploy.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := app.openWith(cmd.Context(), dbopen.Migrate[func(string) string])
			if err != nil {
				return err
			}
			defer s.Close()
			v, err := s.SchemaVersion(cmd.Context())
			if err != nil {
				return fmt.Errorf("read schema version: %w", err)
			}
			res := migrateResult{Driver: s.Driver(), Database: dbopen.Redact(app.g.DatabaseURL), SchemaVersion: v}
			if res.Database == "" {
				res.Database = "embedded default"
			}
			return app.render(res, func() *table {
				return &table{rows: [][]string{{fmt.Sprintf("schema version %d (%s, %s)", v, res.Driver, res.Database)}}}
			})
		},
	}
}
