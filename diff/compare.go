package diff

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// listSpec says how the elements of a list are matched: by a key, so that order does not matter
// and the path names the element (containers[web], environment[MODE]).
type listSpec struct {
	key func(reflect.Value) string
	// skip are the fields that make up the key; they are not compared again.
	skip []string
	// value, when set, is the one field compared under the element's path: environment[MODE] is
	// the variable's value, not environment[MODE].value.
	value string
	// secret marks ECS secrets: the value is a reference, shown by secret name only.
	secret bool
}

func byField(name string) func(reflect.Value) string {
	return func(v reflect.Value) string { return scalarString(v.FieldByName(name)) }
}

func keyed(key string, value string) listSpec {
	return listSpec{key: byField(key), skip: []string{key}, value: value}
}

// listSpecs lists the ECS list types whose elements have an identity. Lists of other types are
// compared as a whole, in order (command, entryPoint, placementStrategy), after the canonical form
// has sorted the ones whose order carries no meaning.
var listSpecs = map[reflect.Type]listSpec{
	reflect.TypeFor[types.ContainerDefinition]():          keyed("Name", ""),
	reflect.TypeFor[types.KeyValuePair]():                 keyed("Name", "Value"),
	reflect.TypeFor[types.Tag]():                          keyed("Key", "Value"),
	reflect.TypeFor[types.Secret]():                       {key: byField("Name"), skip: []string{"Name"}, value: "ValueFrom", secret: true},
	reflect.TypeFor[types.SystemControl]():                keyed("Namespace", "Value"),
	reflect.TypeFor[types.HostEntry]():                    keyed("Hostname", "IpAddress"),
	reflect.TypeFor[types.ContainerDependency]():          keyed("ContainerName", "Condition"),
	reflect.TypeFor[types.VolumeFrom]():                   keyed("SourceContainer", "ReadOnly"),
	reflect.TypeFor[types.InferenceAccelerator]():         keyed("DeviceName", "DeviceType"),
	reflect.TypeFor[types.ResourceRequirement]():          keyed("Type", ""),
	reflect.TypeFor[types.MountPoint]():                   keyed("ContainerPath", ""),
	reflect.TypeFor[types.Volume]():                       keyed("Name", ""),
	reflect.TypeFor[types.Ulimit]():                       keyed("Name", ""),
	reflect.TypeFor[types.Device]():                       keyed("HostPath", ""),
	reflect.TypeFor[types.Tmpfs]():                        keyed("ContainerPath", ""),
	reflect.TypeFor[types.CapacityProviderStrategyItem](): keyed("CapacityProvider", ""),
	reflect.TypeFor[types.ServiceRegistry]():              keyed("RegistryArn", ""),
	reflect.TypeFor[types.ServiceVolumeConfiguration]():   keyed("Name", ""),
	reflect.TypeFor[types.VpcLatticeConfiguration]():      keyed("TargetGroupArn", ""),
	reflect.TypeFor[types.ServiceConnectService]():        keyed("PortName", ""),
	reflect.TypeFor[types.PortMapping](): {
		key: func(v reflect.Value) string {
			pm := v.Interface().(types.PortMapping)
			port := aws.ToString(pm.ContainerPortRange)
			if pm.ContainerPort != nil {
				port = strconv.Itoa(int(*pm.ContainerPort))
			}
			return port + "/" + string(pm.Protocol)
		},
		skip: []string{"ContainerPort", "ContainerPortRange", "Protocol"},
	},
	reflect.TypeFor[types.LoadBalancer](): {
		key: func(v reflect.Value) string {
			lb := v.Interface().(types.LoadBalancer)
			return fmt.Sprintf("%s:%d", aws.ToString(lb.ContainerName), aws.ToInt32(lb.ContainerPort))
		},
		skip: []string{"ContainerName", "ContainerPort"},
	},
}

// memberNames renames members in paths: containers reads better than containerDefinitions, and the
// service's tags and placement constraints must not mix with the task definition's.
var memberNames = map[reflect.Type]map[string]string{
	reflect.TypeFor[ecs.RegisterTaskDefinitionInput](): {"ContainerDefinitions": "containers"},
	reflect.TypeFor[ecs.CreateServiceInput]():          {"Tags": "service.tags", "PlacementConstraints": "service.placementConstraints"},
}

// hiddenValue stands for the value of a plain variable that is secret-backed on the other side.
const hiddenValue = "(hidden)"

type differ struct {
	out []Difference
	// secretNames are the secret-backed variables of the container being compared, on either side.
	secretNames map[string]bool
}

// compareWorkloads compares two workloads of the same name in canonical form.
func compareWorkloads(l, r Workload) []Difference {
	d := &differ{}
	d.value("", reflect.ValueOf(canonicalTaskDefinition(l.TaskDefinition)), reflect.ValueOf(canonicalTaskDefinition(r.TaskDefinition)))
	ls, rs := l.Service, r.Service
	switch {
	case ls != nil && rs != nil:
		d.value("", reflect.ValueOf(canonicalService(ls)), reflect.ValueOf(canonicalService(rs)))
	case ls != nil || rs != nil:
		d.add("service", display(reflect.ValueOf(canonicalService(ls))), display(reflect.ValueOf(canonicalService(rs))))
	}
	return d.out
}

