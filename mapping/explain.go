package mapping

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// Table names the rule table an Entry comes from.
type Table string

// The rule tables.
const (
	// PodTable is PodRules: the pod template becomes the task definition.
	PodTable Table = "pod"
	// ServiceTable is ServiceRules: the workload becomes a CreateService input.
	ServiceTable Table = "service"
)

// Entry is one rule of PodRules or ServiceRules in the shape `podecs explain` and docs/mapping.md
// show it. Its JSON form (the table, then the rule's fields) is what `explain --output json` prints.
type Entry struct {
	Table Table `json:"table"`
	// Kinds are the workload kinds of a service rule; empty for pod template rules, which apply to
	// every kind.
	Kinds []string `json:"kinds,omitempty"`
	// Config names the --config setting a service rule takes its value from.
	Config string `json:"config,omitempty"`
	Rule
}

// Name is the entry's Kubernetes path, or "--config X" for a rule that only --config feeds.
func (e Entry) Name() string {
	if e.K8s == "" && e.Config != "" {
		return "--config " + e.Config
	}
	return e.K8s
}

// AppliesTo says where the rule applies: "pod template" or the workload kinds.
func (e Entry) AppliesTo() string {
	if e.Table == PodTable {
		return "pod template"
	}
	return strings.Join(e.Kinds, ", ")
}

// Entries returns every rule, PodRules then ServiceRules, in table order.
func Entries() []Entry {
	out := make([]Entry, 0, len(PodRules)+len(ServiceRules))
	for _, r := range PodRules {
		out = append(out, Entry{Table: PodTable, Rule: r})
	}
	for _, r := range ServiceRules {
		out = append(out, Entry{Table: ServiceTable, Kinds: r.Kinds, Config: r.Config, Rule: r.Rule})
	}
	return out
}

// Explanation is what Explain found for a field path.
type Explanation struct {
	// Path is the field the entries belong to: the query, or its nearest parent with a rule of its
	// own when the query has none (e.g. livenessProbe for livenessProbe.periodSeconds).
	Path string
	// Parent is true when Path is a parent of the query rather than the query itself.
	Parent bool
	// Below is true when Path has no rule of its own and the entries are the fields under it
	// (metadata lists metadata.name, metadata.labels, …).
	Below bool
	// Entries are the matching rules in table order; empty when nothing matched.
	Entries []Entry
}

// workloadKinds are the kinds a query may start with.
var workloadKinds = []string{"Pod", kindDeployment, kindStatefulSet, kindDaemonSet, kindReplicaSet, "Job", "CronJob"}

// templatePrefixes are where a pod template sits in a workload, canonical form, longest first.
var templatePrefixes = []string{"spec.jobtemplate.spec.template.", "jobtemplate.spec.template.", "spec.template.", "template."}

// Explain finds the rules of a field path, on either side:
//   - a Kubernetes path, with or without list indexes and with or without the workload's template
//     prefix (spec.containers.livenessProbe, spec.template.spec.containers[0].livenessProbe), or its
//     tail (containers.livenessProbe, livenessProbe);
//   - an ECS field (containerDefinitions.healthCheck, healthCheck, stopTimeout), matched against
//     the words of each rule's ECS side;
//   - a --config setting (network, config.network.subnets).
//
// A leading kind (Deployment.spec.replicas) keeps only the service rules of that kind; a kind alone
// lists its service rules (Pod, Job and CronJob: the pod template rules). Matching ignores case.
// When nothing matches, the rules of the fields under the path are listed if there are any, else
// the nearest parent path that has a rule other than a partial one is used.
func Explain(query string) Explanation {
	kind, rest := splitKind(strings.TrimSpace(query))
	all := Entries()
	if kind != "" && rest == "" {
		return Explanation{Path: kind, Entries: kindEntries(all, kind)}
	}
	display := strings.Trim(normalizePath(rest), ".")
	keep := func(e Entry) bool {
		return kind == "" || e.Table == PodTable || slices.Contains(e.Kinds, kind)
	}
	for p := display; p != ""; p = parentPath(p) {
		q := canon(p)
		var found []Entry
		for _, e := range all {
			if keep(e) && matches(e, q) {
				found = append(found, e)
			}
		}
		if len(found) > 0 && (p == display || slices.ContainsFunc(found, func(e Entry) bool { return e.How != Partial })) {
			return Explanation{Path: p, Parent: p != display, Entries: found}
		}
		if p == display {
			var below []Entry
			for _, e := range all {
				if keep(e) && under(e, q) {
					below = append(below, e)
				}
			}
			if len(below) > 0 {
				return Explanation{Path: p, Below: true, Entries: below}
			}
		}
	}
	return Explanation{Path: display}
}

