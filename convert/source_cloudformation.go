package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	cfnecs "github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/awslabs/goformation/v7/intrinsics"
	"gopkg.in/yaml.v3"

	"github.com/podecs/podecs/mapping"
)

// CloudFormation templates, hand-written (YAML with the short-form tags !Ref, !Sub, … or JSON)
// or cdk synth output: every AWS::ECS::TaskDefinition becomes a task definition, every
// AWS::ECS::Service a service. Intrinsic functions are resolved with goformation's intrinsics
// package against the parameter defaults, SourceOptions.Parameters and the pseudo parameters;
// what is known only once the stack exists (Ref and Fn::GetAtt of other resources, the account
// id without a --parameter) becomes a placeholder in CloudFormation's own ${…} syntax, with a
// finding. The properties are decoded into goformation's typed structs and copied to the API
// types field by field (cfnFieldNames lists the members named differently).

// The ECS resource types read.
const (
	cfnTaskDefinition = "AWS::ECS::TaskDefinition"
	cfnService        = "AWS::ECS::Service"
)

// mightBeCloudFormation is a cheap test of a document before it is parsed: a template has a
// top-level Resources or AWSTemplateFormatVersion key. readCloudFormation looks closer.
func mightBeCloudFormation(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' {
		return bytes.Contains(t, []byte(`"Resources"`)) || bytes.Contains(t, []byte(`"AWSTemplateFormatVersion"`))
	}
	for line := range bytes.Lines(raw) {
		if bytes.HasPrefix(line, []byte("Resources:")) || bytes.HasPrefix(line, []byte("AWSTemplateFormatVersion:")) {
			return true
		}
	}
	return false
}

// readCloudFormation reads the ECS resources of a template and reports false when the document
// is not a template after all.
func readCloudFormation(raw []byte, ref DocRef, so *SourceOptions, fn func(Document), onErr func(*DocError)) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		if !isTemplateText(raw) {
			return false
		}
		onErr(&DocError{Doc: ref, Err: fmt.Errorf("CloudFormation template: not valid YAML or JSON: %s", strings.TrimPrefix(err.Error(), "yaml: "))})
		return true
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode || !hasTemplateKey(root.Content[0]) {
		return false
	}
	t := &cfnTemplate{so: so, lines: map[string]int{}, families: map[string]string{}, stack: stackName(ref.Source)}
	out := &sourceDocs{fn: fn, onErr: onErr, n: ref.Index - 1}
	value, err := t.value(root.Content[0], "")
	if err != nil {
		onErr(&DocError{Doc: ref, Err: fmt.Errorf("CloudFormation template: %w", err)})
		return true
	}
	t.root, _ = value.(map[string]any)
	err = t.index(root.Content[0])
	if err == nil {
		err = t.conditionCycle()
	}
	if err != nil {
		onErr(&DocError{Doc: ref, Err: fmt.Errorf("CloudFormation template: %w", err)})
		return true
	}
	t.read(ref, out)
	return true
}

// stackName is the stack name a template file suggests: cdk synth writes STACK.template.json.
func stackName(source string) string {
	base := path.Base(filepath.ToSlash(source))
	for _, ext := range []string{".json", ".yaml", ".yml", ".template"} {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "" || strings.ContainsAny(base, "<>") {
		return ""
	}
	return base
}

// isTemplateText says whether text that is not valid YAML was meant as a template.
func isTemplateText(raw []byte) bool {
	return bytes.Contains(raw, []byte("AWSTemplateFormatVersion")) || bytes.Contains(raw, []byte("AWS::"))
}

func hasTemplateKey(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i].Value; k == "Resources" || k == "AWSTemplateFormatVersion" {
			return true
		}
	}
	return false
}

// cfnTemplate is one template being read.
type cfnTemplate struct {
	so   *SourceOptions
	root map[string]any
	// lines maps the path of each value in the template to its line.
	lines map[string]int
	// order lists the resources in template order, types their types.
	order []string
	types map[string]string
	// families are the families of the task definitions read so far, by logical id: a service's
	// Ref to one of them names it.
	families map[string]string
	ph       placeholders
	// stack is AWS::StackName when no --parameter gives it: the template's file name.
	stack     string
	stackUsed bool
	// conditionNotes are the conditions that could not be evaluated, for the resource's findings.
	conditionNotes []string
}

