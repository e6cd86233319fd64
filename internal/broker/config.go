package broker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/gambler-trader/gambler/internal/clock"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultBaseURL        = "https://paper-api.alpaca.markets"
	DefaultDataURL        = "https://data.alpaca.markets"
	DefaultFeed           = "iex"
	DefaultRateLimit      = 200 // requests per minute, Alpaca's limit
	DefaultRateBurst      = 5
	DefaultTimeout        = 10 * time.Second
	DefaultMaxRetries     = 5
	DefaultRetryBaseDelay = 250 * time.Millisecond
	DefaultRetryMaxDelay  = 8 * time.Second
	// maxHeaderWait caps a wait derived from X-Ratelimit-Reset so that a
	// bogus header cannot stall the trader for hours.
	maxHeaderWait = 90 * time.Second
)

const paperHost = "paper-api.alpaca.markets"

// Config configures the Alpaca adapter. Zero fields take the defaults above.
type Config struct {
	KeyID  string
	Secret string
	// BaseURL is the trading API. It defaults to Alpaca paper; any other
	// *.alpaca.markets host (live trading) is refused. Other hosts, such as
	// the simulated exchange on loopback, are allowed.
	BaseURL string
	DataURL string
	Feed    string
	// RateLimit is the client-side budget in requests per minute shared by
	// all calls; RateBurst is the bucket size.
	RateLimit int
	RateBurst int
	// Timeout bounds each HTTP request (sending it and reading its response
	// body); the official client's REST methods take no context, so the
	// adapter injects the caller's context and this deadline through its
	// transport. Waiting for the rate limiter is not counted.
	Timeout time.Duration
	// MaxRetries is how many times a failed call is retried (so at most
	// MaxRetries+1 attempts); a negative value disables retries.
	MaxRetries     int
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	Logger         zerolog.Logger
	// HTTPClient optionally supplies the transport (and jar/redirect
	// policy); its Timeout is ignored in favour of Timeout.
	HTTPClient *http.Client
	// Sleep waits for d or until ctx is done; tests inject a recorder.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter maps a backoff delay to the delay actually slept.
	Jitter func(d time.Duration) time.Duration
	// Now is the clock used to interpret X-Ratelimit-Reset and to time
	// requests.
	Now func() time.Time
	// Observer, when set, is told about each HTTP attempt and each
	// rate-limit wait.
	Observer Observer
}

// Credentials is an Alpaca key pair.
type Credentials struct {
	KeyID  string
	Secret string
}

// String never prints the secret.
func (c Credentials) String() string {
	if c.KeyID == "" {
		return "credentials(none)"
	}
	return "credentials(key id set, secret redacted)"
}

// CredentialsFromEnv reads Alpaca's own APCA_API_KEY_ID / APCA_API_SECRET_KEY
// and falls back to GAMBLER_ALPACA_KEY_ID / GAMBLER_ALPACA_SECRET_KEY. A pair
// is taken whole from one convention; ok is false when neither has both.
func CredentialsFromEnv(getenv func(string) string) (Credentials, bool) {
	pairs := [][2]string{
		{"APCA_API_KEY_ID", "APCA_API_SECRET_KEY"},
		{"GAMBLER_ALPACA_KEY_ID", "GAMBLER_ALPACA_SECRET_KEY"},
	}
	for _, p := range pairs {
		id, secret := strings.TrimSpace(getenv(p[0])), strings.TrimSpace(getenv(p[1]))
		if id != "" && secret != "" {
			return Credentials{KeyID: id, Secret: secret}, true
		}
	}
	return Credentials{}, false
}

// CheckPaperURL refuses live Alpaca trading hosts. It accepts the paper
// host and any non-Alpaca host (the simulated exchange).
func CheckPaperURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("broker: invalid base URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("broker: base URL %q must be http or https", raw)
	}
	if u.User != nil {
		return fmt.Errorf("broker: base URL must not carry credentials")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return fmt.Errorf("broker: base URL %q has no host", raw)
	}
	if host == paperHost {
		return nil
	}
	if host == "alpaca.markets" || strings.HasSuffix(host, ".alpaca.markets") {
		return fmt.Errorf("%w: refusing %s (use https://%s or the simulated exchange)", ErrPaperOnly, host, paperHost)
	}
	return nil
}

func (cfg Config) withDefaults() Config {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.DataURL == "" {
		cfg.DataURL = DefaultDataURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.DataURL = strings.TrimRight(cfg.DataURL, "/")
	if cfg.Feed == "" {
		cfg.Feed = DefaultFeed
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = DefaultRateBurst
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = DefaultRetryBaseDelay
	}
	if cfg.RetryMaxDelay <= 0 {
		cfg.RetryMaxDelay = DefaultRetryMaxDelay
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = clock.Real{}.Sleep
	}
	if cfg.Jitter == nil {
		cfg.Jitter = equalJitter
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	return cfg
}

// equalJitter keeps half the delay and randomises the other half, so that
// clients backing off together spread out but still back off.
func equalJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half)
}
