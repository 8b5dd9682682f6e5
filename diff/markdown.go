package diff

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"
)

// maxMarkdownBytes keeps a Markdown report within a GitHub pull-request comment (65,536
// characters), with room for what a CI job adds around it.
const maxMarkdownBytes = 60000

// renderMarkdown writes a report for a pull-request comment: the summary, a table of workloads,
// then one collapsed section per different workload with a path | left | right table. Sections
// that would take the comment over the size limit are left out, and the report says so.
func renderMarkdown(w io.Writer, r Report) error {
	var b bytes.Buffer
	b.WriteString("## podecs diff\n\n")
	fmt.Fprintf(&b, "**left:** %s  \n**right:** %s\n\n", codeSpan(r.Left, false), codeSpan(r.Right, false))
	b.WriteString("| workloads | equal | different | only in left | only in right | differences |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|\n")
	s := r.Summary
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d |\n\n", s.Workloads, s.Equal, s.Different, s.OnlyLeft, s.OnlyRight, s.Differences)
	if len(r.Workloads) > 0 {
		b.WriteString("| workload | status | differences |\n|---|---|---:|\n")
		for _, wd := range r.Workloads {
			n := ""
			if wd.Status == StatusDifferent {
				n = fmt.Sprint(len(wd.Differences))
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", codeSpan(wd.Name, true), statusText(wd.Status), n)
		}
	}
	omitted := 0
	for _, wd := range r.Workloads {
		if wd.Status != StatusDifferent {
			continue
		}
		sec := markdownSection(wd)
		if omitted > 0 || b.Len()+len(sec) > maxMarkdownBytes {
			omitted++
			continue
		}
		b.WriteString(sec)
	}
	if omitted > 0 {
		fmt.Fprintf(&b, "\n_%s not shown: the comment would be too long. The JSON and HTML reports have them all._\n", plural(omitted, "more workload"))
	}
	_, err := w.Write(b.Bytes())
	return err
}

func markdownSection(wd WorkloadDiff) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", html.EscapeString(wd.Name), plural(len(wd.Differences), "difference"))
	fmt.Fprintf(&b, "left: %s  \nright: %s\n\n", codeSpans(wd.LeftSources), codeSpans(wd.RightSources))
	b.WriteString("| path | left | right |\n|---|---|---|\n")
	for _, d := range wd.Differences {
		path := codeSpan(d.Path, true)
		if d.Secret {
			path += " _(" + secretNote + ")_"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", path, mdValue(d.Left), mdValue(d.Right))
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func mdValue(s string) string {
	if s == "" {
		return "_" + absentText + "_"
	}
	return codeSpan(s, true)
}

func codeSpans(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = codeSpan(s, false)
	}
	return strings.Join(out, ", ")
}

// codeSpan writes s as a code span: the fence is longer than any run of backticks in s. In a table
// cell pipes are escaped (GitHub reads \| in a cell as a pipe, code spans included).
func codeSpan(s string, inTable bool) string {
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
