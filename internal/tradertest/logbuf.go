package tradertest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
)

// LogBuffer collects the JSON log lines of a world, safe for the trader,
// the exchange and the test to share.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Lines returns every log line decoded; lines that are not JSON are
// skipped.
func (l *LogBuffer) Lines() []map[string]any {
	l.mu.Lock()
	text := l.buf.String()
	l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(text, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// Messages returns the lines whose message is msg.
func (l *LogBuffer) Messages(msg string) []map[string]any {
	var out []map[string]any
	for _, m := range l.Lines() {
		if m["message"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// Tail returns the last n lines as text.
func (l *LogBuffer) Tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
