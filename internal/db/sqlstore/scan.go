package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/gambler-trader/gambler/internal/db"
)

// Scan destinations that accept what either database returns for a column:
// PostgreSQL gives times as time.Time and numerics as text, SQLite gives
// both as the text gambler (or another tool) wrote, and any nullable
// column of a row written by the replaced system may be NULL. Each is a
// database/sql Scanner, which both drivers honour.

type timeDest struct{ t *time.Time }

// scanTime reads a time; NULL is the zero time.
func scanTime(t *time.Time) *timeDest { return &timeDest{t} }

func (d *timeDest) Scan(src any) error {
	t, err := timeOf(src)
	if err != nil {
		return err
	}
	if t == nil {
		*d.t = time.Time{}
		return nil
	}
	*d.t = *t
	return nil
}

type timePtrDest struct{ t **time.Time }

// scanTimePtr reads a nullable time.
func scanTimePtr(t **time.Time) *timePtrDest { return &timePtrDest{t} }

func (d *timePtrDest) Scan(src any) error {
	t, err := timeOf(src)
	*d.t = t
	return err
}

// timeLayouts are tried in order for times stored as text: gambler's own
// first, then what other tools write (SQLite's datetime() text, Python's
// isoformat, plain RFC 3339). A time without a zone is UTC.
var timeLayouts = [...]string{
	db.TimeFormat,
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

func timeOf(src any) (*time.Time, error) {
	var text string
	switch v := src.(type) {
	case nil:
		return nil, nil
	case time.Time:
		u := v.UTC()
		return &u, nil
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return nil, fmt.Errorf("time column holds %T", src)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, text); err == nil {
			u := t.UTC()
			return &u, nil
		}
	}
	return nil, fmt.Errorf("unrecognised time %q", text)
}

type decDest struct{ d *decimal.Decimal }

// scanDec reads a decimal; NULL is zero.
func scanDec(d *decimal.Decimal) *decDest { return &decDest{d} }

func (d *decDest) Scan(src any) error {
	v, err := decOf(src)
	*d.d = v.Decimal
	return err
}

type nullDecDest struct{ d *decimal.NullDecimal }

// scanNullDec reads a nullable decimal.
func scanNullDec(d *decimal.NullDecimal) *nullDecDest { return &nullDecDest{d} }

func (d *nullDecDest) Scan(src any) error {
	v, err := decOf(src)
	*d.d = v
	return err
}

func decOf(src any) (decimal.NullDecimal, error) {
	var text string
	switch v := src.(type) {
	case nil:
		return decimal.NullDecimal{}, nil
	case string:
		text = v
	case []byte:
		text = string(v)
	case int64:
		return decimal.NewNullDecimal(decimal.NewFromInt(v)), nil
	case float64:
		// A REAL another tool wrote into SQLite; its shortest text is
		// what that tool meant.
		text = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return decimal.NullDecimal{}, fmt.Errorf("decimal column holds %T", src)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return decimal.NullDecimal{}, nil
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		return decimal.NullDecimal{}, fmt.Errorf("decimal %q: %w", text, err)
	}
	return decimal.NewNullDecimal(d), nil
}

type strDest struct{ s *string }

// scanStr reads text; NULL is "".
func scanStr(s *string) *strDest { return &strDest{s} }

func (d *strDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = v
	case []byte:
		*d.s = string(v)
	case int64:
		*d.s = strconv.FormatInt(v, 10)
	default:
		return fmt.Errorf("text column holds %T", src)
	}
	return nil
}

type bytesDest struct{ b *[]byte }

// scanBytes reads the text of a JSON column, copied; NULL is nil.
func scanBytes(b *[]byte) *bytesDest { return &bytesDest{b} }

func (d *bytesDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.b = nil
	case string:
		*d.b = []byte(v)
	case []byte:
		*d.b = append([]byte(nil), v...)
	default:
		return fmt.Errorf("JSON column holds %T", src)
	}
	return nil
}

type intDest[T int | int64] struct{ n *T }

// scanInt reads an integer; NULL is 0.
func scanInt[T int | int64](n *T) *intDest[T] { return &intDest[T]{n} }

func (d *intDest[T]) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.n = 0
	case int64:
		*d.n = T(v)
	case int32:
		*d.n = T(v)
	case float64:
		*d.n = T(v)
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Errorf("integer %q: %w", v, err)
		}
		*d.n = T(n)
	default:
		return fmt.Errorf("integer column holds %T", src)
	}
	return nil
}

type intPtrDest struct{ n **int64 }

// scanIntPtr reads a nullable integer.
func scanIntPtr(n **int64) *intPtrDest { return &intPtrDest{n} }

func (d *intPtrDest) Scan(src any) error {
	if src == nil {
		*d.n = nil
		return nil
	}
	var v int64
	if err := scanInt(&v).Scan(src); err != nil {
		return err
	}
	*d.n = &v
	return nil
}

type floatPtrDest struct{ f **float64 }

// scanFloatPtr reads a nullable floating-point number.
func scanFloatPtr(f **float64) *floatPtrDest { return &floatPtrDest{f} }

func (d *floatPtrDest) Scan(src any) error {
	var v float64
	switch x := src.(type) {
	case nil:
		*d.f = nil
		return nil
	case float64:
		v = x
	case float32:
		v = float64(x)
	case int64:
		v = float64(x)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return fmt.Errorf("number %q: %w", x, err)
		}
		v = f
	default:
		return fmt.Errorf("number column holds %T", src)
	}
	*d.f = &v
	return nil
}

// encodeSymbols writes the symbols column as a JSON array; no symbols are
// NULL.
func encodeSymbols(symbols []string) (any, error) {
	if len(symbols) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(symbols)
	if err != nil {
		return nil, fmt.Errorf("encode symbols: %w", err)
	}
	return string(b), nil
}

// decodeSymbols reads a JSON array or, as the replaced system wrote, a
// comma-separated list.
func decodeSymbols(text string) ([]string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var out []string
	if strings.HasPrefix(text, "[") {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("symbols %q: %w", text, err)
		}
	} else {
		for _, s := range strings.Split(text, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
