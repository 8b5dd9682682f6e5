package convert

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyconvert "github.com/zclconf/go-cty/cty/convert"
)

// Evaluation of a Terraform module, lazily: an expression is evaluated in a scope that holds
// only what it refers to, and a variable, local, module output or attribute of another resource
// is evaluated when an expression needs it, once. So a local or resource no ECS resource needs
// is never evaluated and cannot fail the module; an error in one that is needed is an error
// naming its file and line. As in Terraform's plan, an attribute of another resource or a data
// source is known when the configuration sets it, and unknown otherwise (an ARN, an id): unknown
// values propagate through operators and functions, and a value that reaches an ECS field while
// still unknown becomes a placeholder naming its origin ("${aws_iam_role.task.arn}"), carried
// by a cty mark on the unknown value.

// tfOrigin marks a value known only at apply with what it stands for: the reference in
// Terraform's own syntax (with the module path inside a child module) and a description for the
// finding.
type tfOrigin struct{ text, what string }

// tfMemo is a value evaluated once, or its error.
type tfMemo struct {
	v   cty.Value
	err error
}

// tfKeys are the instances of a resource or module block: one without count or for_each.
type tfKeys struct {
	// known is false when count or for_each is known only at apply.
	known bool
	// keys are the instance keys (numbers for count, strings for for_each); counted says which.
	keys    []cty.Value
	counted bool
	multi   bool
	// each are the for_each values, by key.
	each map[string]cty.Value
}

// text is an instance key as Terraform writes it in an address: "", "[0]", `["api"]`.
func (k tfKeys) text(key cty.Value) string {
	if !k.multi {
		return ""
	}
	return tfKeyText(key)
}

func tfKeyText(key cty.Value) string {
	if key.Type() == cty.String {
		return fmt.Sprintf("[%q]", key.AsString())
	}
	return "[" + key.AsBigFloat().Text('f', -1) + "]"
}

// vars are the count or each object of an instance.
func (k tfKeys) vars(key cty.Value) map[string]cty.Value {
	switch {
	case !k.multi:
		return nil
	case k.counted:
		return map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": key})}
	}
	return map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": key, "value": k.each[key.AsString()]})}
}

// memo evaluates fn once per key; a key being evaluated again is a cycle.
func (m *tfModule) memo(key string, rng hcl.Range, fn func() (cty.Value, error)) (cty.Value, error) {
	if r, ok := m.memos[key]; ok {
		return r.v, r.err
	}
	if m.busy[key] {
		return cty.NilVal, tfError(rng, fmt.Sprintf("%s%s refers to itself (a cycle)", m.addr, key))
	}
	m.busy[key] = true
	v, err := fn()
	delete(m.busy, key)
	m.memos[key] = tfMemo{v, err}
	return v, err
}

// tfError is an error at a place of a file, as a diagnostic.
func tfError(rng hcl.Range, msg string) error {
	r := rng
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: msg, Subject: &r}}
}

// value evaluates an expression of this module; inst holds count, each and the iterators of the
// instance being read.
func (m *tfModule) value(expr hcl.Expression, inst map[string]cty.Value) (cty.Value, error) {
	ctx, err := m.scope(expr.Variables(), tfAttrNames(expr), inst)
	if err != nil {
		return cty.NilVal, err
	}
	ctx.Functions = tfFunctionsFor(expr, m.run.fns)
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return tfUnknownMarksOnly(v), nil
}

// tfUnknownMarksOnly keeps the origins of a value's unknown parts on those parts only: a known
// value or a container marked with origins got them from a comparison or a condition, and would
// pass them on to everything made from it. Unknown parts are taken not to be null: they stand
// for attributes, outputs and variables, which an expression such as v != null expects to hold
// a value.
func tfUnknownMarksOnly(v cty.Value) cty.Value {
	if !v.ContainsMarked() {
		return v
	}
	plain, marks := v.UnmarkDeepWithPaths()
	var keep []cty.PathValueMarks
	notNull := false
	for _, pm := range marks {
		if x, err := pm.Path.Apply(plain); err == nil && !x.IsKnown() {
			keep = append(keep, pm)
			notNull = true
		}
	}
	if notNull {
		plain, _ = cty.Transform(plain, func(_ cty.Path, x cty.Value) (cty.Value, error) {
			if !x.IsKnown() && x.Type() != cty.DynamicPseudoType && !x.Range().DefinitelyNotNull() {
				return x.RefineNotNull(), nil
			}
			return x, nil
		})
	}
	return plain.MarkWithPaths(keep)
}