// value turns a YAML node into the JSON value CloudFormation reads, with the short-form tags
// turned into the long form (!Ref X → {"Ref": "X"}, !GetAtt A.B → {"Fn::GetAtt": ["A", "B"]},
// !Sub … → {"Fn::Sub": …}), and records the line of every value.
func (t *cfnTemplate) value(n *yaml.Node, path string) (any, error) {
	if n.Kind == yaml.AliasNode {
		return nil, fmt.Errorf("line %d: YAML aliases (*%s) are not allowed in CloudFormation templates", n.Line, n.Value)
	}
	t.lines[path] = n.Line
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		plain := *n
		plain.Tag = ""
		if n.Kind == yaml.ScalarNode {
			plain.Tag = "!!str"
		}
		inner, err := t.value(&plain, path)
		if err != nil {
			return nil, err
		}
		name := tag[1:]
		switch name {
		case "Ref", "Condition":
		case "GetAtt":
			if s, ok := inner.(string); ok {
				res, attr, _ := strings.Cut(s, ".")
				inner = []any{res, attr}
			}
			name = "Fn::GetAtt"
		default:
			name = "Fn::" + name
		}
		return map[string]any{name: inner}, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			v, err := t.value(n.Content[i+1], mapping.Join(path, k))
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			v, err := t.value(e, mapping.Index(path, i))
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case uint64:
			return float64(x), nil
		}
		return v, nil
	}
	return nil, nil
}

// index lists the resources in template order.
func (t *cfnTemplate) index(root *yaml.Node) error {
	t.types = map[string]string{}
	resources, _ := t.root["Resources"].(map[string]any)
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "Resources" || root.Content[i+1].Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(root.Content[i+1].Content); j += 2 {
			id := root.Content[i+1].Content[j].Value
			r, _ := resources[id].(map[string]any)
			typ, _ := r["Type"].(string)
			if typ == "" {
				return fmt.Errorf("line %d: Resources.%s.Type: missing", root.Content[i+1].Content[j].Line, id)
			}
			t.order = append(t.order, id)
			t.types[id] = typ
		}
	}
	return nil
}

// conditionCycle finds a condition that depends on itself, which CloudFormation refuses (and
// which would not end evaluating).
func (t *cfnTemplate) conditionCycle() error {
	conds, _ := t.root["Conditions"].(map[string]any)
	names := make([]string, 0, len(conds))
	for k := range conds {
		names = append(names, k)
	}
	sort.Strings(names)
	state := map[string]int{} // 1: being visited, 2: done
	var visit func(name string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("line %d: Conditions.%s: the condition depends on itself", t.lines["Conditions."+name], name)
		case 2:
			return nil
		}
		state[name] = 1
		var err error
		walkConditionRefs(conds[name], func(ref string) {
			if err == nil && conds[ref] != nil {
				err = visit(ref)
			}
		})
		state[name] = 2
		return err
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}

// walkConditionRefs calls fn with every condition a condition expression names.
func walkConditionRefs(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "Condition" {
				fn(s)
			}
			walkConditionRefs(e, fn)
		}
	case []any:
		for _, e := range x {
			walkConditionRefs(e, fn)
		}
	}
}

// read converts the task definitions first, then the services, so that a service's Ref to its
// task definition resolves to the family.
func (t *cfnTemplate) read(ref DocRef, out *sourceDocs) {
	found := false
	for _, typ := range []string{cfnTaskDefinition, cfnService} {
		for _, id := range t.order {
			if t.types[id] != typ {
				continue
			}
			found = true
			r := ref
			r.Resource = "Resources." + id
			v, fs, err := t.resource(id, typ)
			if err != nil {
				var de *DocError
				if errors.As(err, &de) {
					out.fail(r, de.Path, de.Err)
				} else {
					out.fail(r, "", err)
				}
				continue
			}
			if v != nil {
				out.add(r, v, fs)
			} else if len(fs) > 0 {
				out.note(r, fs)
			}
		}
	}
	if !found {
		var fs mapping.Findings
		fs.Add("Resources", mapping.Info, "a CloudFormation template without %s or %s resources: nothing to convert", cfnTaskDefinition, cfnService)
		out.note(ref, fs)
	}
}

