package e2e

import (
	"testing"
)

// NewKeyedEnv is NewEnv on a database the caller made (dbURL, which may
// carry a password) with an exchange that requires the API keys keyID and
// secret. The gambler processes get the keys through Alpaca's environment
// variables by passing KeyEnv to Start or Run.
func NewKeyedEnv(t testing.TB, dbURL, keyID, secret string) *Env {
	t.Helper()
	e := &Env{T: t, Dir: t.TempDir(), DBURL: dbURL}
	e.Exchange = StartExchange(t, e.Dir, "--speed", "60", "--seed", "7", "--key-id", keyID, "--secret", secret)
	e.connect(keyID, secret)
	return e
}

// KeyEnv is the environment that hands a gambler process the API keys.
func KeyEnv(keyID, secret string) []string {
	return []string{"APCA_API_KEY_ID=" + keyID, "APCA_API_SECRET_KEY=" + secret}
}

// ExchangeLogs is everything the exchange process wrote.
func (x *Exchange) ExchangeLogs() string {
	return x.proc.Stdout() + x.proc.Stderr()
}