// tfRefs groups the traversals of an expression by what they refer to.
type tfRefs struct {
	vars, locals map[string]hcl.Range
	allVars      bool
	allLocals    bool
	// modules and resources ("aws_iam_role.task", "data.aws_region.current") hold the rest of
	// each traversal after the block's address.
	modules   map[string][]hcl.Traversal
	resources map[string][]hcl.Traversal
	// at is where each module or resource is first referred to.
	at map[string]hcl.Range
}

func (m *tfModule) refs(traversals []hcl.Traversal, inst map[string]cty.Value) tfRefs {
	r := tfRefs{vars: map[string]hcl.Range{}, locals: map[string]hcl.Range{}, modules: map[string][]hcl.Traversal{}, resources: map[string][]hcl.Traversal{}, at: map[string]hcl.Range{}}
	for _, t := range traversals {
		root := t.RootName()
		if _, ok := inst[root]; ok {
			continue
		}
		name, _ := tfAttrStep(t, 1)
		switch root {
		case "var", "local":
			all, set := &r.allVars, r.vars
			if root == "local" {
				all, set = &r.allLocals, r.locals
			}
			if name == "" {
				*all = true
			} else if _, seen := set[name]; !seen {
				set[name] = t.SourceRange()
			}
		case "module":
			if name != "" {
				r.modules[name] = append(r.modules[name], t[2:])
				r.first("module."+name, t)
			}
		case "data":
			if n, ok := tfAttrStep(t, 2); ok && name != "" {
				r.resources["data."+name+"."+n] = append(r.resources["data."+name+"."+n], t[3:])
				r.first("data."+name+"."+n, t)
			}
		case "path", "terraform", "count", "each", "self":
		default:
			if name != "" && !m.cfg.types[root] && tfResourceType(root) {
				// A resource the module does not declare (a part of a configuration, given
				// alone): Terraform refuses it; podecs takes it as known only at apply.
				m.cfg.undeclared(root, name)
			}
			if m.cfg.types[root] && name != "" {
				r.resources[root+"."+name] = append(r.resources[root+"."+name], t[2:])
				r.first(root+"."+name, t)
			}
		}
	}
	return r
}

// tfResourceType says whether a name is shaped as a resource type: provider_type.
func tfResourceType(name string) bool {
	i := strings.IndexByte(name, '_')
	if i <= 0 || i == len(name)-1 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (r tfRefs) first(addr string, t hcl.Traversal) {
	if _, ok := r.at[addr]; !ok {
		r.at[addr] = t.SourceRange()
	}
}

// tfAttrStep is the name of step i of a traversal when it is an attribute.
func tfAttrStep(t hcl.Traversal, i int) (string, bool) {
	if i >= len(t) {
		return "", false
	}
	if a, ok := t[i].(hcl.TraverseAttr); ok {
		return a.Name, true
	}
	return "", false
}

// scope is the context of an expression: the values of what its traversals refer to.
func (m *tfModule) scope(traversals []hcl.Traversal, names map[string]bool, inst map[string]cty.Value) (*hcl.EvalContext, error) {
	refs := m.refs(traversals, inst)
	vars := map[string]cty.Value{
		"path":      m.pathValue(),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal(m.run.workspace())}),
	}
	for k, v := range inst {
		vars[k] = v
	}
	obj, err := m.namedValues(refs.vars, refs.allVars, m.cfg.variableNames(), m.variable)
	if err != nil {
		return nil, err
	}
	vars["var"] = obj
	if obj, err = m.namedValues(refs.locals, refs.allLocals, m.cfg.localNames(), m.local); err != nil {
		return nil, err
	}
	vars["local"] = obj
	modules := map[string]cty.Value{}
	for _, name := range sortedKeys(refs.modules) {
		v, err := m.moduleValue(name, refs.modules[name], names, refs.at["module."+name])
		if err != nil {
			return nil, err
		}
		modules[name] = v
	}
	vars["module"] = cty.ObjectVal(modules)
	data := map[string]map[string]cty.Value{}
	managed := map[string]map[string]cty.Value{}
	for _, addr := range sortedKeys(refs.resources) {
		res := m.cfg.resources[addr]
		if res == nil {
			return nil, tfError(refs.at[addr], fmt.Sprintf("reference to undeclared resource %s", addr))
		}
		v, err := m.resourceValue(res, refs.resources[addr], names)
		if err != nil {
			return nil, err
		}
		group := managed
		if res.data {
			group = data
		}
		if group[res.typ] == nil {
			group[res.typ] = map[string]cty.Value{}
		}
		group[res.typ][res.name] = v
	}
	for typ, byName := range managed {
		vars[typ] = cty.ObjectVal(byName)
	}
	dataObj := map[string]cty.Value{}
	for typ, byName := range data {
		dataObj[typ] = cty.ObjectVal(byName)
	}
	vars["data"] = cty.ObjectVal(dataObj)
	return &hcl.EvalContext{Variables: vars}, nil
}

