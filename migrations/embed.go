// Package migrations embeds the schema for both stores. Version numbers are
// aligned: NNNN in postgres/ and sqlite/ describe the same change.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql in goose format.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
