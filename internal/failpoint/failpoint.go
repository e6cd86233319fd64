// Package failpoint lets crash tests kill the process at a named point of
// the order and checkpoint paths. Failpoints exist only in binaries built
// with the failpoint build tag (the e2e and chaos tests build gambler that
// way); in the release build Set is empty, Hit does nothing and
// GAMBLER_FAILPOINT is ignored, so no environment variable can make a
// production process kill itself.
package failpoint

// Names of the points the trader passes through.
const (
	AfterIntent       = "after-intent"        // intent journaled, order not yet sent
	AfterSend         = "after-send"          // order sent, acknowledgement not journaled
	AfterAck          = "after-ack"           // acknowledgement journaled
	InCheckpoint      = "in-checkpoint"       // checkpoint being written
	AfterFillObserved = "after-fill-observed" // broker reported a fill, not yet recorded
)

// Names lists every point, for checking what GAMBLER_FAILPOINT arms.
func Names() []string {
	return []string{AfterIntent, AfterSend, AfterAck, InCheckpoint, AfterFillObserved}
}

// EnvVar arms failpoints in a failpoint build: comma separated names,
// each optionally "name:N" to fire on the N-th hit (default the first).
const EnvVar = "GAMBLER_FAILPOINT"