// namedValues is the var or local object of a scope: the names referred to, or all of them.
func (m *tfModule) namedValues(want map[string]hcl.Range, all bool, names []string, get func(string, hcl.Range) (cty.Value, error)) (cty.Value, error) {
	out := map[string]cty.Value{}
	if all {
		for _, n := range names {
			if _, ok := want[n]; !ok {
				want[n] = hcl.Range{}
			}
		}
	}
	for _, n := range sortedKeys(want) {
		v, err := get(n, want[n])
		if err != nil {
			return cty.NilVal, err
		}
		out[n] = v
	}
	return cty.ObjectVal(out), nil
}

// pathValue is path.module, path.root and path.cwd, as Terraform sees them when it runs in the
// root module's directory.
func (m *tfModule) pathValue() cty.Value {
	mod := "."
	if m.cfg.dir != m.run.root {
		if rel, err := filepath.Rel(filepath.FromSlash(m.run.root), filepath.FromSlash(m.cfg.dir)); err == nil {
			mod = filepath.ToSlash(rel)
		} else {
			mod = m.cfg.dir
		}
	}
	return cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(mod), "root": cty.StringVal("."), "cwd": cty.StringVal(m.run.cwd())})
}

// local evaluates local.NAME.
func (m *tfModule) local(name string, rng hcl.Range) (cty.Value, error) {
	a := m.cfg.locals[name]
	if a == nil {
		return cty.NilVal, tfError(rng, fmt.Sprintf("reference to undeclared local value local.%s", name))
	}
	return m.memo("local."+name, a.Range, func() (cty.Value, error) { return m.value(a.Expr, nil) })
}

// variable evaluates var.NAME: the value given (the module block's argument for a child module;
// .tfvars and --var for the root), or the default, converted to the variable's type with the
// defaults of its optional attributes, as Terraform does. A root variable without a value is
// known only at apply.
func (m *tfModule) variable(name string, rng hcl.Range) (cty.Value, error) {
	decl := m.cfg.variables[name]
	if decl == nil {
		return cty.NilVal, tfError(rng, fmt.Sprintf("reference to undeclared input variable var.%s", name))
	}
	return m.memo("var."+name, decl.decl, func() (cty.Value, error) {
		given, set, at := cty.NilVal, false, decl.decl
		switch {
		case m.parent == nil:
			given, set = m.rootVals[name]
		case m.call.args[name] != nil:
			a := m.call.args[name]
			v, err := m.parent.value(a.Expr, m.callVars)
			if err != nil {
				return cty.NilVal, err
			}
			given, set, at = v, true, a.Range
		}
		if set && given.IsNull() && !decl.nullable {
			set = false
		}
		if !set {
			switch {
			case decl.hasDefault:
				given = decl.def
			case m.parent == nil:
				return cty.UnknownVal(decl.typ.WithoutOptionalAttributesDeep()).Mark(tfOrigin{text: "var." + name,
					what: "variable " + name + " has no value: give it with --var " + name + "=VALUE or a .tfvars file"}), nil
			default:
				return cty.NilVal, tfError(m.call.block.DefRange, fmt.Sprintf("%s: the module needs a value for its variable %q", strings.TrimSuffix(m.addr, "."), name))
			}
		}
		v, err := tfConvertVariable(given, decl)
		if err != nil {
			return cty.NilVal, tfError(at, fmt.Sprintf("variable %q: %v", name, err))
		}
		return v, nil
	})
}