// resource converts one ECS resource; nil when its condition is false.
func (t *cfnTemplate) resource(id, typ string) (any, mapping.Findings, error) {
	base := "Resources." + id
	res, _ := t.root["Resources"].(map[string]any)[id].(map[string]any)
	for _, k := range sortedKeys(res) {
		switch k {
		case "Type", "Properties", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Condition", "UpdatePolicy", "CreationPolicy":
		default:
			return nil, nil, t.errorAt(base, k, "unknown resource attribute")
		}
	}
	props := res["Properties"]
	if props == nil {
		props = map[string]any{}
	}
	if err := t.check(props, mapping.Join(base, "Properties"), base); err != nil {
		return nil, nil, err
	}
	var fs mapping.Findings
	t.conditionNotes = nil
	resolved, conditions, err := t.resolve(props)
	if err != nil {
		return nil, nil, err
	}
	if c, ok := res["Condition"].(string); ok {
		if _, known := conditions[c]; !known {
			return nil, nil, t.errorAt(base, "Condition", fmt.Sprintf("%q: the template has no condition of that name", c))
		}
		switch v := conditions[c].(type) {
		case bool:
			if !v {
				fs.Add("", mapping.Info, "condition %s is false with these parameters: CloudFormation does not create %s", c, id)
				return nil, fs, nil
			}
		default:
			fs.Add("", mapping.Lossy, "condition %s depends on values not known before deployment; %s is converted as if it were true", c, id)
		}
	}
	if t.stackUsed {
		fs.Add("", mapping.Info, "AWS::StackName is taken to be %q, the template's file name (--parameter AWS::StackName=NAME sets it)", t.stack)
		t.stackUsed = false
	}
	for _, c := range t.conditionNotes {
		fs.Add("", mapping.Lossy, "condition %s depends on values not known before deployment; Fn::If took its false branch", c)
	}
	gaps, err := t.takeGaps(resolved, typ, mapping.Join(base, "Properties"), base)
	if err != nil {
		return nil, nil, err
	}
	typed, err := t.typed(resolved, typ, mapping.Join(base, "Properties"), base)
	if err != nil {
		return nil, nil, err
	}
	switch v := typed.(type) {
	case *cfnecs.TaskDefinition:
		td, tfs, err := cfnTaskDefinitionInput(v)
		if err == nil {
			err = gaps.apply(td, &tfs)
		}
		if err != nil {
			return nil, nil, err
		}
		if td.Family == nil {
			td.Family = aws.String(cfnName(id, res))
			tfs.Add("family", mapping.Info, "Family is not set: CloudFormation makes one up from the stack name and %s; %q is used", id, *td.Family)
		}
		t.families[id] = aws.ToString(td.Family)
		return td, append(append(fs, tfs...), t.ph.findings(td)...), nil
	case *cfnecs.Service:
		svc, sfs, err := cfnServiceInput(v)
		if err == nil {
			err = gaps.apply(svc, &sfs)
		}
		if err != nil {
			return nil, nil, err
		}
		if svc.ServiceName == nil {
			svc.ServiceName = aws.String(cfnName(id, res))
			sfs.Add("serviceName", mapping.Info, "ServiceName is not set: CloudFormation makes one up; %q, after the logical id %s, is used", *svc.ServiceName, id)
		}
		return svc, append(append(fs, sfs...), t.ph.findings(svc)...), nil
	}
	return nil, nil, nil
}

// cfnName is the name a resource without one gets: its logical id, without the hash cdk synth
// appends to it (WebService7A8B9C0D → WebService).
func cfnName(id string, res map[string]any) string {
	meta, _ := res["Metadata"].(map[string]any)
	if _, cdk := meta["aws:cdk:path"]; !cdk || len(id) <= 8 {
		return id
	}
	for _, r := range id[len(id)-8:] {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'F') {
			return id
		}
	}
	return id[:len(id)-8]
}

// errorAt is an error about the value at path (absolute), relative to the resource at base, with
// its line.
func (t *cfnTemplate) errorAt(base, path, msg string) error {
	abs := mapping.Join(base, path)
	rel := strings.TrimPrefix(strings.TrimPrefix(abs, base), ".")
	if line := t.lines[abs]; line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	return &DocError{Path: rel, Err: errors.New(msg)}
}

