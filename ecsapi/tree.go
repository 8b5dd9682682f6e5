package ecsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/podecs/podecs/convert/ecsjson"
)

// The comparison works on the API's JSON form of both sides, normalised so that equal means
// "ECS would store the same thing": objects are map[string]any, lists whose order carries no
// meaning become keyed maps (entries named by their identity, e.g. a container by its name), other
// lists stay []any, and scalars are string, json.Number or bool.
type object = map[string]any

// keyed is a list whose entries are matched by key rather than position.
type keyed map[string]any

// toTree returns the JSON form of an SDK value as generic values.
func toTree(v any) (any, error) {
	b, err := ecsjson.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var t any
	if err := d.Decode(&t); err != nil {
		return nil, err
	}
	return t, nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// obj returns the member k of o as an object, or nil.
func obj(o object, k string) object {
	m, _ := o[k].(object)
	return m
}

// keyBy turns the list o[k] into entries keyed by key(entry). Duplicate keys get a "#2", "#3"
// suffix so that no entry is lost.
func keyBy(o object, k string, key func(object) string) keyed {
	list, ok := o[k].([]any)
	if !ok {
		return nil
	}
	out := keyed{}
	for _, e := range list {
		m, _ := e.(object)
		name := key(m)
		for n, base := 2, name; out[name] != nil; n++ {
			name = fmt.Sprintf("%s#%d", base, n)
		}
		out[name] = e
	}
	o[k] = out
	return out
}

// member returns a key function reading one member of an entry.
func member(name string) func(object) string {
	return func(m object) string { return str(m[name]) }
}

// pairs turns a list of {name, value} entries into name → value.
func pairs(o object, k, name, value string) {
	if kv := keyBy(o, k, member(name)); kv != nil {
		for n, e := range kv {
			m, _ := e.(object)
			kv[n] = m[value]
		}
	}
}

// set sorts a list whose order carries no meaning.
func set(o object, k string) {
	list, ok := o[k].([]any)
	if !ok {
		return
	}
	sort.SliceStable(list, func(i, j int) bool { return render(list[i]) < render(list[j]) })
}

// dropDefault deletes o[k] when it holds the value the API fills in for an absent member.
func dropDefault(o object, k, def string) {
	if v, ok := o[k]; ok && str(v) == def {
		delete(o, k)
	}
}

// fillDefault sets o[k] to the value the API fills in when it is absent.
func fillDefault(o object, k string, def any) {
	if _, ok := o[k]; !ok {
		o[k] = def
	}
}

// keepZero lists members whose zero value differs from their absence, so pruning keeps them.
var keepZero = map[string]bool{
	"essential":  true, // absent means true
	"swappiness": true, // absent means 60
	"maxSwap":    true, // absent means the host's swap settings
	"softLimit":  true,
	"hardLimit":  true,
}

// prune removes what the API treats as absent: null, "", 0, false, empty lists and objects.
// Entries of keyed lists are kept even when empty (an environment variable set to "" is set).
func prune(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return nil, false
	case object:
		for k, c := range x {
			if keepZero[k] && c != nil {
				continue
			}
			if p, ok := prune(c); ok {
				x[k] = p
			} else {
				delete(x, k)
			}
		}
		return x, len(x) > 0
	case keyed:
		for k, c := range x {
			p, _ := prune(c)
			x[k] = p
		}
		return x, len(x) > 0
	case []any:
		for i, c := range x {
			x[i], _ = prune(c)
		}
		return x, len(x) > 0
	case string:
		return x, x != ""
	case json.Number:
		f, err := x.Float64()
		return x, err != nil || f != 0
	case bool:
		return x, x
	}
	return v, true
}

// diffTree appends the differences between have and want under path.
func diffTree(path string, have, want any, out *[]FieldChange) {
	if reflect.DeepEqual(have, want) {
		return
	}
	if h, ok := have.(keyed); ok && want == nil {
		diffTree(path, h, keyed{}, out) // list each entry removed
		return
	}
	switch w := want.(type) {
	case object:
		if h, ok := have.(object); ok {
			for _, k := range unionKeys(h, w) {
				diffTree(join(path, k), h[k], w[k], out)
			}
			return
		}
	case keyed:
		if have == nil {
			have = keyed{} // list each entry added
		}
		if h, ok := have.(keyed); ok {
			for _, k := range unionKeys(h, w) {
				diffTree(path+"["+k+"]", h[k], w[k], out)
			}
			return
		}
	case []any:
		if h, ok := have.([]any); ok && len(h) == len(w) {
			for i := range w {
				diffTree(path+"["+strconv.Itoa(i)+"]", h[i], w[i], out)
			}
			return
		}
	}
	*out = append(*out, FieldChange{Field: path, Have: display(path, have), Want: display(path, want)})
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func unionKeys[M ~map[string]any](a, b M) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// hidden is what a change shows instead of a value that may be sensitive.
const hidden = "(hidden)"

// sensitive reports whether values at path may hold credentials: plain environment variables and
// log driver options (e.g. splunk-token) sometimes do. Secrets hold only ARNs and are shown.
func sensitive(path string) bool {
	return strings.Contains(path, ".environment[") || strings.HasSuffix(path, ".environment") ||
		strings.Contains(path, "Configuration.options")
}

// maxDisplay bounds a displayed value; plans name fields, not whole documents.
const maxDisplay = 100

// display renders a value for a FieldChange: compact JSON, sensitive members replaced, cut to
// maxDisplay characters; "" when absent.
func display(path string, v any) string {
	if v == nil {
		return ""
	}
	if sensitive(path) {
		if _, isList := v.(keyed); !isList {
			return hidden
		}
	}
	s := render(redact(path, v))
	if len(s) > maxDisplay {
		s = s[:maxDisplay-3] + "..."
	}
	return s
}

// redact returns a copy of v with sensitive members replaced.
func redact(path string, v any) any {
	switch x := v.(type) {
	case object:
		c := object{}
		for k, e := range x {
			c[k] = redact(join(path, k), e)
		}
		return c
	case keyed:
		c := keyed{}
		for k, e := range x {
			c[k] = redact(path+"["+k+"]", e)
		}
		return c
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = redact(path+"["+strconv.Itoa(i)+"]", e)
		}
		return c
	}
	if sensitive(path) {
		return hidden
	}
	return v
}

func render(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
