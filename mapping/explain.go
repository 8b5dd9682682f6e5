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

// The rule tables, in the order Entries lists them.
const (
	// PodTable is PodRules: the pod template becomes the task definition.
	PodTable Table = "pod"
	// ServiceTable is ServiceRules: the workload becomes a CreateService input.
	ServiceTable Table = "service"
	// JobTable is JobRules: a Job becomes a RunTask input.
	JobTable Table = "job"
	// CronJobTable is CronJobRules: a CronJob becomes an EventBridge Scheduler schedule.
	CronJobTable Table = "cronjob"
	// KubernetesServiceTable is KubernetesServiceRules: a Service sets the networking of the ECS
	// service of the workload it selects.
	KubernetesServiceTable Table = "kubernetes-service"
	// AutoscalerTable is AutoscalerRules: a HorizontalPodAutoscaler becomes Application Auto
	// Scaling inputs.
	AutoscalerTable Table = "autoscaler"
	// LaunchTypeTable is LaunchTypeRules: what decides a workload's launch type.
	LaunchTypeTable Table = "launch-type"
	// MeshTable is MeshRules: what becomes of a pod a service mesh injected.
	MeshTable Table = "mesh"
	// TaskDefinitionTable is TaskDefinitionRules, the way back: a task definition becomes a pod
	// template. Its entries are named by their ECS field.
	TaskDefinitionTable Table = "ecs-task-definition"
	// ECSServiceTable is ECSServiceRules, the way back: an ECS service becomes a workload. Its
	// entries are named by their ECS field.
	ECSServiceTable Table = "ecs-service"
)

// tableInfo says what the rules of a table convert, and into what.
type tableInfo struct {
	table Table
	// title heads the table's group in the list of every rule.
	title string
	// from is what a rule applies to when the table has no kinds of its own.
	from string
	// to is what the rules become, shown after the arrow of "applies to".
	to string
	// reverse tables go from ECS to Kubernetes.
	reverse bool
	entries func(Table) []Entry
}

// ruleTables are the rule tables in the order Entries lists them. The titles of the kind tables are
// those of KindSections.
var ruleTables = []tableInfo{
	{PodTable, "Pod template → task definition", "pod template", "task definition", false, func(t Table) []Entry {
		out := make([]Entry, len(PodRules))
		for i, r := range PodRules {
			out[i] = Entry{Table: t, Rule: r}
		}
		return out
	}},
	{ServiceTable, "Deployment, StatefulSet, DaemonSet, ReplicaSet → ECS service", "", "service", false, serviceEntries(func() []ServiceRule { return ServiceRules })},
	{JobTable, "Job → RunTask input", "", "RunTask input (N.runtask.json)", false, serviceEntries(func() []ServiceRule { return JobRules })},
	{CronJobTable, "CronJob → EventBridge Scheduler schedule", "", "EventBridge Scheduler schedule (N.schedule.json)", false, serviceEntries(func() []ServiceRule { return CronJobRules })},
	{KubernetesServiceTable, "Service → ECS service networking", "", "ECS service networking (N.service.json)", false, serviceEntries(func() []ServiceRule { return KubernetesServiceRules })},
	{AutoscalerTable, "HorizontalPodAutoscaler → Application Auto Scaling", "", "Application Auto Scaling (N.scaling.json)", false, serviceEntries(func() []ServiceRule { return AutoscalerRules })},
	{LaunchTypeTable, "Launch type: Fargate or EC2", "pod template", "launch type (requiresCompatibilities, launchType)", false, serviceEntries(func() []ServiceRule { return LaunchTypeRules })},
	{MeshTable, "Pods injected by a service mesh (linkerd, istio)", "pod template", "task definition without the mesh", false, serviceEntries(func() []ServiceRule { return MeshRules })},
	{TaskDefinitionTable, "ECS task definition → pod template", "task definition", "pod template", true, reverseEntries(func() []ECSRule { return TaskDefinitionRules })},
	{ECSServiceTable, "ECS service → workload", "ECS service", "workload", true, reverseEntries(func() []ECSRule { return ECSServiceRules })},
}

func serviceEntries(rules func() []ServiceRule) func(Table) []Entry {
	return func(t Table) []Entry {
		rs := rules()
		out := make([]Entry, len(rs))
		for i, r := range rs {
			out[i] = Entry{Table: t, Kinds: r.Kinds, Config: r.Config, Rule: r.Rule}
		}
		return out
	}
}

