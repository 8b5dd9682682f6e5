package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Format is a report format.
type Format string

// The report formats.
const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// Formats lists the report formats in the order help texts name them.
func Formats() []Format { return []Format{FormatText, FormatJSON, FormatMarkdown, FormatHTML} }

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: want text, json, markdown or html", s)
}

// RenderOptions tune the text format.
type RenderOptions struct {
	// Color adds ANSI colours to the text format (the caller decides: a terminal, NO_COLOR unset).
	Color bool
}

// Render writes the report in format f.
func Render(w io.Writer, r Report, f Format, o RenderOptions) error {
	switch f {
	case FormatText:
		return renderText(w, r, o.Color)
	case FormatJSON:
		return renderJSON(w, r)
	case FormatMarkdown:
		return renderMarkdown(w, r)
	case FormatHTML:
		return renderHTML(w, r)
	}
	return fmt.Errorf("unknown format %q", f)
}

func renderJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// absentText is how reports show a field that is not set on one side.
const absentText = "(absent)"

// secretNote explains a difference between secret references.
const secretNote = "secret reference differs; values are never shown"

func orAbsent(s string) string {
	if s == "" {
		return absentText
	}
	return s
}

// statusText is the status in words.
func statusText(s Status) string {
	switch s {
	case StatusOnlyLeft:
		return "only in left"
	case StatusOnlyRight:
		return "only in right"
	}
	return string(s)
}

// summaryLine is the one-line summary every format ends or starts with.
func summaryLine(s Summary) string {
	return fmt.Sprintf("%s: %d equal, %d different, %d only in left, %d only in right; %s",
		plural(s.Workloads, "workload"), s.Equal, s.Different, s.OnlyLeft, s.OnlyRight, plural(s.Differences, "difference"))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// ANSI styles of the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// maxLeftWidth caps the padding of the left column, so that one long value does not push every
// right value off the screen.
const maxLeftWidth = 40

type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

func (t *textWriter) style(code, s string) string {
	if !t.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func renderText(w io.Writer, r Report, color bool) error {
	t := &textWriter{w: w, color: color}
	t.printf("%s %s\n", t.style(ansiRed, "--- left: "), r.Left)
	t.printf("%s %s\n", t.style(ansiGreen, "+++ right:"), r.Right)
	for _, wd := range r.Workloads {
		t.printf("\n")
		switch wd.Status {
		case StatusEqual:
			t.printf("%s %s: equal\n", t.style(ansiDim, "="), t.style(ansiBold, wd.Name))
		case StatusOnlyLeft:
			t.printf("%s %s: only in left (%s)\n", t.style(ansiRed, "-"), t.style(ansiBold, wd.Name), strings.Join(wd.LeftSources, ", "))
		case StatusOnlyRight:
			t.printf("%s %s: only in right (%s)\n", t.style(ansiGreen, "+"), t.style(ansiBold, wd.Name), strings.Join(wd.RightSources, ", "))
		case StatusDifferent:
			t.printf("%s %s: %s\n", t.style(ansiYellow, "~"), t.style(ansiBold, wd.Name), plural(len(wd.Differences), "difference"))
			t.printf("    %s\n", t.style(ansiDim, "left:  "+strings.Join(wd.LeftSources, ", ")))
			t.printf("    %s\n", t.style(ansiDim, "right: "+strings.Join(wd.RightSources, ", ")))
			t.differences(wd.Differences)
		}
	}
	t.printf("\n%s\n", summaryLine(r.Summary))
	return t.err
}

func (t *textWriter) differences(ds []Difference) {
	pathW, leftW := 0, 0
	for _, d := range ds {
		pathW = max(pathW, utf8.RuneCountInString(d.Path))
		leftW = max(leftW, min(utf8.RuneCountInString(orAbsent(d.Left)), maxLeftWidth))
	}
	for _, d := range ds {
		left, right := orAbsent(d.Left), orAbsent(d.Right)
		line := fmt.Sprintf("    %s  %s  %s  %s", pad(d.Path, pathW), t.style(ansiRed, left)+spaces(leftW-utf8.RuneCountInString(left)), t.style(ansiDim, "→"), t.style(ansiGreen, right))
		if d.Secret {
			line += "  " + t.style(ansiDim, "("+secretNote+")")
		}
		t.printf("%s\n", line)
	}
}

func pad(s string, w int) string { return s + spaces(w-utf8.RuneCountInString(s)) }

func spaces(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}
