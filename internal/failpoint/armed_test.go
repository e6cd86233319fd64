//go:build failpoint

package failpoint_test

import (
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/failpoint"
)

func TestArmedPointFiresOnItsHit(t *testing.T) {
	var killed []string
	last := ""
	s, err := failpoint.New("after-ack:2, in-checkpoint", func() { killed = append(killed, last) })
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{failpoint.AfterAck, failpoint.InCheckpoint, failpoint.AfterAck, failpoint.AfterAck, failpoint.AfterSend} {
		last = name
		s.Hit(name)
	}
	if strings.Join(killed, ",") != "in-checkpoint,after-ack" {
		t.Errorf("fired %v, want in-checkpoint then the second after-ack", killed)
	}
}

func TestUnknownOrMalformedPointsAreRefused(t *testing.T) {
	for _, spec := range []string{"no-such-point", "after-ack:0", "after-ack:x", "after-intent,typo"} {
		if _, err := failpoint.New(spec, func() {}); err == nil {
			t.Errorf("%q was accepted", spec)
		}
	}
	var nilSet *failpoint.Set
	nilSet.Hit(failpoint.AfterAck) // inert
}