func reverseEntries(rules func() []ECSRule) func(Table) []Entry {
	return func(t Table) []Entry {
		rs := rules()
		out := make([]Entry, len(rs))
		for i, r := range rs {
			out[i] = Entry{Table: t, Rule: Rule{K8s: r.K8s, ECS: r.ECS, How: r.How, Level: r.Level, Note: r.Note}}
		}
		return out
	}
}

// tableOf returns the description of a table; the zero tableInfo for an unknown one.
func tableOf(t Table) tableInfo {
	for _, ti := range ruleTables {
		if ti.table == t {
			return ti
		}
	}
	return tableInfo{}
}

// Entry is one rule of a rule table in the shape `podecs explain` and docs/mapping.md show it. Its
// JSON form (the table, the kinds, then the rule's fields) is what `explain --output json` prints.
// A rule of a reverse table (ECS → Kubernetes) keeps its ECS field in ECS and the Kubernetes
// field(s) it becomes in K8s.
type Entry struct {
	Table Table `json:"table"`
	// Kinds are the object kinds the rule applies to; empty for pod template rules, which apply
	// to every workload kind, and for the rules of the reverse tables.
	Kinds []string `json:"kinds,omitempty"`
	// Config names the --config setting a rule takes its value from.
	Config string `json:"config,omitempty"`
	Rule
}

// Reverse reports whether the entry is a rule of the way back, from ECS to Kubernetes.
func (e Entry) Reverse() bool { return tableOf(e.Table).reverse }

// Name is the entry's Kubernetes path, "--config X" for a rule that only --config feeds, or for
// a rule of the way back its ECS field.
func (e Entry) Name() string {
	switch {
	case e.Reverse():
		return e.ECS
	case e.K8s == "" && e.Config != "":
		return "--config " + e.Config
	}
	return e.K8s
}

// AppliesTo says where the rule applies: "pod template", the kinds, or for a rule of the way back
// the ECS object ("task definition", "ECS service").
func (e Entry) AppliesTo() string {
	if len(e.Kinds) > 0 {
		return strings.Join(e.Kinds, ", ")
	}
	return tableOf(e.Table).from
}