// tfConvertVariable converts a value to a variable's type, after the defaults of its optional
// attributes are applied; marks (the origins of unknown parts) are kept.
func tfConvertVariable(v cty.Value, decl *tfVariable) (cty.Value, error) {
	plain, marks := v.UnmarkDeepWithPaths()
	if decl.defaults != nil && !plain.IsNull() {
		plain = decl.defaults.Apply(plain)
	}
	out, err := ctyconvert.Convert(plain, decl.typ)
	if err != nil {
		return cty.NilVal, err
	}
	return tfUnknownMarksOnly(tfRemark(out, marks)), nil
}

// tfRemark puts the marks back on a converted value: an attribute of an object may have become a
// key of a map and the other way round; a mark whose place is gone goes on the nearest part that
// is still there.
func tfRemark(v cty.Value, marks []cty.PathValueMarks) cty.Value {
	var keep []cty.PathValueMarks
	for _, pm := range marks {
		keep = append(keep, cty.PathValueMarks{Path: tfAdaptPath(pm.Path, v), Marks: pm.Marks})
	}
	if len(keep) == 0 {
		return v
	}
	return v.MarkWithPaths(keep)
}

func tfAdaptPath(p cty.Path, v cty.Value) cty.Path {
	var out cty.Path
	cur := v
	for _, step := range p {
		if cur.IsNull() || !cur.IsKnown() {
			return out
		}
		ty := cur.Type()
		switch s := step.(type) {
		case cty.GetAttrStep:
			if ty.IsMapType() {
				step = cty.IndexStep{Key: cty.StringVal(s.Name)}
			}
		case cty.IndexStep:
			if ty.IsObjectType() && s.Key.Type() == cty.String {
				step = cty.GetAttrStep{Name: s.Key.AsString()}
			}
			if ty.IsSetType() {
				return out
			}
		}
		next, err := step.Apply(cur)
		if err != nil {
			return out
		}
		out, cur = append(out, step), next
	}
	return out
}

// keysOf evaluates the count or for_each of a block, once.
func (m *tfModule) keysOf(addr string, count, forEach hcl.Expression) (tfKeys, error) {
	if count == nil && forEach == nil {
		return tfKeys{known: true, keys: []cty.Value{cty.NilVal}}, nil
	}
	if k, ok := m.keys[addr]; ok {
		return k.keys, k.err
	}
	if m.busy["keys:"+addr] {
		rng := forEach
		if count != nil {
			rng = count
		}
		return tfKeys{}, tfError(rng.Range(), fmt.Sprintf("%s%s: its count or for_each refers to itself (a cycle)", m.addr, addr))
	}
	m.busy["keys:"+addr] = true
	k, err := m.evalKeys(count, forEach)
	delete(m.busy, "keys:"+addr)
	m.keys[addr] = tfKeysMemo{k, err}
	return k, err
}

// tfMaxCount bounds count: ECS takes at most 5,000 services in a cluster, and a count beyond
// this is a mistake that would otherwise take the run's time and memory.
const tfMaxCount = 10000

// tfKeysMemo is the instances of a block, evaluated once, or the error.
type tfKeysMemo struct {
	keys tfKeys
	err  error
}

