package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionInfo is `gambler version -o json`.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
}

// version is the App's version, "dev" when main stamped none, with the
// commit the Go toolchain recorded.
func (a *App) version() versionInfo {
	info := versionInfo{Version: a.Version, Commit: "unknown", GoVersion: runtime.Version()}
	if info.Version == "" {
		info.Version = "dev"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				info.Commit = s.Value
			}
		}
	}
	return info
}

func (v versionInfo) line() string {
	return fmt.Sprintf("%s (commit %s, %s)", v.Version, v.Commit, v.GoVersion)
}

func newVersionCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version (also: gambler --version)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info := app.version()
			return app.render(info, func() *table {
				return &table{rows: [][]string{{"gambler " + info.line()}}}
			})
		},
	}
}
