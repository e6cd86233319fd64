package redact_test

import (
	"testing"

	"github.com/gambler-trader/gambler/internal/redact"
)

func TestTokens(t *testing.T) {
	const url = "https://paper-api.alpaca.markets/v2/orders"
	for _, c := range []struct {
		name, text string
		secrets    []string
		want       string
	}{
		{"one-letter key leaves a URL alone", "GET " + url + " failed", []string{"a", "k"}, "GET " + url + " failed"},
		{"one-letter secret as a whole token", "key=a&secret=k", []string{"a", "k"}, "key=X&secret=X"},
		{"secret inside a longer word", "PKABC123 and PKABC1234", []string{"PKABC123"}, "X and PKABC1234"},
		{"secret at both ends", "s3cret", []string{"s3cret"}, "X"},
		{"quoted in JSON", `{"key":"PK1","msg":"bad PK1"}`, []string{"PK1"}, `{"key":"X","msg":"bad X"}`},
		{"secret with symbols at its edges", "password=p@ss/ or xp@ss/", []string{"p@ss/"}, "password=X or xp@ss/"},
		{"longer secret first", "abc abcdef", []string{"abc", "abcdef"}, "X X"},
		{"no secrets", "plain", []string{"", ""}, "plain"},
		{"repeated", "k k k", []string{"k"}, "X X X"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := redact.Tokens(c.text, "X", c.secrets...); got != c.want {
				t.Errorf("Tokens(%q, %q) = %q, want %q", c.text, c.secrets, got, c.want)
			}
		})
	}
}
