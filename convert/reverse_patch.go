package convert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// The patch engine behind the podecs.io/ annotations: ECS documents as generic JSON, the
// difference between what the Kubernetes side converts to and the original, and its application.

// fieldPatch restores one ECS field. ECS is the field's value (null: absent). K8s is the digest of
// the value the Kubernetes spec converted to when the annotation was written: the patch applies
// only while the spec still converts to that value, so an edit made on the Kubernetes side wins.
// An empty K8s applies always (fields only --config could otherwise supply).
type fieldPatch struct {
	ECS json.RawMessage `json:"ecs"`
	K8s string          `json:"k8s,omitempty"`
}

// patchSet maps field paths to patches. Paths are ECS member names ("executionRoleArn"), one
// level deeper for the members compared member by member ("linuxParameters.devices"), and for
// containers "containerDefinitions[NAME].FIELD" with NAME the Kubernetes container name;
// "containerDefinitions[NAME].secrets[VAR]" is the valueFrom of one secret and
// "containerDefinitions[*]" the order of the containers.
type patchSet map[string]fieldPatch

// diffSpec says how the members of one ECS object are compared.
type diffSpec struct {
	// recurse lists members compared member by member, so that a Kubernetes edit of one part
	// does not discard the others.
	recurse map[string]bool
	// unordered lists lists whose order carries no meaning, with the member that sorts them.
	unordered map[string]string
	// unconditional lists the (relative) paths whose patch always applies.
	unconditional map[string]bool
	// perEntrySecrets compares secrets and environment variables one by one (a new variable does
	// not lose the others' ARNs, an edited value does not discard the others' patches).
	perEntrySecrets bool
}

var (
	taskDefSpec = diffSpec{
		unordered:     map[string]string{"tags": "key"},
		unconditional: map[string]bool{"executionRoleArn": true},
	}
	containerSpec = diffSpec{
		recurse:         map[string]bool{"linuxParameters": true},
		unordered:       map[string]string{"environment": "name", "secrets": "name"},
		unconditional:   map[string]bool{"logConfiguration": true, "repositoryCredentials": true},
		perEntrySecrets: true,
	}
	serviceSpec = diffSpec{
		recurse:   map[string]bool{"deploymentConfiguration": true},
		unordered: map[string]string{"tags": "key"},
		unconditional: map[string]bool{"cluster": true, "networkConfiguration": true, "platformVersion": true,
			"deploymentConfiguration.deploymentCircuitBreaker": true},
	}
)

const (
	containersKey = "containerDefinitions"
	orderPath     = "containerDefinitions[*]"
)

// toGeneric renders an ECS value as its JSON document, decoded into maps, lists, strings,
// booleans and json.Number.
func toGeneric(v any) (map[string]any, error) {
	b, err := ecsjson.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	err = decodeNumbers(b, &m)
	return m, err
}

func decodeNumbers(b []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(into)
}

// fromGeneric decodes a JSON document back into an ECS value, strictly.
func fromGeneric(m map[string]any, into any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return ecsjson.Unmarshal(b, into)
}

// digest fingerprints a JSON value; encoding/json sorts map keys, so equal values give equal
// digests.
func digest(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

func rawJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// sortedBy returns a copy of a list of objects sorted by one member; other values are returned as
// they are.
func sortedBy(v any, key string) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := append([]any(nil), list...)
	sort.SliceStable(out, func(i, j int) bool { return memberString(out[i], key) < memberString(out[j], key) })
	return out
}

func memberString(v any, key string) string {
	m, _ := v.(map[string]any)
	s, _ := m[key].(string)
	return s
}

func isObjectOrAbsent(v any) bool {
	_, ok := v.(map[string]any)
	return ok || v == nil
}

func nonEmptyObject(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) > 0
}

// diffMembers adds the patches that turn the members of f (what the Kubernetes side converts to)
// into those of o (the ECS original). prefix is the path of the object, rel its path relative to
// the object kind (for the unconditional list).
func diffMembers(ps patchSet, prefix, rel string, o, f map[string]any, spec diffSpec, skip string) {
	for _, k := range unionKeys(o, f) {
		if k == skip {
			continue
		}
		diffValue(ps, mapping.Join(prefix, k), mapping.Join(rel, k), k, o[k], f[k], spec)
	}
}