// under reports whether the entry's Kubernetes field lies under the canonical path q, e.g.
// metadata.labels under metadata, or spec.strategy.rollingUpdate.maxSurge under strategy.
func under(e Entry, q string) bool {
	key := canon(e.K8s)
	if e.Table == PodTable {
		q = stripTemplate(q)
	}
	return key != "" && q != "" && (strings.HasPrefix(key, q+".") || strings.Contains(key, "."+q+"."))
}

// splitKind separates a leading workload kind ("Deployment.spec.replicas", "deployment spec.replicas").
func splitKind(q string) (kind, rest string) {
	head, tail, _ := strings.Cut(q, ".")
	if h, t, ok := strings.Cut(q, " "); ok && len(h) < len(head) {
		head, tail = h, t
	}
	for _, k := range workloadKinds {
		if strings.EqualFold(head, k) {
			return k, strings.TrimSpace(tail)
		}
	}
	return "", q
}

func kindEntries(all []Entry, kind string) []Entry {
	var out []Entry
	for _, e := range all {
		if slices.Contains(e.Kinds, kind) {
			out = append(out, e)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, e := range all { // kinds that become only a task definition
		if e.Table == PodTable {
			out = append(out, e)
		}
	}
	return out
}

func parentPath(p string) string {
	i := strings.LastIndex(p, ".")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// canon is the form paths are compared in: lower case, without list brackets or indexes.
func canon(p string) string {
	p = strings.ToLower(strings.TrimSpace(indexRE.ReplaceAllString(p, "")))
	return strings.Trim(p, ".")
}

// matches reports whether the canonical query q names the entry's field on either side.
func matches(e Entry, q string) bool {
	if q == "" {
		return false
	}
	if key := canon(e.K8s); key != "" {
		kq := q
		if e.Table == PodTable {
			kq = stripTemplate(q)
		}
		if kq != "" && (key == kq || strings.HasSuffix(key, "."+kq)) {
			return true
		}
	}
	if c := canon(e.Config); c != "" {
		cq := strings.TrimPrefix(q, "config.")
		if cq == c || strings.HasPrefix(cq, c+".") {
			return true
		}
	}
	return ecsMatches(e.ECS, q)
}

func stripTemplate(q string) string {
	if q == "spec.template" || q == "spec.jobtemplate.spec.template" {
		return ""
	}
	for _, p := range templatePrefixes {
		if rest, ok := strings.CutPrefix(q, p); ok {
			return rest
		}
	}
	return q
}

var (
	// ecsAside matches the parts of a rule's ECS text that are not field names: values in
	// parentheses and map keys in brackets.
	ecsAside = regexp.MustCompile(`\([^)]*\)|\[[^\]]*\]`)
	ecsWord  = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*`)
)

// ecsMatches reports whether every segment of the canonical query is a word of the ECS text, so
// that containerDefinitions.healthCheck and healthCheck both find containerDefinitions[].healthCheck.
func ecsMatches(ecs, q string) bool {
	if ecs == "" {
		return false
	}
	words := ecsWord.FindAllString(strings.ToLower(ecsAside.ReplaceAllString(ecs, "")), -1)
	for _, seg := range strings.Split(q, ".") {
		if !slices.Contains(words, seg) {
			return false
		}
	}
	return true
}

// ecsValue matches values and map keys in a rule's ECS text, keeping the list marker [].
var ecsValue = regexp.MustCompile(`\([^)]*\)|\[[^\]]+\]`)

// ecsFields splits a rule's ECS text into the field names it lists; words in capitals (REPLICA,
// EC2) are values, not fields.
func ecsFields(ecs string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(ecsValue.ReplaceAllString(ecs, ""), func(r rune) bool {
		return r == ',' || r == '/' || r == ' '
	}) {
		if f[0] >= 'a' && f[0] <= 'z' {
			out = append(out, f)
		}
	}
	return out
}

// Suggest lists up to n rule paths and ECS fields close to a query that matched nothing: those
// whose last segment contains the query's last segment, then those within a small edit distance.
func Suggest(query string, n int) []string {
	_, rest := splitKind(strings.TrimSpace(query))
	q := canon(rest)
	last := q[strings.LastIndex(q, ".")+1:]
	if last == "" || n <= 0 {
		return nil
	}
	limit := max(1, utf8.RuneCountInString(last)/3)
	scores := map[string]int{}
	consider := func(name string) {
		c := canon(name)
		cl := c[strings.LastIndex(c, ".")+1:]
		d := editDistance(last, cl)
		if len(last) >= 3 && strings.Contains(cl, last) {
			d = 0
		}
		if old, seen := scores[name]; d <= limit && (!seen || d < old) {
			scores[name] = d
		}
	}
	for _, e := range Entries() {
		consider(e.Name())
		for _, f := range ecsFields(e.ECS) {
			consider(f)
		}
	}
	out := make([]string, 0, len(scores))
	for name := range scores {
		out = append(out, name)
	}
	sort.Slice(out, func(i, j int) bool {
		if scores[out[i]] != scores[out[j]] {
			return scores[out[i]] < scores[out[j]]
		}
		return out[i] < out[j]
	})
	return out[:min(n, len(out))]
}

// editDistance is the Levenshtein distance between two strings, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// FindingText says in words which finding a rule raises.
func FindingText(e Entry) string {
	switch {
	case e.Level != "" && len(e.Defaults) > 0:
		return fmt.Sprintf("%s (not raised for %s)", e.Level, strings.Join(e.Defaults, " or "))
	case e.Level != "":
		return string(e.Level)
	case e.How == Dropped:
		return "none (not reported)"
	case e.How == Partial:
		return "- (each member has its own rule)"
	default:
		return "- (the rule reports what it rounds, clamps or cannot carry)"
	}
}

// explainLabelWidth aligns the labels of WriteEntry.
const explainLabelWidth = 12

// WriteEntry writes one rule as `podecs explain PATH` prints it, the rule text wrapped at width
// columns.
func WriteEntry(w io.Writer, e Entry, width int) error {
	var b strings.Builder
	b.WriteString(e.Name())
	b.WriteByte('\n')
	line := func(label, value string) {
		if value == "" {
			return
		}
		pad := strings.Repeat(" ", explainLabelWidth-len(label)-1)
		indent := strings.Repeat(" ", 2+explainLabelWidth)
		for i, l := range wrap(value, width-len(indent)) {
			if i == 0 {
				b.WriteString("  " + label + ":" + pad + l + "\n")
			} else {
				b.WriteString(indent + l + "\n")
			}
		}
	}
	target := "task definition"
	if e.Table == ServiceTable {
		target = "service"
	}
	line("applies to", e.AppliesTo()+" → "+target)
	line("ECS", e.ECS)
	if e.ECS == "" {
		line("ECS", "none")
	}
	if e.Config != "" {
		line("--config", e.Config)
	}
	line("treatment", string(e.How))
	line("finding", FindingText(e))
	line("rule", e.Note)
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap breaks s into lines of at most width runes at spaces; a longer word stays whole.
func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		wn := utf8.RuneCountInString(word)
		if n > 0 && n+1+wn > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wn
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// WriteList writes one aligned line per rule, as `podecs explain` without a path prints them.
func WriteList(w io.Writer, entries []Entry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KUBERNETES\tAPPLIES TO\tTREATMENT\tLEVEL\tECS")
	for _, e := range entries {
		level, ecs := string(e.Level), e.ECS
		if level == "" {
			level = "-"
		}
		if ecs == "" {
			ecs = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name(), e.AppliesTo(), e.How, level, ecs)
	}
	return tw.Flush()
}
