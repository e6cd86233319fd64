package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// devVersion is the version of a build that was not stamped by a release.
const devVersion = "dev"

// Build identifies a release binary: main's linker variables.
type Build struct {
	Version string
	Commit  string
}

// versionInfo is `gambler version -o json` and the labels of
// gambler_build_info.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
}

// buildInfo says which binary this is: the stamped release version and
// commit, else the commit Go recorded when it built from a git checkout.
func (a *App) buildInfo() versionInfo {
	info := versionInfo{Version: a.Build.Version, Commit: a.Build.Commit, GoVersion: runtime.Version()}
	if info.Version == "" {
		info.Version = devVersion
	}
	if info.Commit != "" {
		return info
	}
	info.Commit = "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				info.Commit = s.Value
			}
		}
	}
	return info
}

// line is the version as `gambler version` and `gambler --version` print
// it, after "gambler ".
func (v versionInfo) line() string {
	return fmt.Sprintf("%s (commit %s, %s)", v.Version, v.Commit, v.GoVersion)
}

func newVersionCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version (also: gambler --version)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info := app.buildInfo()
			return app.render(info, func() *table {
				return &table{rows: [][]string{{"gambler " + info.line()}}}
			})
		},
	}
}
