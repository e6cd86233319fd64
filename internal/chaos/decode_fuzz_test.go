package chaos

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/db"
)

// FuzzCheckpointDecode feeds arbitrary payloads to checkpoint.Decode, the
// function resume and `checkpoints show` trust. It must never panic; a row
// whose checksum does not match is never verified; a verified row's
// payloads parse, and its positions come sorted by symbol.
func FuzzCheckpointDecode(f *testing.F) {
	f.Add([]byte(`{"AAPL":{"id":1,"symbol":"AAPL","entry_price":"187.5","qty":"10","side":"buy","stop_loss":"183.75","status":"active"}}`),
		[]byte(`{"portfolio_value":"100000","cash":"1e5","strategy_params":{"max_positions":3}}`), false)
	f.Add([]byte(`{}`), []byte(`null`), false)
	f.Add([]byte(`{"MSFT":{"qty":5,"order_id":12345},"AAPL":{"qty":"1"}}`), []byte(``), true)
	f.Add([]byte(`{"AAPL": {not json`), []byte(`{}`), false)
	f.Add([]byte(`[]`), []byte(`[1,2]`), false)
	f.Add([]byte(`{"A":{"entry_price":"1e999999999"}}`), []byte(`{"portfolio_value":1e400}`), false)
	f.Add([]byte(" \n{}\t"), []byte("  {\"x\":\"\\ud800\"}  "), false)
	f.Fuzz(func(t *testing.T, positions, account []byte, tamper bool) {
		sum := db.Checksum(bytes.TrimSpace(positions), bytes.TrimSpace(account))
		if tamper {
			sum = "0" + sum[1:]
			if sum == db.Checksum(bytes.TrimSpace(positions), bytes.TrimSpace(account)) {
				sum = "1" + sum[1:]
			}
		}
		seq := int64(3)
		c := db.Checkpoint{CheckpointMeta: db.CheckpointMeta{ID: 7, SessionID: "s", CheckpointTime: time.Unix(0, 0),
			Sequence: &seq, Checksum: sum}, PositionsSnapshot: positions, AccountSnapshot: account}
		r := checkpoint.Decode(c)
		if tamper && r.Verified {
			t.Fatalf("a row with a wrong checksum was verified")
		}
		if r.Verified != (r.Problem == "") {
			t.Fatalf("verified %v with problem %q", r.Verified, r.Problem)
		}
		if !sort.SliceIsSorted(r.Positions, func(i, j int) bool { return r.Positions[i].Symbol < r.Positions[j].Symbol }) {
			t.Fatalf("positions not sorted by symbol")
		}
		if !r.Verified {
			return
		}
		var ps map[string]checkpoint.Position
		if err := json.Unmarshal(positions, &ps); err != nil {
			t.Fatalf("verified, but positions do not parse: %v", err)
		}
		if len(r.Positions) != len(ps) {
			t.Fatalf("decoded %d positions from a payload of %d", len(r.Positions), len(ps))
		}
		if acct := bytes.TrimSpace(account); len(acct) > 0 && !bytes.Equal(acct, []byte("null")) && !json.Valid(acct) {
			t.Fatalf("verified, but the account payload is not JSON")
		}
	})
}