// Entries returns every rule of every table, table by table (PodRules, ServiceRules, JobRules,
// CronJobRules, KubernetesServiceRules, AutoscalerRules, TaskDefinitionRules, ECSServiceRules),
// each in table order.
func Entries() []Entry {
	var out []Entry
	for _, ti := range ruleTables {
		out = append(out, ti.entries(ti.table)...)
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

// queryKinds are the kinds a query may start with.
var queryKinds = []string{"Pod", kindDeployment, kindStatefulSet, kindDaemonSet, kindReplicaSet, kindJob[0], kindCronJob[0], kindService[0], kindHPA[0]}

// hasPodTemplate reports whether the pod template rules apply to a kind.
func hasPodTemplate(kind string) bool {
	return kind != kindService[0] && kind != kindHPA[0]
}

// templatePrefixes are where a pod template sits in a workload, canonical form, longest first.
var templatePrefixes = []string{"spec.jobtemplate.spec.template.", "jobtemplate.spec.template.", "spec.template.", "template."}

// jobTemplatePrefixes are where a Job spec sits in a CronJob, canonical form.
var jobTemplatePrefixes = []string{"spec.jobtemplate.", "jobtemplate."}

// Explain finds the rules of a field path in every table, on either side:
//   - a Kubernetes path, with or without list indexes and with or without the workload's template
//     prefix (spec.containers.livenessProbe, spec.template.spec.containers[0].livenessProbe), or its
//     tail (containers.livenessProbe, livenessProbe); a field with values in its rule
//     (spec.type ClusterIP) is found by the path alone or with one of the values;
//   - an ECS field (containerDefinitions.healthCheck, healthCheck, stopTimeout, loadBalancers),
//     matched against the words of each rule's ECS side, and against the ECS field (or its tail)
//     that names a rule of the way back;
//   - a --config setting (network, config.network.subnets, --config network).
//
// A leading kind (Deployment.spec.replicas, Job.spec.backoffLimit) keeps only the rules of that
// kind, and the pod template rules for a kind that has a pod template; a CronJob's
// spec.jobTemplate.spec fields also find the Job rules. A kind alone lists the rules of its table
// (Pod: the pod template rules). Matching ignores case. When nothing matches, the rules of the
// fields under the path are listed if there are any, else the nearest parent path that has a
// rule other than a partial one is used.
func Explain(query string) Explanation {
	query = strings.TrimSpace(query)
	if setting, ok := strings.CutPrefix(query, "--config "); ok {
		query = "config." + strings.TrimSpace(setting)
	}
	kind, rest := splitKind(query)
	all := Entries()
	if kind != "" && rest == "" {
		return Explanation{Path: kind, Entries: kindEntries(all, kind)}
	}
	display := strings.Trim(NormalizePath(rest), ".")
	for p := display; p != ""; p = parentPath(p) {
		q := canon(p)
		var found []Entry
		for _, e := range all {
			if keep(e, kind, q) && matches(e, q) {
				found = append(found, e)
			}
		}
		if len(found) > 0 && (p == display || slices.ContainsFunc(found, func(e Entry) bool { return e.How != Partial })) {
			return Explanation{Path: p, Parent: p != display, Entries: found}
		}
		if p == display {
			var below []Entry
			for _, e := range all {
				if keep(e, kind, q) && under(e, q) {
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

// keep reports whether an entry answers a query that starts with kind (none: every entry); q is
// the canonical query.
func keep(e Entry, kind, q string) bool {
	switch {
	case kind == "" || slices.Contains(e.Kinds, kind):
		return true
	case e.Table == PodTable || (len(e.Kinds) == 0 && (e.Table == LaunchTypeTable || e.Table == MeshTable)):
		return hasPodTemplate(kind)
	case e.Table == JobTable && kind == kindCronJob[0]:
		return slices.ContainsFunc(jobTemplatePrefixes, func(p string) bool { return strings.HasPrefix(q, p) })
	}
	return false
}

// ownPath is the canonical query q as a path relative to the object of the entry's table: without
// a workload's template prefix for a pod template rule, without a CronJob's jobTemplate prefix for
// a Job rule.
func ownPath(e Entry, q string) string {
	switch e.Table {
	case PodTable, LaunchTypeTable, MeshTable:
		return stripTemplate(q)
	case JobTable:
		for _, p := range jobTemplatePrefixes {
			if rest, ok := strings.CutPrefix(q, p); ok {
				return rest
			}
		}
	}
	return q
}

// fieldPath splits a canonical rule field or query into its path and the values after it:
// "spec.type loadbalancer, nodeport" is spec.type with loadbalancer and nodeport. Text that does
// not start with a path, such as "(always)", has none.
func fieldPath(text string) (path string, values []string) {
	path, rest, _ := strings.Cut(text, " ")
	if path == "" || path[0] < 'a' || path[0] > 'z' {
		return "", nil
	}
	return path, strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' })
}

// entryPath is the canonical path an entry is named by on its own side: the Kubernetes path of a
// rule, the ECS field of a rule of the way back.
func entryPath(e Entry) string {
	if e.Reverse() {
		return canon(e.ECS)
	}
	p, _ := fieldPath(canon(e.K8s))
	return p
}

// under reports whether the entry's own path lies under the canonical path q, e.g.
// metadata.labels under metadata, or spec.strategy.rollingUpdate.maxSurge under strategy.
func under(e Entry, q string) bool {
	key, q := entryPath(e), ownPath(e, q)
	return key != "" && q != "" && (strings.HasPrefix(key, q+".") || strings.Contains(key, "."+q+"."))
}

// splitKind separates a leading kind ("Deployment.spec.replicas", "deployment spec.replicas").
func splitKind(q string) (kind, rest string) {
	head, tail, _ := strings.Cut(q, ".")
	if h, t, ok := strings.Cut(q, " "); ok && len(h) < len(head) {
		head, tail = h, t
	}
	for _, k := range queryKinds {
		if strings.EqualFold(head, k) {
			return k, strings.TrimSpace(tail)
		}
	}
	return "", q
}

// kindEntries are the rules of a kind; the pod template rules for a kind without a table of its
// own (Pod).
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
	for _, e := range all {
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
	p = strings.ToLower(strings.TrimSpace(replaceIndexes(p, "")))
	return strings.Trim(p, ".")
}

// matches reports whether the canonical query q names the entry's field: a rule towards ECS by
// either side, a rule of the way back by its ECS field (the Kubernetes fields it becomes have
// rules towards ECS of their own, which a Kubernetes query finds).
func matches(e Entry, q string) bool {
	if q == "" {
		return false
	}
	if e.Reverse() {
		return pathMatches(canon(e.ECS), q)
	}
	if k8sMatches(e, q) {
		return true
	}
	if c := canon(e.Config); c != "" {
		cq := strings.TrimPrefix(q, "config.")
		if cq == c || strings.HasPrefix(cq, c+".") {
			return true
		}
	}
	return ecsMatches(e.ECS, q)
}

// pathMatches reports whether the canonical query q is the canonical path key or its tail.
func pathMatches(key, q string) bool {
	return key != "" && q != "" && (key == q || strings.HasSuffix(key, "."+q))
}

// k8sMatches reports whether the canonical query q names the Kubernetes field of a rule: its whole
// text, or its path (or the path's tail) followed by none or some of the rule's values.
func k8sMatches(e Entry, q string) bool {
	text := canon(e.K8s)
	if text == "" {
		return false
	}
	if text == q {
		return true
	}
	path, values := fieldPath(text)
	qpath, qvalues := fieldPath(q)
	if !pathMatches(path, ownPath(e, qpath)) {
		return false
	}
	for _, v := range qvalues {
		if !slices.Contains(values, v) {
			return false
		}
	}
	return true
}

// stripTemplate is the canonical query q relative to the pod template of a workload; "" for the
// template itself.
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
		if strings.ToUpper(f) != f {
			out = append(out, f)
		}
	}
	return out
}

// ownNames are the paths an entry is asked for by on its own side: its Kubernetes path (spec.type
// for "spec.type ClusterIP"; none for a text such as "(always)" or "readinessProbe of the pod
// template"), "--config X", or the ECS field of a rule of the way back.
func ownNames(e Entry) []string {
	isPath := func(p string) bool { f, _ := fieldPath(canon(p)); return f != "" }
	switch name := e.Name(); {
	case strings.HasPrefix(name, "--config "):
		return []string{name}
	case !strings.Contains(name, " "):
		if isPath(name) {
			return []string{name}
		}
	default:
		if path, _, _ := strings.Cut(name, " "); strings.Contains(path, ".") && isPath(path) {
			return []string{path}
		}
	}
	return nil
}

// suggestNames are the names an entry offers to Suggest: its own names and, for a rule towards
// ECS, the ECS fields it names.
func suggestNames(e Entry) []string {
	out := ownNames(e)
	if !e.Reverse() {
		out = append(out, ecsFields(e.ECS)...)
	}
	return out
}

// Paths lists, sorted and once each, the field paths of every table that `podecs explain` takes:
// the Kubernetes paths of the rules towards ECS and the ECS fields of the rules of the way back
// (not the --config settings, nor rule texts that are not paths). Shell completion offers them.
func Paths() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range Entries() {
		for _, n := range ownNames(e) {
			if !seen[n] && !strings.HasPrefix(n, "--config ") {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Suggest lists up to n rule paths and ECS fields close to a query that matched nothing: those
// whose last segment contains the query's last segment, then those within a small edit distance.
// A leading kind keeps the rules of that kind, as in Explain.
func Suggest(query string, n int) []string {
	kind, rest := splitKind(strings.TrimSpace(query))
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
		if keep(e, kind, q) {
			for _, name := range suggestNames(e) {
				consider(name)
			}
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
// columns. The "applies to" line names the kind (or the pod template, or the ECS object of a rule
// of the way back) and what the rule's table converts it into.
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
	line("applies to", e.AppliesTo()+" → "+tableOf(e.Table).to)
	other, label := e.ECS, "ECS"
	if e.Reverse() {
		other, label = e.K8s, "Kubernetes"
	}
	if other == "" {
		other = "none"
	}
	line(label, other)
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

// WriteList writes the rules as `podecs explain` without a path prints them: grouped by table,
// each group headed by what the table converts and its name (the "table" of the JSON output), one
// aligned line per rule. A group of the way back lists the ECS field first.
func WriteList(w io.Writer, entries []Entry) error {
	var b strings.Builder
	for start := 0; start < len(entries); {
		end := start + 1
		for end < len(entries) && entries[end].Table == entries[start].Table {
			end++
		}
		if start > 0 {
			b.WriteByte('\n')
		}
		if err := writeGroup(&b, entries[start:end]); err != nil {
			return err
		}
		start = end
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeGroup writes the heading and the lines of entries of one table.
func writeGroup(b *strings.Builder, entries []Entry) error {
	ti := tableOf(entries[0].Table)
	title := ti.title
	if title == "" {
		title = string(entries[0].Table)
	}
	fmt.Fprintf(b, "%s (table %s)\n", title, entries[0].Table)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	if ti.reverse {
		fmt.Fprintln(tw, "ECS\tAPPLIES TO\tTREATMENT\tLEVEL\tKUBERNETES")
	} else {
		fmt.Fprintln(tw, "KUBERNETES\tAPPLIES TO\tTREATMENT\tLEVEL\tECS")
	}
	for _, e := range entries {
		level, other := string(e.Level), e.ECS
		if e.Reverse() {
			other = e.K8s
		}
		if level == "" {
			level = "-"
		}
		if other == "" {
			other = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name(), e.AppliesTo(), e.How, level, other)
	}
	return tw.Flush()
}
