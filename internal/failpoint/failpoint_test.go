package failpoint_test

import (
	"strings"
	"testing"

	"github.com/gambler-trader/gambler/internal/failpoint"
)

func TestArmedPointFiresOnItsHitOnce(t *testing.T) {
	var killed []string
	last := ""
	s := failpoint.New(func() { killed = append(killed, last) }, "after-ack:2", " in-checkpoint")
	for _, name := range []string{failpoint.AfterAck, failpoint.InCheckpoint, failpoint.AfterAck, failpoint.AfterAck, failpoint.InCheckpoint} {
		last = name
		s.Hit(name)
	}
	if strings.Join(killed, ",") != "in-checkpoint,after-ack" {
		t.Errorf("fired %v, want in-checkpoint then the second after-ack, each once", killed)
	}
	var nilSet *failpoint.Set
	nilSet.Hit(failpoint.AfterAck) // inert
}

func TestNewPanicsOnAnUnknownPoint(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("an unknown point was armed silently")
		}
	}()
	failpoint.New(func() {}, "after-intnet")
}