func (m *tfModule) evalKeys(count, forEach hcl.Expression) (tfKeys, error) {
	out := tfKeys{known: true, multi: true}
	if count != nil {
		v, err := m.value(count, nil)
		if err != nil {
			return out, err
		}
		v, _ = v.UnmarkDeep()
		if !v.IsKnown() {
			out.known = false
			return out, nil
		}
		n, err := ctyconvert.Convert(v, cty.Number)
		if err != nil || n.IsNull() {
			return out, tfError(count.Range(), "count must be a whole number")
		}
		c, acc := n.AsBigFloat().Int64()
		if acc != 0 || c < 0 {
			return out, tfError(count.Range(), "count must be a whole number, 0 or more")
		}
		if c > tfMaxCount {
			return out, tfError(count.Range(), fmt.Sprintf("count is %d: podecs reads at most %d instances of a block", c, tfMaxCount))
		}
		out.counted = true
		for i := range c {
			out.keys = append(out.keys, cty.NumberIntVal(i))
		}
		return out, nil
	}
	v, err := m.value(forEach, nil)
	if err != nil {
		return out, err
	}
	v, marks := v.Unmark()
	if !v.IsKnown() {
		out.known = false
		return out, nil
	}
	ty := v.Type()
	if v.IsNull() || !(ty.IsMapType() || ty.IsObjectType() || ty.IsSetType()) {
		return out, tfError(forEach.Range(), "for_each must be a map, or a set of strings")
	}
	out.each = map[string]cty.Value{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if ty.IsSetType() {
			plain, _ := e.Unmark()
			if !plain.IsKnown() {
				out.known = false
				return out, nil
			}
			if plain.Type() != cty.String || plain.IsNull() {
				return out, tfError(forEach.Range(), "for_each of a set must be a set of strings")
			}
			k = plain
		}
		out.keys = append(out.keys, k)
		out.each[k.AsString()] = e.WithMarks(marks)
	}
	sort.Slice(out.keys, func(i, j int) bool { return out.keys[i].AsString() < out.keys[j].AsString() })
	return out, nil
}

// resourceValue is the value of a resource or data source as the traversals rest (what follows
// its address) see it: an object per instance, with the attributes they name.
func (m *tfModule) resourceValue(res *tfResource, rests []hcl.Traversal, names map[string]bool) (cty.Value, error) {
	addr := res.addr
	keys, err := m.keysOf(addr, res.count, res.forEach)
	if err != nil {
		return cty.NilVal, err
	}
	if !keys.known {
		return cty.DynamicVal.Mark(m.origin(addr, "", res)), nil
	}
	instance := func(key cty.Value) (cty.Value, error) {
		attrs := map[string][]hcl.Traversal{}
		exact := map[string]bool{}
		for _, t := range rests {
			if keys.multi && len(t) > 0 {
				if _, ok := t[0].(hcl.TraverseIndex); !ok {
					continue
				}
				t = t[1:]
			}
			if n, ok := tfAttrStep(t, 0); ok {
				exact[n] = true
				attrs[n] = append(attrs[n], t[1:])
			}
		}
		for n := range names {
			if _, ok := attrs[n]; !ok {
				attrs[n] = nil
			}
		}
		obj := map[string]cty.Value{}
		for _, n := range sortedKeys(attrs) {
			v, err := m.attribute(res, keys, key, n, attrs[n])
			if err != nil {
				if exact[n] {
					return cty.NilVal, err
				}
				v = cty.DynamicVal.Mark(m.origin(addr+keys.text(key)+"."+n, n, res))
			}
			obj[n] = v
		}
		return cty.ObjectVal(obj), nil
	}
	return tfInstancesValue(keys, instance)
}

// tfInstancesValue is the value of a block's instances: an object, a tuple for count, an object
// by key for for_each.
func tfInstancesValue(keys tfKeys, instance func(cty.Value) (cty.Value, error)) (cty.Value, error) {
	if !keys.multi {
		return instance(cty.NilVal)
	}
	var list []cty.Value
	byKey := map[string]cty.Value{}
	for _, k := range keys.keys {
		v, err := instance(k)
		if err != nil {
			return cty.NilVal, err
		}
		if keys.counted {
			list = append(list, v)
		} else {
			byKey[k.AsString()] = v
		}
	}
	if keys.counted {
		if len(list) == 0 {
			return cty.EmptyTupleVal, nil
		}
		return cty.TupleVal(list), nil
	}
	return cty.ObjectVal(byKey), nil
}

// attribute is one attribute of an instance of a resource or data source: the value the
// configuration sets, what podecs knows of it from a small table (a task definition's ARN names
// its family, so that a service finds the task definition it runs; the region of
// data.aws_region), or a value known only at apply.
func (m *tfModule) attribute(res *tfResource, keys tfKeys, key cty.Value, name string, rests []hcl.Traversal) (cty.Value, error) {
	inst := res.addr + keys.text(key)
	from := name
	if alias, ok := tfKnownAttributes[res.typ+"."+name]; ok && !res.data {
		from = alias
	}
	if a := res.attr(from); res.block != nil && a != nil {
		v, err := m.memo("attr:"+inst+"."+from, a.Range, func() (cty.Value, error) { return m.value(a.Expr, keys.vars(key)) })
		if err != nil {
			return cty.NilVal, err
		}
		if plain, _ := v.UnmarkDeep(); plain.IsWhollyKnown() && !plain.IsNull() {
			return v, nil
		}
	}
	if res.data {
		if v, ok := m.run.knownData(res.typ, name); ok {
			return v, nil
		}
	}
	return tfUnknownTree(m.origin(inst+"."+name, name, res), rests), nil
}