// pseudoParameters are CloudFormation's pseudo parameters.
var pseudoParameters = []string{"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}

// check finds the references a resource makes that the template cannot satisfy: a Ref or ${} to
// a name that is neither a parameter, a resource nor a pseudo parameter, a GetAtt of a missing
// resource, a missing condition or mapping. CloudFormation refuses such a template.
func (t *cfnTemplate) check(v any, path, base string) error {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			if err := t.check(e, mapping.Index(path, i), base); err != nil {
				return err
			}
		}
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if err := t.checkFunction(fn, arg, path, base); err != nil {
					return err
				}
			}
		}
		for _, k := range sortedKeys(x) {
			if err := t.check(x[k], mapping.Join(path, k), base); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *cfnTemplate) checkFunction(fn string, arg any, path, base string) error {
	rel := strings.TrimPrefix(strings.TrimPrefix(path, base), ".")
	fail := func(msg string, args ...any) error { return t.errorAt(base, rel, fmt.Sprintf(msg, args...)) }
	switch fn {
	case "Ref":
		if name, ok := arg.(string); ok && !t.known(name) {
			return fail("Ref %s: the template has no parameter or resource of that name", name)
		}
	case "Fn::GetAtt":
		if l, ok := arg.([]any); ok && len(l) > 0 {
			if name, ok := l[0].(string); ok && t.types[name] == "" {
				return fail("Fn::GetAtt %s: the template has no resource of that name", name)
			}
		}
	case "Fn::Sub":
		s, vars := subArgs(arg)
		for _, name := range subVariables(s) {
			if _, ok := vars[name]; ok {
				continue
			}
			res, _, isAtt := strings.Cut(name, ".")
			if isAtt && t.types[res] == "" || !isAtt && !t.known(name) {
				return fail("Fn::Sub ${%s}: the template has no parameter or resource of that name", name)
			}
		}
	case "Condition", "Fn::If":
		name, _ := arg.(string)
		if l, ok := arg.([]any); ok && len(l) > 0 {
			name, _ = l[0].(string)
		}
		if conds, _ := t.root["Conditions"].(map[string]any); name != "" && conds[name] == nil {
			return fail("%s %s: the template has no condition of that name", fn, name)
		}
	case "Fn::FindInMap":
		if l, ok := arg.([]any); ok && len(l) > 0 {
			if name, ok := l[0].(string); ok {
				if maps, _ := t.root["Mappings"].(map[string]any); maps[name] == nil {
					return fail("Fn::FindInMap %s: the template has no mapping of that name", name)
				}
			}
		}
	}
	return nil
}

func (t *cfnTemplate) known(name string) bool {
	params, _ := t.root["Parameters"].(map[string]any)
	return params[name] != nil || t.types[name] != "" || slices.Contains(pseudoParameters, name)
}

// subArgs takes apart the argument of Fn::Sub: a string, or a string and a map of variables.
func subArgs(arg any) (string, map[string]any) {
	switch x := arg.(type) {
	case string:
		return x, nil
	case []any:
		if len(x) == 2 {
			s, _ := x[0].(string)
			vars, _ := x[1].(map[string]any)
			return s, vars
		}
	}
	return "", nil
}

// subVariables lists the ${Name} variables of an Fn::Sub string; ${!Literal} is not one.
func subVariables(s string) []string {
	var names []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return names
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return names
		}
		if name := s[i+2 : i+j]; !strings.HasPrefix(name, "!") {
			names = append(names, strings.TrimSpace(name))
		}
		s = s[i+j+1:]
	}
}

