// Package redact hides secrets in text that leaves the process: logs,
// errors and health reasons. A secret is replaced where it stands as a
// whole token, never inside a longer word: a one-letter key must not turn
// https://paper-api.alpaca.markets into http[REDACTED]s://....
package redact

import (
	"sort"
	"strings"
)

// Tokens returns text with every whole-token occurrence of each non-empty
// secret replaced by mask. An occurrence is whole when the characters on
// either side of it do not continue a word the secret's own edge belongs
// to: letters and digits continue letters and digits, so "a" is found in
// "key=a&" but not in "paper".
func Tokens(text, mask string, secrets ...string) string {
	sorted := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			sorted = append(sorted, s)
		}
	}
	// Longer secrets first, so one that contains another is masked whole.
	sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, s := range sorted {
		text = replaceTokens(text, s, mask)
	}
	return text
}

func replaceTokens(text, secret, mask string) string {
	var b strings.Builder
	rest := text
	for {
		i := strings.Index(rest, secret)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		end := i + len(secret)
		whole := (i == 0 || !wordByte(secret[0]) || !wordByte(rest[i-1])) &&
			(end == len(rest) || !wordByte(secret[len(secret)-1]) || !wordByte(rest[end]))
		if whole {
			b.WriteString(rest[:i])
			b.WriteString(mask)
			rest = rest[end:]
			continue
		}
		b.WriteString(rest[:i+1])
		rest = rest[i+1:]
	}
}

// wordByte reports a byte that continues a word: an ASCII letter or digit,
// or any byte of a multi-byte character.
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
