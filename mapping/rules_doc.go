package mapping

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReverseMarker ends the part of docs/mapping.md that RenderMarkdown writes; the ECS → Kubernetes
// section follows it.
const ReverseMarker = "<!-- reverse -->"

// levelMeanings explains each finding level, in order from harmless to fatal, with the exit code
// of `podecs convert` it leads to.
var levelMeanings = []struct {
	level         Level
	meaning, exit string
}{
	{Info, "Mapped, but worth knowing: a default was chosen, or a value was rounded to a valid one.", "0"},
	{Lossy, "Mapped approximately, or dropped, and part of the meaning is lost: a value clamped into an ECS range, a readiness probe turned into a health check that replaces the task.", "0; 1 with `--strict`"},
	{Unsupported, "ECS has no equivalent: the field was dropped. A set field that has no rule at all is reported at this level too.", "0; 1 with `--strict`"},
	{Error, "The document cannot be converted (an invalid value, a field Fargate cannot run, two workloads with the same ECS name). Nothing is written for it; the other documents are still converted.", "2"},
}

// RenderMarkdown writes docs/mapping.md: the field tables of PodRules and ServiceRules, the finding
// levels, the Fargate task sizes and the tables of KindSections (Jobs, CronJobs, Services,
// autoscalers), ending with ReverseMarker.
func RenderMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString(`<!-- Generated from the rule tables in mapping/ by "go test ./cmd/podecs -run TestDocs -update". Do not edit. -->

# Kubernetes → ECS field mapping

podecs turns the pod template of a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or
CronJob into an ECS task definition (the ` + "`RegisterTaskDefinition`" + ` input), and a Deployment,
StatefulSet, DaemonSet or ReplicaSet into an ECS service as well (the ` + "`CreateService`" + ` input).
Jobs, CronJobs, Services and HorizontalPodAutoscalers add the files of the last sections: a
` + "`RunTask`" + ` input, an EventBridge Scheduler schedule, the service's Service Connect or load balancer
settings, and the Application Auto Scaling inputs.
The tables below are generated from the rule tables the converter itself uses
(` + "`mapping.PodRules`" + ` and ` + "`mapping.ServiceRules`" + `), so they say field by field what ` + "`podecs convert`" + ` does.
A field that is set in the input and has no rule is reported as unsupported: nothing is dropped
silently. ` + "`podecs explain PATH`" + ` prints any row from the command line, looked up by its Kubernetes
path or its ECS field.

`)
	writeLevels(&b)
	writePodTable(&b)
	writeFilesSection(&b)
	writeServiceTable(&b)
	writeFargateSizes(&b)
	for _, sec := range KindSections() {
		writeKindSection(&b, sec)
	}
	b.WriteString(ReverseMarker + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeLevels(b *strings.Builder) {
	b.WriteString(`## Finding levels

Every field podecs cannot carry exactly is reported as a finding: the JSON path of the source field,
a level and a sentence. Findings go to standard error, and with ` + "`--report FILE`" + ` to a JSON file.

| level | meaning | exit code of ` + "`podecs convert`" + ` |
|---|---|---|
`)
	for _, l := range levelMeanings {
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", l.level, mdCell(l.meaning), l.exit)
	}
	b.WriteString(`
In the tables, the finding column gives the level a rule reports. A dropped field is reported
whenever it is set, except for the values listed (Kubernetes defaults, or values ECS behaves like).
"—" marks a mapped field whose rule reports on its own what it rounds, clamps or cannot carry, as
its text says.

`)
}

func writePodTable(b *strings.Builder) {
	b.WriteString(`## Pod template → task definition

Paths under ` + "`spec`" + ` and ` + "`metadata.annotations`" + ` are those of the pod template: ` + "`spec.template`" + ` in a
Deployment, StatefulSet, DaemonSet, ReplicaSet or Job, ` + "`spec.jobTemplate.spec.template`" + ` in a CronJob,
the object itself in a Pod. ` + "`metadata.name`" + `, ` + "`metadata.namespace`" + ` and ` + "`metadata.labels`" + ` are the
workload's own. ` + "`[]`" + ` marks a list element. Every ` + "`spec.containers[]`" + ` rule applies to
` + "`spec.initContainers[]`" + ` as well; those rows are not repeated.

| Kubernetes field | ECS field | treatment | finding level | rule |
|---|---|---|---|---|
`)
	for _, e := range Entries() {
		if e.Table != PodTable || isInitCopy(e.Rule) {
			continue
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", e.K8s, mdECS(e.ECS), e.How, mdLevel(e.Rule), mdCell(e.Note))
	}
	b.WriteString("\n")
}

// isInitCopy reports whether a rule is the spec.initContainers[] copy of a spec.containers[] rule.
func isInitCopy(r Rule) bool {
	rest, ok := strings.CutPrefix(r.K8s, "spec.initContainers[].")
	if !ok {
		return false
	}
	c, ok := LookupRule("spec.containers[]." + rest)
	return ok && c.ECS == r.ECS && c.How == r.How && c.Level == r.Level && c.Note == r.Note
}

func writeServiceTable(b *strings.Builder) {
	b.WriteString(`## Workload → service

Paths are relative to the workload object. Rows without a Kubernetes field take their value from
` + "`--config`" + ` (see docs/config.md). The pod template follows the table above.

| Kubernetes field | kinds | ECS field | treatment | finding level | rule |
|---|---|---|---|---|---|
`)
	for _, e := range Entries() {
		if e.Table != ServiceTable {
			continue
		}
		field := "`" + e.K8s + "`"
		if e.K8s == "" {
			field = "— (`--config` `" + e.Config + "`)"
		}
		note := mdCell(e.Note)
		if e.K8s != "" && e.Config != "" {
			note += " (`--config` `" + e.Config + "`)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", field, strings.Join(e.Kinds, ", "), mdECS(e.ECS), e.How, mdLevel(e.Rule), note)
	}
	b.WriteString("\n")
}

func writeFargateSizes(b *strings.Builder) {
	b.WriteString(`## Fargate task sizes

Fargate runs only these task-level cpu/memory pairs. podecs picks the smallest one that covers the
sum of the containers' limits (requests where a limit is missing) and reports the rounding.

| cpu (units) | vCPU | memory (MiB) |
|---|---|---|
`)
	sizes := FargateSizes()
	for i := 0; i < len(sizes); {
		j := i
		var mem []int64
		for ; j < len(sizes) && sizes[j].CPU == sizes[i].CPU; j++ {
			mem = append(mem, sizes[j].MemoryMiB)
		}
		cpu := sizes[i].CPU
		fmt.Fprintf(b, "| %d | %s | %s |\n", cpu, strconv.FormatFloat(float64(cpu)/1024, 'f', -1, 64), memoryList(mem))
		i = j
	}
	b.WriteString("\n")
}

// memoryList renders ascending memory sizes: a list, or "from–to in steps of s" for a long even run.
func memoryList(mem []int64) string {
	if len(mem) >= 5 {
		step := mem[1] - mem[0]
		even := true
		for i := 2; i < len(mem); i++ {
			even = even && mem[i]-mem[i-1] == step
		}
		if even {
			return fmt.Sprintf("%d–%d in steps of %d", mem[0], mem[len(mem)-1], step)
		}
	}
	parts := make([]string, len(mem))
	for i, m := range mem {
		parts[i] = strconv.FormatInt(m, 10)
	}
	return strings.Join(parts, ", ")
}

func mdLevel(r Rule) string {
	if r.Level == "" {
		return "—"
	}
	s := "`" + string(r.Level) + "`"
	if len(r.Defaults) > 0 {
		s += " (not for `" + strings.Join(r.Defaults, "`, `") + "`)"
	}
	return s
}

func mdECS(s string) string {
	if s == "" {
		return "—"
	}
	return mdCell(s)
}

var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;", "*", `\*`, "\n", " ")

// mdCell escapes text for a Markdown table cell: a pipe ends a cell, < starts HTML, * emphasis.
func mdCell(s string) string { return mdEscaper.Replace(s) }

// writeKindSection writes the table of one KindSection.
func writeKindSection(b *strings.Builder, sec KindSection) {
	fmt.Fprintf(b, "## %s\n\n%s\n\n", sec.Title, sec.Intro)
	b.WriteString("| Kubernetes field | ECS field | treatment | finding level | rule |\n|---|---|---|---|---|\n")
	for _, r := range sec.Rules {
		field := "`" + r.K8s + "`"
		if r.K8s == "" {
			field = "— (`--config` `" + r.Config + "`)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", field, mdECS(r.ECS), r.How, mdLevel(r.Rule), mdCell(r.Note))
	}
	b.WriteString("\n")
}
