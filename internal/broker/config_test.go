package broker_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/broker"
)

func TestPaperGuard(t *testing.T) {
	cases := []struct {
		url     string
		allowed bool
	}{
		{"", true}, // default: paper
		{"https://paper-api.alpaca.markets", true},
		{"https://PAPER-API.alpaca.markets/", true},
		{"http://127.0.0.1:8765", true},
		{"http://localhost:8765", true},
		{"http://[::1]:8765", true},
		{"https://sim.example.com", true},
		{"https://api.alpaca.markets", false},
		{"https://API.Alpaca.Markets.", false},
		{"https://api.alpaca.markets:443/v2", false},
		{"https://broker-api.alpaca.markets", false},
		{"https://alpaca.markets", false},
		{"https://paper-api.alpaca.markets.evil.com", true}, // not an Alpaca host at all
		{"ftp://paper-api.alpaca.markets", false},
		{"https://user:pw@paper-api.alpaca.markets", false},
		{"://bad", false},
	}
	for _, tc := range cases {
		_, err := broker.New(broker.Config{BaseURL: tc.url})
		if tc.allowed && err != nil {
			t.Errorf("%q refused: %v", tc.url, err)
		}
		if !tc.allowed && err == nil {
			t.Errorf("%q allowed", tc.url)
		}
	}
	_, err := broker.New(broker.Config{BaseURL: "https://api.alpaca.markets"})
	if !errors.Is(err, broker.ErrPaperOnly) || !strings.Contains(err.Error(), "paper-api.alpaca.markets") {
		t.Fatalf("live refusal should be ErrPaperOnly and name the paper host: %v", err)
	}
}

func TestNewRequiresKeyPairTogether(t *testing.T) {
	if _, err := broker.New(broker.Config{KeyID: "id-only"}); err == nil {
		t.Fatal("key id without secret accepted")
	}
}

func TestCredentialsFromEnvPrecedence(t *testing.T) {
	cases := []struct {
		name   string
		env    map[string]string
		want   broker.Credentials
		wantOK bool
	}{
		{"none", map[string]string{}, broker.Credentials{}, false},
		{"alpaca convention", map[string]string{"APCA_API_KEY_ID": "a", "APCA_API_SECRET_KEY": "as"}, broker.Credentials{KeyID: "a", Secret: "as"}, true},
		{"gambler convention", map[string]string{"GAMBLER_ALPACA_KEY_ID": "g", "GAMBLER_ALPACA_SECRET_KEY": "gs"}, broker.Credentials{KeyID: "g", Secret: "gs"}, true},
		{"alpaca wins", map[string]string{
			"APCA_API_KEY_ID": "a", "APCA_API_SECRET_KEY": "as",
			"GAMBLER_ALPACA_KEY_ID": "g", "GAMBLER_ALPACA_SECRET_KEY": "gs",
		}, broker.Credentials{KeyID: "a", Secret: "as"}, true},
		{"pairs are not mixed", map[string]string{"APCA_API_KEY_ID": "a", "GAMBLER_ALPACA_SECRET_KEY": "gs"}, broker.Credentials{}, false},
		{"half alpaca pair falls back", map[string]string{
			"APCA_API_KEY_ID": "a", "GAMBLER_ALPACA_KEY_ID": "g", "GAMBLER_ALPACA_SECRET_KEY": "gs",
		}, broker.Credentials{KeyID: "g", Secret: "gs"}, true},
	}
	for _, tc := range cases {
		got, ok := broker.CredentialsFromEnv(func(k string) string { return tc.env[k] })
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: got %+v %v, want %+v %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
	if s := (broker.Credentials{KeyID: "a", Secret: "topsecret"}).String(); strings.Contains(s, "topsecret") {
		t.Errorf("Credentials.String leaks the secret: %s", s)
	}
}
