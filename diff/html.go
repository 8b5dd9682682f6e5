package diff

import (
	"html/template"
	"io"
	"sync"
)

// renderHTML writes one self-contained page: inline CSS, no scripts, no external assets. Every
// value goes through html/template, so it is escaped for the context it lands in.
func renderHTML(w io.Writer, r Report) error {
	return htmlTemplate().Execute(w, htmlData{Report: r, SummaryLine: summaryLine(r.Summary), SecretNote: secretNote, Absent: absentText})
}

type htmlData struct {
	Report
	SummaryLine string
	SecretNote  string
	Absent      string
}

// htmlTemplate is parsed on first use: most runs never write HTML.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"statusText": statusText,
		"plural":     plural,
	}).Parse(htmlSource))
})

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>podecs diff: {{.Left}} ↔ {{.Right}}</title>
<style>
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa;
  --del: #ffebe9; --del-fg: #82071e; --add: #dafbe1; --add-fg: #116329; --chg: #fff8c5; --chg-fg: #7d4e00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 84rem; padding: 1.5rem; color: var(--fg);
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 0; display: flex; gap: .6rem; align-items: center; }
h2 code { font-size: inherit; }
code { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.sides { margin: 0 0 1rem; color: var(--muted); }
.sides code { color: var(--fg); }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
table.summary td { text-align: right; min-width: 6rem; font-variant-numeric: tabular-nums; }
table.workloads td.count { text-align: right; }
.badge { display: inline-block; border-radius: 1rem; padding: 0 .6rem; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.badge.equal { background: var(--bg-alt); color: var(--muted); border-color: var(--line); }
.badge.different { background: var(--chg); color: var(--chg-fg); }
.badge.onlyLeft { background: var(--del); color: var(--del-fg); }
.badge.onlyRight { background: var(--add); color: var(--add-fg); }
section.workload { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 0 0 1rem; }
dl.sources { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem; margin: .5rem 0; color: var(--muted); }
dl.sources dt { font-weight: 600; }
dl.sources dd { margin: 0; }
table.diff { width: 100%; table-layout: fixed; margin-bottom: 0; }
table.diff th:first-child { width: 34%; }
table.diff td code { white-space: pre-wrap; overflow-wrap: anywhere; }
table.diff td.left { background: var(--del); }
table.diff td.right { background: var(--add); }
.absent { color: var(--muted); font-style: italic; }
.note { display: block; color: var(--muted); font-size: 12px; }
p.equal { color: var(--muted); margin: .5rem 0 0; }
footer { color: var(--muted); margin-top: 1.5rem; }
</style>
</head>
<body>
<header>
<h1>podecs diff</h1>
<p class="sides">left: <code>{{.Left}}</code><br>right: <code>{{.Right}}</code></p>
</header>
<table class="summary">
<thead><tr><th>workloads</th><th>equal</th><th>different</th><th>only in left</th><th>only in right</th><th>differences</th></tr></thead>
<tbody><tr><td>{{.Summary.Workloads}}</td><td>{{.Summary.Equal}}</td><td>{{.Summary.Different}}</td><td>{{.Summary.OnlyLeft}}</td><td>{{.Summary.OnlyRight}}</td><td>{{.Summary.Differences}}</td></tr></tbody>
</table>
{{- if .Workloads}}
<table class="workloads">
<thead><tr><th>workload</th><th>status</th><th>differences</th></tr></thead>
<tbody>
{{- range .Workloads}}
<tr><td><a href="#w-{{.Name}}"><code>{{.Name}}</code></a></td><td><span class="badge {{.Status}}">{{statusText .Status}}</span></td><td class="count">{{if .Differences}}{{len .Differences}}{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- range .Workloads}}
<section class="workload" id="w-{{.Name}}" data-name="{{.Name}}" data-status="{{.Status}}">
<h2><code>{{.Name}}</code> <span class="badge {{.Status}}">{{statusText .Status}}</span></h2>
<dl class="sources">
{{- if .LeftSources}}<dt>left</dt><dd>{{range $i, $s := .LeftSources}}{{if $i}}<br>{{end}}<code>{{$s}}</code>{{end}}</dd>{{end}}
{{- if .RightSources}}<dt>right</dt><dd>{{range $i, $s := .RightSources}}{{if $i}}<br>{{end}}<code>{{$s}}</code>{{end}}</dd>{{end}}
</dl>
{{- if .Differences}}
<table class="diff">
<thead><tr><th>path</th><th>left</th><th>right</th></tr></thead>
<tbody>
{{- range .Differences}}
<tr data-path="{{.Path}}"{{if .Secret}} class="secret"{{end}}><td class="path"><code>{{.Path}}</code>{{if .Secret}}<span class="note">{{$.SecretNote}}</span>{{end}}</td>
<td class="left">{{if .Left}}<code>{{.Left}}</code>{{else}}<span class="absent">{{$.Absent}}</span>{{end}}</td>
<td class="right">{{if .Right}}<code>{{.Right}}</code>{{else}}<span class="absent">{{$.Absent}}</span>{{end}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else if eq .Status "equal"}}
<p class="equal">Both sides are the same in canonical form.</p>
{{- end}}
</section>
{{- end}}
<footer>{{.SummaryLine}}</footer>
</body>
</html>
`
