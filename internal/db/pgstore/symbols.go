package pgstore

import (
	"encoding/json"
	"fmt"
	"strings"
)

// encodeSymbols writes the symbols column as a JSON array.
func encodeSymbols(symbols []string) (string, error) {
	if symbols == nil {
		symbols = []string{}
	}
	b, err := json.Marshal(symbols)
	if err != nil {
		return "", fmt.Errorf("encode symbols: %w", err)
	}
	return string(b), nil
}

// decodeSymbols reads a JSON array or, for rows written by the system this
// replaces, a comma-separated list.
func decodeSymbols(col *string) ([]string, error) {
	if col == nil {
		return nil, nil
	}
	text := strings.TrimSpace(*col)
	if text == "" {
		return nil, nil
	}
	if strings.HasPrefix(text, "[") {
		var out []string
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("decode symbols %q: %w", text, err)
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	var out []string
	for _, s := range strings.Split(text, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}
