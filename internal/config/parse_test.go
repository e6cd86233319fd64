package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/config"
)

func TestParseSymbols(t *testing.T) {
	got, err := config.ParseSymbols([]string{" aapl,MSFT", "msft, brk.b"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "AAPL,MSFT,BRK.B" {
		t.Fatalf("got %v", got)
	}
	for _, bad := range []string{"AA'PL", "AAPL;DROP", "TOOLONG", "12", "", " , "} {
		if _, err := config.ParseSymbols([]string{bad}); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
	many := strings.Repeat("A,", 10) // duplicates collapse
	if got, err := config.ParseSymbols([]string{many}); err != nil || len(got) != 1 {
		t.Errorf("duplicates: %v %v", got, err)
	}
}

func TestParseSymbolsTooMany(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 26*26*2; i++ {
		b.WriteString(string(rune('A'+i%26)) + string(rune('A'+(i/26)%26)) + string(rune('A'+i/676)) + ",")
	}
	if _, err := config.ParseSymbols([]string{b.String()}); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("want too-many error, got %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		unit time.Duration
		want time.Duration
		ok   bool
	}{
		{"60", time.Minute, time.Hour, true},
		{"30", time.Second, 30 * time.Second, true},
		{"1.5", time.Hour, 90 * time.Minute, true},
		{"90s", time.Minute, 90 * time.Second, true},
		{"500ms", time.Second, 500 * time.Millisecond, true},
		{"abc", time.Second, 0, false},
		{"", time.Second, 0, false},
		{"1e300", time.Second, 0, false},
		{"NaN", time.Second, 0, false},
	}
	for _, c := range cases {
		got, err := config.ParseDuration(c.in, c.unit)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("ParseDuration(%q) = %v, %v", c.in, got, err)
		}
	}
	for _, bad := range []string{"0", "-5", "-1s"} {
		if _, err := config.ParsePositiveDuration(bad, time.Second); err == nil {
			t.Errorf("ParsePositiveDuration(%q): want error", bad)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"60", "90s", "-1", "1e309", "2h30m", "0.0001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := config.ParsePositiveDuration(s, time.Second)
		if err == nil && d <= 0 {
			t.Fatalf("accepted non-positive %q -> %v", s, d)
		}
	})
}

func FuzzParseSymbols(f *testing.F) {
	for _, s := range []string{"AAPL,MSFT", "a'b", "BRK.B", ";;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		syms, err := config.ParseSymbols([]string{s})
		if err != nil {
			return
		}
		for _, sym := range syms {
			if strings.ContainsAny(sym, "'\";, ") || sym != strings.ToUpper(sym) {
				t.Fatalf("accepted %q from %q", sym, s)
			}
		}
	})
}