// resolve evaluates the intrinsic functions of a resource's properties and the template's
// conditions, with goformation's processor and handlers of our own where a value is not known
// before deployment.
func (t *cfnTemplate) resolve(props any) (any, map[string]any, error) {
	in := map[string]any{"Properties": props}
	for _, k := range []string{"Parameters", "Mappings", "Conditions"} {
		if v, ok := t.root[k]; ok {
			in[k] = v
		}
	}
	js, err := json.Marshal(in)
	if err != nil {
		return nil, nil, err
	}
	handlers := map[string]intrinsics.IntrinsicHandler{
		"Ref":             t.ref,
		"Fn::GetAtt":      t.getAtt,
		"Fn::Sub":         t.sub,
		"Fn::ImportValue": t.importValue,
		"Fn::GetAZs":      t.unknown("Fn::GetAZs", "the Availability Zones of the region"),
		"Fn::Cidr":        t.unknown("Fn::Cidr", "CIDR blocks computed at deployment"),
		"Fn::Equals":      t.equals,
		"Fn::If":          t.fnIf,
	}
	// goformation's own handlers for the rest, guarded: they index their arguments unchecked.
	for name, h := range map[string]intrinsics.IntrinsicHandler{
		"Fn::Base64": intrinsics.FnBase64, "Fn::And": intrinsics.FnAnd, "Fn::Not": intrinsics.FnNot, "Fn::Or": intrinsics.FnOr,
		"Fn::FindInMap": intrinsics.FnFindInMap, "Fn::Join": intrinsics.FnJoin, "Fn::Select": intrinsics.FnSelect,
		"Fn::Split": listOfAny(intrinsics.FnSplit), "Fn::Transform": intrinsics.FnTransform,
	} {
		handlers[name] = h
	}
	for name, h := range handlers {
		handlers[name] = safeHandler(h)
	}
	out, err := intrinsics.ProcessJSON(js, &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: handlers, EvaluateConditions: true})
	if err != nil {
		return nil, nil, err
	}
	var processed map[string]any
	if err := json.Unmarshal(out, &processed); err != nil {
		return nil, nil, err
	}
	conds, _ := processed["Conditions"].(map[string]any)
	return processed["Properties"], conds, nil
}

// listOfAny makes a handler's []string result the []any the other handlers (Fn::Select, Fn::Join)
// take.
func listOfAny(h intrinsics.IntrinsicHandler) intrinsics.IntrinsicHandler {
	return func(name string, input, template any) any {
		out := h(name, input, template)
		if l, ok := out.([]string); ok {
			anys := make([]any, len(l))
			for i, s := range l {
				anys[i] = s
			}
			return anys
		}
		return out
	}
}

// safeHandler turns a panic of a handler on malformed arguments (a short list, a wrong type)
// into an unresolved value.
func safeHandler(h intrinsics.IntrinsicHandler) intrinsics.IntrinsicHandler {
	return func(name string, input, template any) (out any) {
		defer func() {
			if recover() != nil {
				out = nil
			}
		}()
		return h(name, input, template)
	}
}

// ref resolves Ref: a parameter (from --parameter, else its default), a pseudo parameter, the
// family of a task definition of the template, else a placeholder.
func (t *cfnTemplate) ref(_ string, input, _ any) any {
	name, ok := input.(string)
	if !ok {
		return nil
	}
	if v, ok := t.so.parameter(name); ok {
		return t.paramValue(name, v)
	}
	if strings.HasPrefix(name, "AWS::") {
		return t.pseudo(name)
	}
	params, _ := t.root["Parameters"].(map[string]any)
	if p, ok := params[name].(map[string]any); ok {
		if def, ok := p["Default"]; ok {
			return t.paramValue(name, scalarString(def))
		}
		ph := t.ph.add("${"+name+"}", "parameter "+name+" has no default: pass --parameter "+name+"=VALUE")
		if isListParameter(p) {
			return []any{ph}
		}
		return ph
	}
	if fam, ok := t.families[name]; ok {
		return fam
	}
	return t.ph.add("${"+name+"}", "the resource "+name+" ("+t.types[name]+")")
}

// paramValue is a parameter's value as Ref gives it: a list for the list types.
func (t *cfnTemplate) paramValue(name, v string) any {
	params, _ := t.root["Parameters"].(map[string]any)
	p, _ := params[name].(map[string]any)
	if isListParameter(p) {
		var l []any
		for _, e := range strings.Split(v, ",") {
			l = append(l, strings.TrimSpace(e))
		}
		return l
	}
	return v
}

// isListParameter tells a parameter whose Ref is a list (CommaDelimitedList, List<…>).
func isListParameter(p map[string]any) bool {
	typ, _ := p["Type"].(string)
	return typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
}

func (o *SourceOptions) parameter(name string) (string, bool) {
	if o == nil {
		return "", false
	}
	v, ok := o.Parameters[name]
	return v, ok
}