func diffValue(ps patchSet, path, rel, key string, ov, fv any, spec diffSpec) {
	if sortKey, ok := spec.unordered[key]; ok && reflect.DeepEqual(sortedBy(ov, sortKey), sortedBy(fv, sortKey)) {
		return
	}
	if reflect.DeepEqual(ov, fv) || isEmptyJSON(normalizeECS(ov)) && isEmptyJSON(normalizeECS(fv)) {
		return // ECS reads an empty list or object as an absent one
	}
	if spec.recurse[rel] && isObjectOrAbsent(ov) && isObjectOrAbsent(fv) && (nonEmptyObject(ov) || nonEmptyObject(fv)) {
		om, _ := ov.(map[string]any)
		fm, _ := fv.(map[string]any)
		diffMembers(ps, path, rel, om, fm, spec, "")
		return
	}
	if member := entryMember[key]; member != "" && spec.perEntrySecrets && sameEntryNames(ov, fv, member) {
		fvals := entryValues(fv, member)
		for name, val := range entryValues(ov, member) {
			if !reflect.DeepEqual(val, fvals[name]) {
				ps[path+"["+name+"]"] = fieldPatch{ECS: rawJSON(val), K8s: digest(fvals[name])}
			}
		}
		return
	}
	p := fieldPatch{ECS: rawJSON(ov)}
	if !spec.unconditional[rel] {
		p.K8s = digest(fv)
	}
	ps[path] = p
}

// entryMember is the member that holds the value of an entry of the lists patched per entry.
var entryMember = map[string]string{"secrets": "valueFrom", "environment": "value"}

// secretValues maps secret names to their valueFrom.
func secretValues(v any) map[string]any { return entryValues(v, "valueFrom") }

// entryValues maps the names of a secrets or environment list to their member values.
func entryValues(v any, member string) map[string]any {
	out := map[string]any{}
	list, _ := v.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		name, _ := m["name"].(string)
		out[name] = m[member]
	}
	return out
}

// sameEntryNames reports whether two secrets or environment lists name the same variables, each
// once, and carry nothing but name and member.
func sameEntryNames(a, b any, member string) bool {
	la, oka := a.([]any)
	lb, okb := b.([]any)
	if !oka || !okb || len(la) != len(lb) {
		return false
	}
	names := map[string]int{}
	for _, l := range [][]any{la, lb} {
		for _, e := range l {
			m, ok := e.(map[string]any)
			if !ok || len(m) != 2 || m[member] == nil {
				return false
			}
			name, _ := m["name"].(string)
			names[name]++
		}
	}
	for _, n := range names {
		if n != 2 {
			return false
		}
	}
	return true
}

func unionKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// diffTaskDefinition computes the patches that turn f, what the Kubernetes objects convert to,
// into o, the original task definition; names are the Kubernetes names of o's containers.
//
// A secret's patch is guarded by the Kubernetes reference it came from (refs: container name →
// variable → "secret/key"), not by the ARN the forward rules derive, which --config can change.
func diffTaskDefinition(o, f map[string]any, names []string, refs map[string]map[string]string) patchSet {
	ps := patchSet{}
	diffMembers(ps, "", "", o, f, taskDefSpec, containersKey)
	oc, _ := o[containersKey].([]any)
	fc, _ := f[containersKey].([]any)
	fByName := map[string]map[string]any{}
	var fNames []any
	for _, c := range fc {
		m, _ := c.(map[string]any)
		name, _ := m["name"].(string)
		fByName[name] = m
		fNames = append(fNames, name)
	}
	var oNames []any
	for i, c := range oc {
		if i >= len(names) {
			break
		}
		oNames = append(oNames, names[i])
		om, _ := c.(map[string]any)
		base := containersKey + "[" + names[i] + "]"
		diffMembers(ps, base, "", om, fByName[names[i]], containerSpec, "")
		for v, ref := range refs[names[i]] {
			if p, ok := ps[base+".secrets["+v+"]"]; ok {
				p.K8s = digest(ref)
				ps[base+".secrets["+v+"]"] = p
			}
		}
	}
	if !reflect.DeepEqual(oNames, fNames) {
		ps[orderPath] = fieldPatch{ECS: rawJSON(oNames), K8s: digest(fNames)}
	}
	if len(oc) == 0 && len(fc) > 0 {
		ps[containersKey] = fieldPatch{ECS: rawJSON(o[containersKey]), K8s: digest(fc)}
	}
	return ps
}

// parsePatches reads an annotation.
func parsePatches(s string) (patchSet, error) {
	var ps patchSet
	if err := json.Unmarshal([]byte(s), &ps); err != nil {
		return nil, err
	}
	return ps, nil
}

