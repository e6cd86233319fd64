package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

//go:embed report.html.tmpl
var templates embed.FS

// parseTemplate is called per render: a report is written once per run,
// and the codebase keeps no package-level state.
func parseTemplate() (*template.Template, error) {
	t, err := template.New("report.html.tmpl").Funcs(template.FuncMap{
		"f":       func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
		"money":   money,
		"dollars": dollars,
		"add":     func(a, b float64) float64 { return a + b },
		"half":    func(a, b float64) float64 { return (a + b) / 2 },
		"pct":     pct,
		"exact":   fmtNullDec,
		"time":    fmtTime,
		"timep":   fmtTimePtr,
		"sign":    sign,
		"dash":    orDash,
	}).ParseFS(templates, "report.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse report template: %w", err)
	}
	return t, nil
}

// Render writes r as one self-contained HTML page: inline CSS and SVG, no
// script and no external reference. html/template escapes every value,
// and symbols and exit reasons come from the database.
func Render(w io.Writer, r Report) error {
	t, err := parseTemplate()
	if err != nil {
		return err
	}
	if err := t.Execute(w, r); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

// money shows a summary amount to the cent; tables show exact values.
func money(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.StringFixed(2)
}

// dollars shows a summary amount as dollars to the cent, with thousands
// separators: "$100,549.92", "-$15.20".
func dollars(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	return dollarText(d.Decimal.Abs().StringFixed(2), d.Decimal.Round(2).IsNegative())
}

// pct shows a percentage to two places, or four when it is small enough
// that two would print a flat zero.
func pct(d decimal.NullDecimal) string {
	if !d.Valid {
		return "-"
	}
	if a := d.Decimal.Abs(); a.IsPositive() && a.LessThan(decimal.New(1, -1)) {
		return d.Decimal.StringFixed(4) + "%"
	}
	return d.Decimal.StringFixed(2) + "%"
}

// sign is the CSS class of a P&L figure.
func sign(d decimal.NullDecimal) string {
	switch {
	case !d.Valid:
		return ""
	case d.Decimal.IsPositive():
		return "pos"
	case d.Decimal.IsNegative():
		return "neg"
	default:
		return ""
	}
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmtTime(*t)
}