// pseudo resolves a pseudo parameter: the region from SourceOptions.Region, the partition and URL
// suffix from the region; the account, stack and notification ARNs are placeholders.
func (t *cfnTemplate) pseudo(name string) any {
	region := ""
	if t.so != nil {
		region = t.so.Region
	}
	if v, ok := t.so.parameter("AWS::Region"); ok {
		region = v
	}
	switch name {
	case "AWS::NoValue":
		return nil
	case "AWS::Region":
		if region != "" {
			return region
		}
		return t.ph.add("${AWS::Region}", "the stack's region: pass --region or --parameter AWS::Region=REGION")
	case "AWS::Partition":
		switch {
		case strings.HasPrefix(region, "cn-"):
			return "aws-cn"
		case strings.HasPrefix(region, "us-gov-"):
			return "aws-us-gov"
		}
		return "aws"
	case "AWS::URLSuffix":
		if strings.HasPrefix(region, "cn-") {
			return "amazonaws.com.cn"
		}
		return "amazonaws.com"
	case "AWS::StackName":
		if t.stack != "" {
			t.stackUsed = true
			return t.stack
		}
	case "AWS::NotificationARNs":
		return []any{t.ph.add("${AWS::NotificationARNs}", "the stack's notification ARNs")}
	}
	return t.ph.add("${"+name+"}", "known once the stack is deployed: pass --parameter "+name+"=VALUE")
}

func (t *cfnTemplate) getAtt(_ string, input, _ any) any {
	l, ok := input.([]any)
	if !ok || len(l) != 2 {
		return nil
	}
	res, _ := l[0].(string)
	attr := scalarString(l[1])
	return t.ph.add("${"+res+"."+attr+"}", "the "+attr+" attribute of the resource "+res+" ("+t.types[res]+")")
}

func (t *cfnTemplate) importValue(_ string, input, _ any) any {
	name := scalarString(input)
	return t.ph.add("${Fn::ImportValue "+name+"}", "the export "+name+" of another stack")
}

func (t *cfnTemplate) unknown(fn, what string) intrinsics.IntrinsicHandler {
	return func(string, any, any) any { return t.ph.add("${"+fn+"}", what) }
}

// sub resolves Fn::Sub: variables of its map, parameters, pseudo parameters and resources as Ref
// and GetAtt resolve them; ${!Literal} stands for ${Literal}.
func (t *cfnTemplate) sub(_ string, input, _ any) any {
	s, vars := subArgs(input)
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		var v any
		if x, ok := vars[name]; ok {
			v = x
		} else if res, attr, isAtt := strings.Cut(name, "."); isAtt {
			v = t.getAtt("", []any{res, attr}, nil)
		} else {
			v = t.ref("", name, nil)
		}
		b.WriteString(scalarString(v))
	}
}

// equals is Fn::Equals, unknown (nil) when either side holds a placeholder.
func (t *cfnTemplate) equals(_ string, input, _ any) any {
	l, ok := input.([]any)
	if !ok || len(l) != 2 {
		return nil
	}
	a, b := scalarString(l[0]), scalarString(l[1])
	for _, ph := range t.ph.list {
		if strings.Contains(a, ph.Text) || strings.Contains(b, ph.Text) {
			return nil
		}
	}
	return reflect.DeepEqual(l[0], l[1]) || a == b && a != ""
}

// fnIf is Fn::If; a condition that cannot be evaluated takes the false branch, with a finding.
func (t *cfnTemplate) fnIf(_ string, input, template any) any {
	l, ok := input.([]any)
	if !ok || len(l) != 3 {
		return nil
	}
	name, _ := l[0].(string)
	conds, _ := template.(map[string]any)["Conditions"].(map[string]any)
	switch v := conds[name].(type) {
	case bool:
		if v {
			return l[1]
		}
	default:
		t.conditionNotes = append(t.conditionNotes, name)
	}
	return l[2]
}

// scalarString renders a resolved scalar as CloudFormation would put it in a string.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// typed decodes resolved properties into goformation's struct of the resource type. Values are
// first checked against the struct, so that an unknown property is an error naming its path and
// line, and coerced as CloudFormation coerces them (Cpu: 256 for the string "256", "80" for a port).
func (t *cfnTemplate) typed(props any, typ, path, base string) (any, error) {
	var target any
	switch typ {
	case cfnTaskDefinition:
		target = &cfnecs.TaskDefinition{}
	case cfnService:
		target = &cfnecs.Service{}
	}
	coerced, err := t.coerce(props, reflect.TypeOf(target).Elem(), path, base)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(map[string]any{"Type": typ, "Properties": coerced})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(js, target); err != nil {
		return nil, &DocError{Path: "Properties", Err: err}
	}
	return target, nil
}

