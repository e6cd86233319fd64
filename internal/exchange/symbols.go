package exchange

import (
	"fmt"
	"regexp"
)

// symbolPattern is the symbol rule: one to five upper-case ASCII letters,
// optionally a '.' and a one- or two-letter share class (BRK.B).
var symbolPattern = regexp.MustCompile(`^[A-Z]{1,5}(\.[A-Z]{1,2})?$`)

func validSymbol(s string) bool { return symbolPattern.MatchString(s) }

// assetID is a stable UUID-shaped id for a symbol.
func assetID(sym string) string {
	h1, h2 := mix(symHash(sym), 1), mix(symHash(sym), 2)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", h1>>32, h1>>16&0xffff, h1&0xfff, h2>>52, h2&0xffffffffffff)
}