// tfKnownAttributes are attributes podecs takes from another argument of the same resource: the
// ARN of a task definition stands for its family, which a service's task_definition may name.
var tfKnownAttributes = map[string]string{
	tfTaskDefinition + ".arn":                  "family",
	tfTaskDefinition + ".arn_without_revision": "family",
	tfTaskDefinition + ".id":                   "family",
}

// origin is the mark of a value of a resource known only at apply.
func (m *tfModule) origin(text, attr string, res *tfResource) tfOrigin {
	text = m.addr + text
	if attr == "" {
		return tfOrigin{text: text, what: "known only when Terraform applies the module"}
	}
	kind := "another resource"
	if res.data {
		kind = "a data source"
	}
	owner := strings.TrimSuffix(text, "."+attr)
	return tfOrigin{text: text, what: fmt.Sprintf("the %s of %s (%s)", attr, owner, kind)}
}

// tfUnknownTree is an unknown value as the traversals that follow it see it: when every one
// goes on with an attribute or a string key, an object of those, down to unknown leaves that
// each name their whole reference (module.alb.target_groups["api"].arn); else one unknown value.
// An object is safe only then: nothing can see its keys or length.
func tfUnknownTree(o tfOrigin, rests []hcl.Traversal) cty.Value {
	if len(rests) == 0 {
		return cty.DynamicVal.RefineNotNull().Mark(o)
	}
	if same := traversalText(rests[0]); same != "" {
		for _, t := range rests[1:] {
			if traversalText(t) != same {
				same = ""
				break
			}
		}
		if same != "" && strings.HasPrefix(same, "[") {
			// One reference through an index: the whole reference names the value.
			o.text += same
			return cty.DynamicVal.RefineNotNull().Mark(o)
		}
	}
	children := map[string][]hcl.Traversal{}
	texts := map[string]string{}
	for _, t := range rests {
		if len(t) == 0 {
			return cty.DynamicVal.RefineNotNull().Mark(o)
		}
		var key, text string
		switch s := t[0].(type) {
		case hcl.TraverseAttr:
			key, text = s.Name, "."+s.Name
		case hcl.TraverseIndex:
			if s.Key.Type() != cty.String || s.Key.IsNull() {
				return cty.DynamicVal.RefineNotNull().Mark(o)
			}
			key, text = s.Key.AsString(), fmt.Sprintf("[%q]", s.Key.AsString())
		default:
			return cty.DynamicVal.RefineNotNull().Mark(o)
		}
		children[key] = append(children[key], t[1:])
		texts[key] = text
	}
	obj := map[string]cty.Value{}
	for k, ts := range children {
		child := o
		child.text += texts[k]
		var nonEmpty []hcl.Traversal
		for _, t := range ts {
			if len(t) > 0 {
				nonEmpty = append(nonEmpty, t)
			}
		}
		if len(nonEmpty) < len(ts) {
			nonEmpty = nil
		}
		obj[k] = tfUnknownTree(child, nonEmpty)
	}
	return cty.ObjectVal(obj)
}