// String renders the patches as compact JSON with sorted keys.
func (ps patchSet) String() string {
	b, _ := json.Marshal(map[string]fieldPatch(ps))
	return string(b)
}

// patchPath is a parsed patch key.
type patchPath struct {
	container string // Kubernetes container name, "" for a member of the object itself
	field     string // member name
	sub       string // member of field, for recursed members
	secret    string // variable name, for one secret's valueFrom or one variable's value
}

func parsePatchPath(key string) patchPath {
	var p patchPath
	rest := key
	if after, ok := strings.CutPrefix(key, containersKey+"["); ok {
		i := strings.Index(after, "]")
		if i < 0 {
			return patchPath{field: key}
		}
		p.container, rest = after[:i], strings.TrimPrefix(after[i+1:], ".")
	}
	for field := range entryMember {
		if s, ok := strings.CutPrefix(rest, field+"["); ok && strings.HasSuffix(s, "]") {
			p.field, p.secret = field, strings.TrimSuffix(s, "]")
			return p
		}
	}
	p.field, p.sub, _ = strings.Cut(rest, ".")
	return p
}

// patchResult lists what an application did.
type patchResult struct {
	applied []string
	stale   []string
}

func (r patchResult) has(prefix string) bool {
	for _, a := range r.applied {
		if a == prefix || strings.HasPrefix(a, prefix+".") || strings.HasPrefix(a, prefix+"[") {
			return true
		}
	}
	return false
}

// apply applies the patches to res; guards are checked against raw, the value converted from
// the Kubernetes spec before any patch. Container patches apply before the container names change.
//
// secretRef, when not nil, gives the Kubernetes reference a secret's guard is checked against.
func (ps patchSet) apply(raw, res map[string]any, secretRef func(container, name string) (string, bool)) (patchResult, error) {
	var out patchResult
	keys := make([]string, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	// Order first, renames last, so containers are found by their Kubernetes names throughout.
	sort.SliceStable(keys, func(i, j int) bool {
		return patchRank(keys[i]) < patchRank(keys[j]) || patchRank(keys[i]) == patchRank(keys[j]) && keys[i] < keys[j]
	})
	for _, key := range keys {
		p := ps[key]
		var val any
		if err := decodeNumbers(p.ECS, &val); err != nil {
			return out, fmt.Errorf("%s: %w", key, err)
		}
		ok, err := applyOne(key, p, val, raw, res, secretRef)
		if err != nil {
			return out, fmt.Errorf("%s: %w", key, err)
		}
		if ok {
			out.applied = append(out.applied, key)
		} else {
			out.stale = append(out.stale, key)
		}
	}
	cleanEmpty(res)
	return out, nil
}

func patchRank(key string) int {
	switch {
	case key == orderPath:
		return 0
	case strings.HasPrefix(key, containersKey+"[") && strings.HasSuffix(key, "].name"):
		return 2
	}
	return 1
}

func applyOne(key string, p fieldPatch, val any, raw, res map[string]any, secretRef func(container, name string) (string, bool)) (bool, error) {
	if key == orderPath {
		if p.K8s != digest(containerNames(raw)) {
			return false, nil
		}
		return true, reorderContainers(res, val)
	}
	pp := parsePatchPath(key)
	rawObj, resObj := raw, res
	if pp.container != "" {
		rawObj, resObj = findContainer(raw, pp.container), findContainer(res, pp.container)
		if resObj == nil {
			return false, nil
		}
	}
	switch {
	case pp.secret != "" && pp.field == "environment":
		if p.K8s != "" && p.K8s != digest(entryValues(rawObj["environment"], "value")[pp.secret]) {
			return false, nil
		}
		return setEntry(resObj, "environment", "value", pp.secret, val), nil
	case pp.secret != "":
		var cur any = secretValues(rawObj["secrets"])[pp.secret]
		if secretRef != nil {
			if ref, ok := secretRef(pp.container, pp.secret); ok {
				cur = ref
			}
		}
		if p.K8s != "" && p.K8s != digest(cur) {
			return false, nil
		}
		return setEntry(resObj, "secrets", "valueFrom", pp.secret, val), nil
	case pp.sub != "":
		rawParent, _ := rawObj[pp.field].(map[string]any)
		if p.K8s != "" && p.K8s != digest(rawParent[pp.sub]) {
			return false, nil
		}
		parent, _ := resObj[pp.field].(map[string]any)
		if parent == nil {
			parent = map[string]any{}
			resObj[pp.field] = parent
		}
		setMember(parent, pp.sub, val)
		return true, nil
	}
	if p.K8s != "" && p.K8s != digest(rawObj[pp.field]) {
		return false, nil
	}
	setMember(resObj, pp.field, val)
	return true, nil
}

func setMember(m map[string]any, key string, val any) {
	if val == nil {
		delete(m, key)
		return
	}
	m[key] = val
}

// setEntry sets the member of the entry of a secrets or environment list with the given name.
func setEntry(c map[string]any, field, member, name string, v any) bool {
	list, _ := c[field].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["name"] == name {
			m[member] = v
			return true
		}
	}
	return false
}

