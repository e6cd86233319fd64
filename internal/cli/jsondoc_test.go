package cli

import (
	"encoding"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gambler-trader/gambler/internal/checkpoint"
	"github.com/gambler-trader/gambler/internal/status"
)

// jsonDocuments are the documents --output json prints: a stable contract
// that README's "JSON output" section lists field by field.
var jsonDocuments = []struct {
	name string
	v    any
}{
	{"version", versionInfo{}},
	{"config init", configInitResult{}},
	{"migrate", migrateResult{}},
	{"sessions list", []sessionRow{}},
	{"sessions show", sessionShow{}},
	{"checkpoints list", []checkpointRow{}},
	{"checkpoints show", checkpoint.Restored{}},
	{"checkpoints stats", checkpoint.Stats{}},
	{"checkpoints cleanup", cleanupJSON{}},
	{"reconcile-only", reconcileJSON{}},
	{"trade", tradeStarted{}},
	{"exchange", exchangeReady{}},
	{"status", status.Screen{}},
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// jsonFields lists t's JSON field paths: nested objects as a.b, arrays of
// objects as a[].b; values that marshal themselves are leaves.
func jsonFields(t reflect.Type, prefix string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	leaf := t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() ||
		t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) || t.Implements(textMarshalerType)
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && prefix != "" {
		jsonFields(t.Elem(), prefix+"[]", out)
		return
	}
	if leaf {
		*out = append(*out, prefix)
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" {
			jsonFields(f.Type, prefix, out)
			continue
		}
		name := tag
		if name == "" {
			name = f.Name
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		jsonFields(f.Type, name, out)
	}
}

// TestREADMEListsEveryJSONField: README documents each JSON document with
// exactly the fields the code prints; adding, renaming or removing a field
// means updating the contract.
func TestREADMEListsEveryJSONField(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start := strings.Index(text, "## JSON output")
	if start < 0 {
		t.Fatal(`README.md has no "## JSON output" section`)
	}
	section := text[start+len("## JSON output"):]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	cells := map[string]string{}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)`[^|]*\\| ([^|]*) \\|")
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		cells[m[1]] = m[2]
	}
	for _, d := range jsonDocuments {
		var want []string
		typ := reflect.TypeOf(d.v)
		if typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		jsonFields(typ, "", &want)
		sort.Strings(want)
		got := readmeFields(cells, d.name)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("README.md, JSON output, %s: lists\n  %s\nthe code prints\n  %s", d.name,
				strings.Join(got, " "), "`"+strings.Join(want, "`, `")+"`")
		}
	}
}

// readmeFields expands a README cell: groups separated by "; ", each
// "`a`, `b`", or "`p` and `q`: `a`, `b`" for fields under the prefixes p
// and q, where "as `doc`" stands for another document's fields.
func readmeFields(cells map[string]string, doc string) []string {
	code := regexp.MustCompile("`([^`]+)`")
	var out []string
	for _, group := range strings.Split(cells[doc], "; ") {
		prefixes, fields := []string{""}, group
		if head, rest, ok := strings.Cut(group, ": "); ok {
			prefixes = nil
			for _, m := range code.FindAllStringSubmatch(head, -1) {
				prefixes = append(prefixes, m[1]+".")
			}
			fields = rest
		}
		var names []string
		if other, ok := strings.CutPrefix(fields, "as "); ok {
			names = readmeFields(cells, strings.Trim(other, "`"))
		} else {
			for _, m := range code.FindAllStringSubmatch(fields, -1) {
				names = append(names, m[1])
			}
		}
		for _, p := range prefixes {
			for _, n := range names {
				out = append(out, p+n)
			}
		}
	}
	return out
}