// moduleValue is the value of module.NAME as the traversals rest see it: per instance, an
// object of the outputs they name (all of them when none is named).
func (m *tfModule) moduleValue(name string, rests []hcl.Traversal, names map[string]bool, rng hcl.Range) (cty.Value, error) {
	call := m.cfg.calls[name]
	if call == nil {
		return cty.NilVal, tfError(rng, fmt.Sprintf("reference to undeclared module module.%s", name))
	}
	keys, err := m.keysOf("module."+name, call.count, call.forEach)
	if err != nil {
		return cty.NilVal, err
	}
	addr := "module." + name
	if !keys.known {
		return cty.DynamicVal.Mark(tfOrigin{text: m.addr + addr, what: "the outputs of module " + name + ", known only when Terraform applies the module"}), nil
	}
	wanted := map[string][]hcl.Traversal{}
	for _, t := range rests {
		if keys.multi && len(t) > 0 {
			if _, ok := t[0].(hcl.TraverseIndex); !ok {
				continue
			}
			t = t[1:]
		}
		if n, ok := tfAttrStep(t, 0); ok {
			wanted[n] = append(wanted[n], t[1:])
		}
	}
	return tfInstancesValue(keys, func(key cty.Value) (cty.Value, error) {
		inst := addr + keys.text(key)
		dir, why := m.callDir(call)
		if dir == "" {
			if len(wanted) == 0 {
				return cty.DynamicVal.Mark(tfOrigin{text: m.addr + inst, what: "the outputs of module " + name + " (" + why + ")"}), nil
			}
			obj := map[string]cty.Value{}
			for out, ts := range wanted {
				obj[out] = tfUnknownTree(tfOrigin{text: m.addr + inst + "." + out, what: "the output " + out + " of module " + name + " (" + why + ")"}, ts)
			}
			return cty.ObjectVal(obj), nil
		}
		child, err := m.child(call, dir, keys, key)
		if err != nil {
			return cty.NilVal, err
		}
		outs := map[string]bool{}
		for n := range wanted {
			if child.cfg.outputs[n] != nil {
				outs[n] = true
			}
		}
		for n := range names {
			if child.cfg.outputs[n] != nil {
				outs[n] = true
			}
		}
		if len(outs) == 0 {
			for n := range child.cfg.outputs {
				outs[n] = true
			}
		}
		obj := map[string]cty.Value{}
		for _, n := range sortedKeys(outs) {
			v, err := child.output(n)
			if err != nil {
				return cty.NilVal, err
			}
			obj[n] = v
		}
		return cty.ObjectVal(obj), nil
	})
}

// output evaluates output.NAME of a module instance.
func (m *tfModule) output(name string) (cty.Value, error) {
	a := m.cfg.outputs[name]
	return m.memo("output."+name, a.Range, func() (cty.Value, error) { return m.value(a.Expr, nil) })
}

// child is an instance of a module block whose source podecs reads.
func (m *tfModule) child(call *tfCall, dir string, keys tfKeys, key cty.Value) (*tfModule, error) {
	id := call.name + keys.text(key)
	if c, ok := m.children[id]; ok {
		return c, nil
	}
	if m.depth >= tfMaxDepth {
		return nil, tfError(call.block.DefRange, fmt.Sprintf("module.%s: modules nested more than %d deep (a module that calls itself?)", call.name, tfMaxDepth))
	}
	cfg, err := m.run.config(dir)
	if err != nil {
		return nil, err
	}
	c := m.run.newModule(cfg)
	c.parent, c.call, c.callVars, c.depth = m, call, keys.vars(key), m.depth+1
	c.addr = m.addr + "module." + id + "."
	c.callPath = append(append([]string(nil), m.callPath...), call.name)
	m.children[id] = c
	return c, nil
}

// tfMaxDepth bounds the nesting of modules.
const tfMaxDepth = 32

// callDir is the directory of a module block's source: a local path, relative to the module
// that calls it, or where terraform init put a registry or git module. "" with the reason when
// podecs cannot read it.
func (m *tfModule) callDir(call *tfCall) (string, string) {
	if call.local {
		return path.Join(m.cfg.dir, call.source), ""
	}
	key := strings.Join(append(append([]string(nil), m.callPath...), call.name), ".")
	if dir, ok := m.run.installed[key]; ok {
		return dir, ""
	}
	return "", fmt.Sprintf("source %q is not a local directory and terraform init has not downloaded it", call.source)
}

// fillUnknowns makes a value wholly known: each part known only at apply becomes a placeholder
// string that names its origin, lists and maps become tuples and objects (JSON does not tell
// them apart). fallback names a wholly unknown value that has no single origin: the text of the
// argument it is the value of.
func (r *tfRun) fillUnknowns(v cty.Value, fallback string) cty.Value {
	return r.fill(v, nil, fallback, true)
}