func containerNames(m map[string]any) []any {
	var names []any
	list, _ := m[containersKey].([]any)
	for _, c := range list {
		cm, _ := c.(map[string]any)
		names = append(names, cm["name"])
	}
	return names
}

func findContainer(m map[string]any, name string) map[string]any {
	list, _ := m[containersKey].([]any)
	for _, c := range list {
		if cm, ok := c.(map[string]any); ok && cm["name"] == name {
			return cm
		}
	}
	return nil
}

// reorderContainers puts the containers in the given order of names; names not present keep
// their place after the listed ones.
func reorderContainers(m map[string]any, order any) error {
	names, ok := order.([]any)
	if !ok {
		return fmt.Errorf("the container order must be a list of names")
	}
	list, _ := m[containersKey].([]any)
	var out []any
	used := map[int]bool{}
	for _, n := range names {
		for i, c := range list {
			if cm, ok := c.(map[string]any); ok && !used[i] && cm["name"] == n {
				out = append(out, c)
				used[i] = true
				break
			}
		}
	}
	for i, c := range list {
		if !used[i] {
			out = append(out, c)
		}
	}
	m[containersKey] = out
	return nil
}

// cleanEmpty removes the recursed objects a patch left empty (linuxParameters: {}).
func cleanEmpty(m map[string]any) {
	for _, k := range []string{"linuxParameters", "deploymentConfiguration"} {
		if o, ok := m[k].(map[string]any); ok && len(o) == 0 {
			delete(m, k)
		}
	}
	list, _ := m[containersKey].([]any)
	for _, c := range list {
		if cm, ok := c.(map[string]any); ok {
			cleanEmpty(cm)
		}
	}
}

// mergeExtraTags appends the tags of a podecs.io/tags annotation whose keys are not tags yet.
func mergeExtraTags(res map[string]any, ann string) error {
	var extra []types.Tag
	if err := ecsjson.Unmarshal([]byte(ann), &extra); err != nil {
		return err
	}
	list, _ := res["tags"].([]any)
	have := map[string]bool{}
	for _, t := range list {
		have[memberString(t, "key")] = true
	}
	for _, t := range extra {
		if t.Key == nil || have[*t.Key] {
			continue
		}
		have[*t.Key] = true
		entry := map[string]any{"key": *t.Key}
		if t.Value != nil {
			entry["value"] = *t.Value
		}
		list = append(list, entry)
	}
	if len(list) > 0 {
		res["tags"] = list
	}
	return nil
}

// normalizeECS prepares an ECS document for comparison: members ECS treats as absent when empty
// (null, [], {}) are dropped, and the lists whose order carries no meaning (environment and
// secrets by name, tags by key) are sorted.
func normalizeECS(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, c := range t {
			n := normalizeECS(c)
			if isEmptyJSON(n) {
				continue
			}
			switch k {
			case "environment", "secrets":
				n = sortedBy(n, "name")
			case "tags":
				n = sortedBy(n, "key")
			}
			out[k] = n
		}
		return out
	case []any:
		out := make([]any, 0, len(t))
		for _, c := range t {
			out = append(out, normalizeECS(c))
		}
		return out
	}
	return v
}

func isEmptyJSON(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

// firstDifference returns the path of the first member where two JSON values differ, "" if none.
func firstDifference(a, b any, path string) string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		for _, k := range unionKeys(am, bm) {
			if d := firstDifference(am[k], bm[k], mapping.Join(path, k)); d != "" {
				return d
			}
		}
		return ""
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			if d := firstDifference(al[i], bl[i], mapping.Index(path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if reflect.DeepEqual(a, b) {
		return ""
	}
	if path == "" {
		return "(document)"
	}
	return path
}
