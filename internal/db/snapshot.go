package db

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// SnapshotPosition is one entry of positions_snapshot, keyed by symbol. The
// field names are the ones the replaced system wrote, so its readers keep
// working. Decimals are JSON numbers written from their exact text.
type SnapshotPosition struct {
	ID         int64        `json:"id"`
	Symbol     string       `json:"symbol"`
	EntryTime  string       `json:"entry_time"`
	EntryPrice json.Number  `json:"entry_price"`
	Qty        json.Number  `json:"qty"`
	Direction  string       `json:"direction"`
	Side       string       `json:"side"`
	StopLoss   *json.Number `json:"stop_loss"`
	TakeProfit *json.Number `json:"take_profit"`
	OrderID    *string      `json:"order_id"`
	Status     string       `json:"status"`
}

// PositionsSnapshot renders active positions as the positions_snapshot JSON
// object keyed by symbol. Both drivers use it so the stored text, and hence
// the checksum, is the same on SQLite and PostgreSQL.
//
// The bytes are exactly those json.Marshal wrote for a
// map[string]SnapshotPosition (keys sorted, the last position of a repeated
// symbol wins, HTML-safe string escapes), since the checksums of existing
// rows were computed over them; it is written by hand because checkpoints
// are created every few seconds and reflection dominated the cost.
func PositionsSnapshot(positions []Position) ([]byte, error) {
	order := make([]int, len(positions))
	for i := range order {
		order[i] = i
	}
	// Stable, so that among equal symbols the last one written is last.
	slices.SortStableFunc(order, func(a, b int) int {
		return strings.Compare(positions[a].Symbol, positions[b].Symbol)
	})
	buf := make([]byte, 0, 2+len(positions)*snapshotEntrySize)
	buf = append(buf, '{')
	first := true
	for k, i := range order {
		if k+1 < len(order) && positions[order[k+1]].Symbol == positions[i].Symbol {
			continue // a later position of the same symbol replaces this one
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendSnapshotEntry(buf, &positions[i])
	}
	return append(buf, '}'), nil
}

// snapshotEntrySize is a typical entry's length, to size the buffer once.
const snapshotEntrySize = 280

func appendSnapshotEntry(buf []byte, p *Position) []byte {
	buf = appendJSONString(buf, p.Symbol)
	buf = append(buf, `:{"id":`...)
	buf = strconv.AppendInt(buf, p.ID, 10)
	buf = append(buf, `,"symbol":`...)
	buf = appendJSONString(buf, p.Symbol)
	buf = append(buf, `,"entry_time":"`...)
	buf = p.EntryTime.UTC().AppendFormat(buf, time.RFC3339Nano) // needs no escaping
	buf = append(buf, `","entry_price":`...)
	buf = appendDecimal(buf, p.EntryPrice)
	buf = append(buf, `,"qty":`...)
	buf = appendDecimal(buf, p.Qty)
	buf = append(buf, `,"direction":`...)
	buf = appendJSONString(buf, p.Direction)
	buf = append(buf, `,"side":`...)
	buf = appendJSONString(buf, p.Side)
	buf = append(buf, `,"stop_loss":`...)
	buf = appendNullDecimal(buf, p.StopLoss)
	buf = append(buf, `,"take_profit":`...)
	buf = appendNullDecimal(buf, p.TakeProfit)
	buf = append(buf, `,"order_id":`...)
	if p.OrderID == "" {
		buf = append(buf, "null"...)
	} else {
		buf = appendJSONString(buf, p.OrderID)
	}
	buf = append(buf, `,"status":`...)
	buf = appendJSONString(buf, p.Status)
	return append(buf, '}')
}

// appendNullDecimal writes a decimal's exact text as a JSON number; its
// String form is always a valid one (digits, optional sign and point).
func appendNullDecimal(buf []byte, d decimal.NullDecimal) []byte {
	if !d.Valid {
		return append(buf, "null"...)
	}
	return appendDecimal(buf, d.Decimal)
}

// appendDecimal appends d.String() without its allocations for the usual
// prices and quantities (a coefficient of at most 18 digits and a
// non-positive exponent); anything else, or changed package-level
// formatting options, takes d.String() itself.
func appendDecimal(buf []byte, d decimal.Decimal) []byte {
	exp := d.Exponent()
	if exp > 0 || exp < -64 || d.NumDigits() > 18 || !decimal.TrimTrailingZeros || decimal.UseScientificNotation {
		return append(buf, d.String()...)
	}
	c := d.CoefficientInt64()
	if c < 0 {
		buf = append(buf, '-')
		c = -c
	}
	var tmp [20]byte
	digits := strconv.AppendInt(tmp[:0], c, 10)
	scale := int(-exp)
	if scale == 0 {
		return append(buf, digits...)
	}
	intPart, frac, leading := []byte{'0'}, digits, scale-len(digits)
	if len(digits) > scale {
		intPart, frac, leading = digits[:len(digits)-scale], digits[len(digits)-scale:], 0
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	buf = append(buf, intPart...)
	if len(frac) == 0 {
		return buf
	}
	buf = append(buf, '.')
	for range leading {
		buf = append(buf, '0')
	}
	return append(buf, frac...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping on:
// <, > and & as \u00XX, control characters short or \u00XX, invalid UTF-8
// as \ufffd, and U+2028/U+2029 escaped.
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// Checksum is the hex SHA-256 of a checkpoint's canonical payload: the
// positions JSON text, a newline, and the account JSON text, exactly as
// stored.
func Checksum(positionsJSON, accountJSON []byte) string {
	h := sha256.New()
	h.Write(positionsJSON)
	h.Write([]byte{'\n'})
	h.Write(accountJSON)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify reports whether c's stored checksum matches its payload. Rows
// without a checksum (written by other tools) are accepted as they are.
func (c Checkpoint) Verify() bool {
	if c.Checksum == "" {
		return true
	}
	return Checksum(bytes.TrimSpace(c.PositionsSnapshot), bytes.TrimSpace(c.AccountSnapshot)) == c.Checksum
}