func (r *tfRun) fill(v cty.Value, inherited cty.ValueMarks, fallback string, top bool) cty.Value {
	if plain, _ := v.UnmarkDeep(); plain.IsWhollyKnown() {
		return v
	}
	v, marks := v.Unmark()
	if len(tfOrigins(marks)) > 0 {
		inherited = marks
	}
	if !v.IsKnown() {
		return cty.StringVal(r.placeholder(tfOrigins(inherited), fallback, top))
	}
	if v.IsNull() {
		return v
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		var elems []cty.Value
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			elems = append(elems, r.fill(e, inherited, fallback, false))
		}
		if len(elems) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(elems)
	case ty.IsMapType() || ty.IsObjectType():
		attrs := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			attrs[k.AsString()] = r.fill(e, inherited, fallback, false)
		}
		return cty.ObjectVal(attrs)
	}
	return v
}

func tfOrigins(marks cty.ValueMarks) []tfOrigin {
	var out []tfOrigin
	for mk := range marks {
		if o, ok := mk.(tfOrigin); ok {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].text < out[j].text })
	return out
}

// placeholder is the text that stands for an unknown value: "${origin}" for one origin; the
// argument's own text for a whole argument of several or none; else its origins side by side.
func (r *tfRun) placeholder(origins []tfOrigin, fallback string, top bool) string {
	switch {
	case len(origins) == 1:
		return r.ph.add("${"+origins[0].text+"}", origins[0].what)
	case top && fallback != "":
		what := "a value Terraform knows only when it applies the module"
		if len(origins) > 0 {
			what = "a value computed from " + tfOriginTexts(origins)
		}
		return r.ph.add("${"+fallback+"}", what)
	case len(origins) > 1:
		var parts []string
		for _, o := range origins {
			parts = append(parts, r.ph.add("${"+o.text+"}", o.what))
		}
		return strings.Join(parts, " ")
	}
	return r.ph.add("${(known after apply)}", "a value Terraform knows only when it applies the module")
}

func tfOriginTexts(origins []tfOrigin) string {
	var out []string
	for _, o := range origins {
		out = append(out, o.text)
	}
	return strings.Join(out, ", ")
}

// knownData are attributes of data sources podecs knows without AWS: the region and partition
// the module runs in: the region of the root module's aws provider block, else --region.
func (r *tfRun) knownData(typ, attr string) (cty.Value, bool) {
	region := r.region()
	if region == "" {
		return cty.NilVal, false
	}
	switch typ + "." + attr {
	case "aws_region.name", "aws_region.region", "aws_region.id":
		return cty.StringVal(region), true
	case "aws_partition.partition", "aws_partition.id":
		return cty.StringVal(awsPartition(region)), true
	case "aws_partition.dns_suffix":
		return cty.StringVal(awsURLSuffix(region)), true
	}
	return cty.NilVal, false
}

// region is the region Terraform's aws provider uses: its region argument in the root module,
// when known, else SourceOptions.Region.
func (r *tfRun) region() string {
	if r.rootModule != nil && r.rootModule.cfg.region != nil {
		a := r.rootModule.cfg.region
		v, err := r.rootModule.memo("provider.aws.region", a.Range, func() (cty.Value, error) { return r.rootModule.value(a.Expr, nil) })
		if plain, _ := v.UnmarkDeep(); err == nil && plain.IsKnown() && !plain.IsNull() && plain.Type() == cty.String {
			return plain.AsString()
		}
	}
	return r.so.Region
}

// awsPartition is the partition of a region.
func awsPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// awsURLSuffix is the domain of the AWS endpoints of a region.
func awsURLSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// tfAttrNames are the attribute names an expression uses after any value (aws_subnet.x[*].id,
// [for s in aws_subnet.x : s.id]): the attributes an instance of another resource is built with
// when a traversal does not name them itself.
func tfAttrNames(expr hcl.Expression) map[string]bool {
	e, ok := hcl.UnwrapExpression(expr).(hclsyntax.Expression)
	if !ok {
		return nil
	}
	names := map[string]bool{}
	add := func(t hcl.Traversal) {
		for _, s := range t {
			if a, ok := s.(hcl.TraverseAttr); ok {
				names[a.Name] = true
			}
		}
	}
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		switch x := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			if len(x.Traversal) > 1 {
				add(x.Traversal[1:])
			}
		case *hclsyntax.RelativeTraversalExpr:
			add(x.Traversal)
		}
		return nil
	})
	return names
}

// errNoFiles is the error of a reader given no file system.
var errNoFiles = errors.New("no file system to read the module from")