func (d *differ) add(path, left, right string) {
	d.out = append(d.out, Difference{Path: path, Left: left, Right: right})
}

// value compares two values of the same type at path. A nil pointer, an empty list or map and a
// zero scalar all stand for "not set" and compare equal to each other.
func (d *differ) value(path string, a, b reflect.Value) {
	t := a.Type()
	for t.Kind() == reflect.Pointer {
		a, b, t = deref(a), deref(b), t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		d.structs(path, t, a, b)
	case reflect.Slice:
		if spec, ok := listSpecs[t.Elem()]; ok {
			d.keyedList(path, spec, a, b)
			return
		}
		d.leaf(path, t, a, b)
	case reflect.Map:
		d.maps(path, a, b)
	default:
		d.leaf(path, t, a, b)
	}
}

// deref follows a pointer; a nil pointer (or an absent value) gives the invalid Value.
func deref(v reflect.Value) reflect.Value {
	if !v.IsValid() || v.IsNil() {
		return reflect.Value{}
	}
	return v.Elem()
}

func (d *differ) structs(path string, t reflect.Type, a, b reflect.Value) {
	az, bz := empty(a), empty(b)
	switch {
	case az && bz:
		return
	case az || bz:
		// An object set on one side only is one difference, shown whole.
		d.add(path, display(a), display(b))
		return
	}
	d.fields(path, t, a, b, nil)
}

func (d *differ) fields(path string, t reflect.Type, a, b reflect.Value, skip []string) {
	names := memberNames[t]
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Type.PkgPath() == "github.com/aws/smithy-go/middleware" || slices.Contains(skip, f.Name) {
			continue
		}
		name := names[f.Name]
		if name == "" {
			name = ecsjson.MemberName(f.Name)
		}
		if t == reflect.TypeFor[types.ContainerDefinition]() && f.Name == "Environment" {
			d.environment(join(path, name), a.Field(i), b.Field(i))
			continue
		}
		d.value(join(path, name), a.Field(i), b.Field(i))
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// keyedElements indexes a list by its elements' keys; a key seen again gets "#2", "#3", ….
func keyedElements(spec listSpec, v reflect.Value) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	if !v.IsValid() {
		return out
	}
	for i := range v.Len() {
		el := v.Index(i)
		k := spec.key(el)
		for n := 2; ; n++ {
			if _, dup := out[k]; !dup {
				break
			}
			k = spec.key(el) + "#" + strconv.Itoa(n)
		}
		out[k] = el
	}
	return out
}