// coerce checks a resolved value against the goformation type t and converts scalars where
// CloudFormation would.
func (t *cfnTemplate) coerce(v any, typ reflect.Type, path, base string) (any, error) {
	fail := func(msg string) error {
		return t.errorAt(base, strings.TrimPrefix(strings.TrimPrefix(path, base), "."), msg)
	}
	if v == nil {
		return nil, nil
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fail(fmt.Sprintf("must be an object, not %s", jsonKind(v)))
		}
		fields := cfnFields(typ)
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			e := m[k]
			f, ok := fields[k]
			if !ok {
				return nil, t.errorAt(base, strings.TrimPrefix(strings.TrimPrefix(mapping.Join(path, k), base), "."), "unknown property"+suggestName(k, fields))
			}
			c, err := t.coerce(e, f.Type, mapping.Join(path, k), base)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out[k] = c
			}
		}
		return out, nil
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return nil, fail(fmt.Sprintf("must be a list, not %s", jsonKind(v)))
		}
		out := make([]any, 0, len(l))
		for i, e := range l {
			c, err := t.coerce(e, typ.Elem(), mapping.Index(path, i), base)
			if err != nil {
				return nil, err
			}
			if c != nil {
				out = append(out, c)
			}
		}
		return out, nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fail(fmt.Sprintf("must be an object, not %s", jsonKind(v)))
		}
		out := make(map[string]any, len(m))
		for _, k := range sortedKeys(m) {
			e := m[k]
			c, err := t.coerce(e, typ.Elem(), mapping.Join(path, k), base)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case reflect.String:
		switch x := v.(type) {
		case string, float64, bool:
			return scalarString(x), nil
		}
		return nil, fail(fmt.Sprintf("must be a string, not %s", jsonKind(v)))
	case reflect.Int:
		switch x := v.(type) {
		case float64:
			if x == float64(int64(x)) {
				return x, nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return float64(n), nil
			}
		}
		return nil, fail(fmt.Sprintf("must be an integer, not %s", jsonKind(v)))
	case reflect.Float64:
		switch x := v.(type) {
		case float64:
			return x, nil
		case string:
			if n, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return n, nil
			}
		}
		return nil, fail(fmt.Sprintf("must be a number, not %s", jsonKind(v)))
	case reflect.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
		return nil, fail(fmt.Sprintf("must be true or false, not %s", jsonKind(v)))
	}
	return v, nil
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return strconv.Quote(x)
	}
	return scalarString(v)
}

// cfnFields maps the JSON names of a goformation struct's properties to their fields.
func cfnFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		out[name] = f
	}
	return out
}

func suggestName(name string, fields map[string]reflect.StructField) string {
	best, bestDist := "", 3
	for k := range fields {
		if strings.EqualFold(k, name) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
		if d := editDistanceStrings(k, name); d < bestDist || d == bestDist && k < best {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistanceStrings is the Levenshtein distance of two property names.
func editDistanceStrings(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// cfnTaskDefinitionInput copies an AWS::ECS::TaskDefinition to the RegisterTaskDefinition input.
func cfnTaskDefinitionInput(td *cfnecs.TaskDefinition) (*ecs.RegisterTaskDefinitionInput, mapping.Findings, error) {
	out := &ecs.RegisterTaskDefinitionInput{}
	var fs mapping.Findings
	err := cfnCopy(reflect.ValueOf(td).Elem(), reflect.ValueOf(out).Elem(), "", &fs)
	return out, fs, err
}

// cfnServiceInput copies an AWS::ECS::Service to the CreateService input.
func cfnServiceInput(s *cfnecs.Service) (*ecs.CreateServiceInput, mapping.Findings, error) {
	out := &ecs.CreateServiceInput{}
	var fs mapping.Findings
	err := cfnCopy(reflect.ValueOf(s).Elem(), reflect.ValueOf(out).Elem(), "", &fs)
	return out, fs, err
}
