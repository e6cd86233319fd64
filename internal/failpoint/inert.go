//go:build !failpoint

package failpoint

// Enabled reports whether this binary has failpoints.
const Enabled = false

// Set has no failpoints in a release build.
type Set struct{}

// FromEnv ignores EnvVar: a release build has no failpoints to arm.
func FromEnv(func(string) string) (*Set, error) { return &Set{}, nil }

// Hit does nothing.
func (*Set) Hit(string) {}