func sortedKeys(m ...map[string]reflect.Value) []string {
	var keys []string
	for _, mm := range m {
		for k := range mm {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

func (d *differ) keyedList(path string, spec listSpec, a, b reflect.Value) {
	am, bm := keyedElements(spec, a), keyedElements(spec, b)
	for _, k := range sortedKeys(am, bm) {
		ea, inA := am[k]
		eb, inB := bm[k]
		p := path + "[" + k + "]"
		switch {
		case spec.secret:
			d.secret(p, ea, eb)
		case spec.value != "" && inA && inB:
			d.value(p, ea.FieldByName(spec.value), eb.FieldByName(spec.value))
		case spec.value != "":
			// An entry on one side only differs even when its value is empty: MODE="" is set.
			d.add(p, presentValue(ea, spec.value), presentValue(eb, spec.value))
		case inA && inB:
			if ea.Type() == reflect.TypeFor[types.ContainerDefinition]() {
				d.containerSecrets(ea, eb)
			}
			d.fields(p, ea.Type(), ea, eb, spec.skip)
		default:
			d.add(p, display(ea), display(eb))
		}
	}
}

// presentValue displays the value field of a list entry that exists: "" when the entry does not,
// false for an unset boolean, `""` for any other empty value.
func presentValue(el reflect.Value, field string) string {
	if !el.IsValid() {
		return ""
	}
	v := el.FieldByName(field)
	if s := display(v); s != "" {
		return s
	}
	if t := v.Type(); t.Kind() == reflect.Bool || (t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Bool) {
		return "false"
	}
	return `""`
}

// containerSecrets records, while two containers are compared, which variables are secret-backed
// on either side, so that a plain variable of the same name never shows its value.
func (d *differ) containerSecrets(a, b reflect.Value) {
	d.secretNames = map[string]bool{}
	for _, c := range []types.ContainerDefinition{a.Interface().(types.ContainerDefinition), b.Interface().(types.ContainerDefinition)} {
		for _, s := range c.Secrets {
			d.secretNames[aws.ToString(s.Name)] = true
		}
	}
}

func (d *differ) environment(path string, a, b reflect.Value) {
	spec := listSpecs[reflect.TypeFor[types.KeyValuePair]()]
	am, bm := keyedElements(spec, a), keyedElements(spec, b)
	for _, k := range sortedKeys(am, bm) {
		ea, inA := am[k]
		eb, inB := bm[k]
		l, r := presentValue(ea, "Value"), presentValue(eb, "Value")
		if inA && inB && canonicalLeaf(ea.FieldByName("Value")) == canonicalLeaf(eb.FieldByName("Value")) {
			continue
		}
		diff := Difference{Path: path + "[" + k + "]", Left: l, Right: r}
		if d.secretNames[k] {
			diff.Secret = true
			if inA {
				diff.Left = hiddenValue
			}
			if inB {
				diff.Right = hiddenValue
			}
		}
		d.out = append(d.out, diff)
	}
}

// secret compares two ECS secrets by their reference; only the names of the secrets are shown.
func (d *differ) secret(path string, a, b reflect.Value) {
	ra, rb := secretRef(a), secretRef(b)
	if ra == rb {
		return
	}
	na, nb := secretName(ra, false), secretName(rb, false)
	if na == nb {
		na, nb = secretName(ra, true), secretName(rb, true)
	}
	d.out = append(d.out, Difference{Path: path, Left: na, Right: nb, Secret: true})
}

func secretRef(el reflect.Value) string {
	if !el.IsValid() {
		return ""
	}
	return aws.ToString(el.Interface().(types.Secret).ValueFrom)
}

// secretName names the secret an ECS secret reference points to, never its value: the Secrets
// Manager secret (with its JSON key, version stage and version ID when given) or the SSM
// parameter. qualified adds the region and account, for two references that differ only there.
func secretName(ref string, qualified bool) string {
	if ref == "" {
		return ""
	}
	src := mapping.ParseSecretSource(ref)
	name := src.Name
	for _, part := range []string{src.JSONKey, src.VersionStage, src.VersionID} {
		if part != "" {
			name += ":" + part
		}
	}
	if name == "" {
		name = `""`
	}
	if qualified && (src.Region != "" || src.Account != "") {
		name += " (" + strings.TrimSpace(src.Region+" "+src.Account) + ")"
	}
	return name
}

func (d *differ) maps(path string, a, b reflect.Value) {
	am, bm := map[string]reflect.Value{}, map[string]reflect.Value{}
	for _, m := range []struct {
		v   reflect.Value
		out map[string]reflect.Value
	}{{a, am}, {b, bm}} {
		if !m.v.IsValid() {
			continue
		}
		for it := m.v.MapRange(); it.Next(); {
			m.out[it.Key().String()] = it.Value()
		}
	}
	for _, k := range sortedKeys(am, bm) {
		ea, inA := am[k]
		eb, inB := bm[k]
		p := path + "[" + k + "]"
		if inA && inB {
			d.value(p, ea, eb)
			continue
		}
		// A map entry on one side only differs even when its value is empty.
		l, r := display(ea), display(eb)
		if inA && l == "" {
			l = `""`
		}
		if inB && r == "" {
			r = `""`
		}
		d.add(p, l, r)
	}
}

func (d *differ) leaf(path string, t reflect.Type, a, b reflect.Value) {
	if canonicalLeaf(a) == canonicalLeaf(b) {
		return
	}
	l, r := display(a), display(b)
	if t.Kind() == reflect.Bool {
		// Every ECS boolean left out means false (essential, the one that does not, is filled in).
		l, r = cmp.Or(l, "false"), cmp.Or(r, "false")
	}
	d.add(path, l, r)
}

// canonicalLeaf is what a value compares as: "" for anything not set (absent, nil, empty, zero).
func canonicalLeaf(v reflect.Value) string {
	if empty(v) {
		return ""
	}
	return display(v)
}

// empty reports whether v is absent or holds nothing: a nil pointer, an empty list or map, a zero
// scalar, or a struct of empty members.
func empty(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || (v.Kind() == reflect.Pointer && empty(v.Elem()))
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !empty(v.Field(i)) {
				return false
			}
		}
		return true
	}
	return v.IsZero()
}

// display renders a value for a report: "" when absent; strings as they are, unless they would
// read wrong unquoted (empty, outer spaces, control characters); numbers and booleans in decimal;
// lists and objects as compact JSON in the ECS API's member names.
func display(v reflect.Value) string {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return ""
		}
		if v.Kind() == reflect.Interface {
			break
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.String:
		return quoteIfNeeded(v.String())
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		return scalarString(v)
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return ""
		}
	case reflect.Struct:
		if empty(v) {
			return ""
		}
	}
	return compactJSON(v)
}

func compactJSON(v reflect.Value) string {
	x := v.Interface()
	if v.Kind() == reflect.Struct {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		x = p.Interface()
	}
	raw, err := ecsjson.Marshal(x)
	if err != nil {
		return fmt.Sprintf("(cannot render: %v)", err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(bytes.TrimSpace(raw))
	}
	return b.String()
}

func scalarString(v reflect.Value) string {
	for v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// quoteIfNeeded JSON-quotes a string that would read wrong as it is, and reports formats keep one
// value on one line.
func quoteIfNeeded(s string) string {
	need := s == "" || strings.TrimSpace(s) != s
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	return strconv.Quote(s)
}
