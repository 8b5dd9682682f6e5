package convert

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// Files: configMap, secret, projected and downwardAPI volumes become task volumes that a small
// init container, the files container, fills before any other container starts. ConfigMap and
// downward API content travels in the files container's environment; Secret keys reach it through
// ECS secrets (never their values); a POSIX sh script writes each file with its Kubernetes mode.
// Every container that mounted the volume mounts the task volume at the same path, read-only (as
// the kubelet mounts these volumes). A docker label on the files container describes the volumes,
// so that the way back restores them instead of an extra container.

// FilesConfig configures the files container (files in --config).
type FilesConfig struct {
	// Disabled drops configMap, secret, projected and downwardAPI volumes with a finding, as
	// podecs did before it wrote files.
	Disabled bool `json:"disabled,omitempty"`
	// Image is the image of the files container: any image with busybox, or a POSIX shell and
	// the commands mapping.FilesCommands names (default DefaultFilesImage).
	Image string `json:"image,omitempty"`
}

// DefaultFilesImage is the files container's default image (see mapping.DefaultFilesImage).
const DefaultFilesImage = mapping.DefaultFilesImage

// Names and limits of the files container.
const (
	// FilesContainerName is the files container's name (made unique against the pod's containers).
	FilesContainerName = "podecs-files"
	// FilesLabel is the docker label that marks the files container and describes its volumes.
	FilesLabel = "podecs.io/files"
	// AnnotationSecretKeys (on the pod template) lists the keys of Secrets that are not in the
	// input, as a JSON object of Secret name to keys, for secret volumes without items. The way
	// back writes it; a Secret manifest in the input wins.
	AnnotationSecretKeys = "podecs.io/secret-keys"
	// MaxTaskDefinitionBytes is the ECS limit on the size of a task definition.
	MaxTaskDefinitionBytes = 64 << 10
	// filesMountRoot is where the files container mounts the task volumes it fills.
	filesMountRoot = "/podecs/"
)

func (f FilesConfig) image() string {
	if f.Image != "" {
		return f.Image
	}
	return DefaultFilesImage
}

// filesLabel is the value of FilesLabel: the Kubernetes volumes as the input had them, and which
// environment variable holds each key of each object.
type filesLabel struct {
	Volumes []corev1.Volume `json:"volumes"`
	// ConfigMaps, BinaryData and Secrets map an object name to its keys and their variables;
	// DataBase64 the data keys whose value has a NUL byte, which travels base64-encoded.
	ConfigMaps map[string]map[string]string `json:"configMaps,omitempty"`
	DataBase64 map[string]map[string]string `json:"dataBase64,omitempty"`
	BinaryData map[string]map[string]string `json:"binaryData,omitempty"`
	Secrets    map[string]map[string]string `json:"secrets,omitempty"`
	// SubPaths maps the task volume of a subPath mount to the volume and subPath it shows.
	SubPaths map[string]filesSubPath `json:"subPaths,omitempty"`
	// FSGroup is the pod's fsGroup, the group of the files.
	FSGroup *int64 `json:"fsGroup,omitempty"`
}

type filesSubPath struct {
	Volume  string `json:"volume"`
	SubPath string `json:"subPath"`
}

// filesPlan is what the files container writes.
type filesPlan struct {
	name    string // the container's name
	fsGroup *int64
	vols    []*filesVolume
	subs    []*filesSub
	values  map[string]*fileValue // by source key (see fileValue)
	vars    map[string]bool       // variable names taken
	taken   map[string]bool       // task volume names taken
	// appDef is the first app container, whose pod-wide settings the files container shares.
	appDef *types.ContainerDefinition
}

// filesVolume is one volume the files container fills.
type filesVolume struct {
	vol   corev1.Volume
	path  string // field path of the volume
	files []plannedFile
	bytes int // content bytes in the task definition
}

// filesSub is the task volume of a subPath mount: the part of a volume below subPath.
type filesSub struct {
	name    string
	of      *filesVolume
	subPath string
}

type plannedFile struct {
	path string
	mode int32
	v    *fileValue
}

// fileValue is the content of one key or downward API item: a literal (environment) or a
// Secret key (ECS secrets).
type fileValue struct {
	name   string // the variable
	value  string // literal content, base64 when base64 is set
	arn    string // the Secret key's ARN, for secrets
	base64 bool
	binary bool // from binaryData
}

// filesVolume plans one configMap, secret, projected or downwardAPI volume: volumeFiles when the
// files container writes it, volumeDropped (with the finding that says why) when not.
func (pc *podConverter) filesVolume(spec *corev1.PodSpec, vs *volumeSet, v corev1.Volume, p string) volumeKind {
	kind := volumeSourceName(v)
	dropped := func(format string, args ...any) volumeKind {
		pc.add(p, mapping.Unsupported, "%s volume: %s; the volume and its mounts are dropped (bake the files into the image, or put them on EFS)", kind, fmt.Sprintf(format, args...))
		return volumeDropped
	}
	switch {
	case pc.cfg.Files.Disabled:
		return dropped("the files container is off (files.disabled in --config)")
	case spec.OS != nil && spec.OS.Name == corev1.Windows, spec.NodeSelector[corev1.LabelOSStable] == string(corev1.Windows):
		return dropped("the files container is a Linux container, which a Windows task cannot run")
	case len(spec.Containers)+len(spec.InitContainers) >= MaxContainers:
		return dropped("the pod already has %d containers, the ECS maximum: there is no room for the files container that would write them", MaxContainers)
	}
	plan := vs.files
	if plan == nil {
		plan = pc.newFilesPlan(spec)
		vs.files = plan
	}
	fv := &filesVolume{vol: v, path: p}
	files, failed := pc.volumeFiles(spec, plan, v, p)
	if len(files) == 0 && failed {
		return dropped("none of its files can be written (see the findings before)")
	}
	fv.files = files
	counted := map[*fileValue]bool{}
	for _, f := range files {
		if !counted[f.v] {
			counted[f.v] = true
			fv.bytes += len(f.v.value)
		}
	}
	plan.vols = append(plan.vols, fv)
	return volumeFiles
}

func (pc *podConverter) newFilesPlan(spec *corev1.PodSpec) *filesPlan {
	plan := &filesPlan{values: map[string]*fileValue{}, vars: map[string]bool{}, taken: map[string]bool{}}
	names := map[string]bool{}
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range list {
			names[c.Name] = true
		}
	}
	plan.name = FilesContainerName
	for n := 2; names[plan.name]; n++ {
		plan.name = fmt.Sprintf("%s-%d", FilesContainerName, n)
	}
	for _, v := range spec.Volumes {
		plan.taken[v.Name] = true
	}
	if spec.SecurityContext != nil && spec.SecurityContext.FSGroup != nil {
		plan.fsGroup = spec.SecurityContext.FSGroup
	}
	return plan
}

// fileSource is one configMap or secret source of a volume, in either form.
type fileSource struct {
	kind      string // ConfigMap or Secret
	name      string
	nameField string // the field that names the object, for findings
	items     []corev1.KeyToPath
	optional  bool
	p         string
}

// volumeFiles lists the files of a volume, as the kubelet would project them: sources in order,
// a later file at the same path replacing an earlier one. failed reports a source or item that
// cannot be written and is not optional.
func (pc *podConverter) volumeFiles(spec *corev1.PodSpec, plan *filesPlan, v corev1.Volume, p string) (files []plannedFile, failed bool) {
	byPath := map[string]plannedFile{}
	var order []string
	put := func(f plannedFile) {
		if _, ok := byPath[f.path]; !ok {
			order = append(order, f.path)
		}
		byPath[f.path] = f
	}
	var defMode *int32
	collect := func(src fileSource) {
		fs, bad := pc.objectFiles(plan, src, defMode)
		failed = failed || bad
		for _, f := range fs {
			put(f)
		}
	}
	switch {
	case v.ConfigMap != nil:
		defMode = v.ConfigMap.DefaultMode
		pc.checkDefaultMode(defMode, p+".configMap.defaultMode")
		collect(fileSource{kind: "ConfigMap", name: v.ConfigMap.Name, nameField: "name", items: v.ConfigMap.Items, optional: isTrue(v.ConfigMap.Optional), p: p + ".configMap"})
	case v.Secret != nil:
		defMode = v.Secret.DefaultMode
		pc.checkDefaultMode(defMode, p+".secret.defaultMode")
		collect(fileSource{kind: "Secret", name: v.Secret.SecretName, nameField: "secretName", items: v.Secret.Items, optional: isTrue(v.Secret.Optional), p: p + ".secret"})
	case v.DownwardAPI != nil:
		defMode = v.DownwardAPI.DefaultMode
		pc.checkDefaultMode(defMode, p+".downwardAPI.defaultMode")
		fs, bad := pc.downwardFiles(spec, plan, v.Name, v.DownwardAPI.Items, defMode, p+".downwardAPI")
		failed = failed || bad
		for _, f := range fs {
			put(f)
		}
	case v.Projected != nil:
		defMode = v.Projected.DefaultMode
		pc.checkDefaultMode(defMode, p+".projected.defaultMode")
		for j, s := range v.Projected.Sources {
			sp := mapping.Index(p+".projected.sources", j)
			switch {
			case s.ConfigMap != nil:
				collect(fileSource{kind: "ConfigMap", name: s.ConfigMap.Name, nameField: "name", items: s.ConfigMap.Items, optional: isTrue(s.ConfigMap.Optional), p: sp + ".configMap"})
			case s.Secret != nil:
				collect(fileSource{kind: "Secret", name: s.Secret.Name, nameField: "name", items: s.Secret.Items, optional: isTrue(s.Secret.Optional), p: sp + ".secret"})
			case s.DownwardAPI != nil:
				fs, bad := pc.downwardFiles(spec, plan, v.Name, s.DownwardAPI.Items, defMode, sp+".downwardAPI")
				failed = failed || bad
				for _, f := range fs {
					put(f)
				}
			case s.ServiceAccountToken != nil:
				pc.add(sp+".serviceAccountToken", mapping.Unsupported, "ECS tasks get AWS credentials from the task role, not a service account token; the token file %s is not written", s.ServiceAccountToken.Path)
				failed = true
			case s.ClusterTrustBundle != nil:
				pc.add(sp+".clusterTrustBundle", mapping.Unsupported, "ClusterTrustBundles exist only in a cluster; the file %s is not written", s.ClusterTrustBundle.Path)
				failed = true
			case s.PodCertificate != nil:
				pc.add(sp+".podCertificate", mapping.Unsupported, "pod certificates are issued by the cluster; the files are not written")
				failed = true
			}
		}
	}
	sort.Strings(order)
	dirs := map[string]bool{}
	for _, d := range mapping.NestedDirs(order) {
		dirs[d] = true
	}
	for _, path := range order {
		f := byPath[path]
		if dirs[path] {
			pc.add(p, mapping.Unsupported, "%s is a file and also a directory of other files (Kubernetes would not start the pod); the file %s is not written", path, path)
			failed = true
			continue
		}
		f.mode = mapping.FileMode(&f.mode, nil, plan.fsGroup)
		files = append(files, f)
	}
	return files, failed
}

func (pc *podConverter) checkDefaultMode(m *int32, p string) {
	if m != nil {
		if err := mapping.CheckFileMode(*m); err != nil {
			pc.add(p, mapping.Error, "%v", err)
		}
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// objectFiles lists the files of one ConfigMap or Secret source. Every key is a file named after
// it, or only the items, at their paths; a missing object or key is skipped when optional.
func (pc *podConverter) objectFiles(plan *filesPlan, src fileSource, defMode *int32) (files []plannedFile, failed bool) {
	keys, ok := pc.sourceKeys(src)
	if !ok {
		return nil, !src.optional
	}
	type want struct {
		key, path string
		mode      *int32
	}
	var wants []want
	if len(src.items) == 0 {
		for _, k := range keys {
			if errs := validation.IsConfigMapKey(k); len(errs) > 0 {
				pc.add(src.p, mapping.Unsupported, "%s %q has the key %q, which is not a valid file name (%s); not written", src.kind, src.name, k, errs[0])
				failed = true
				continue
			}
			wants = append(wants, want{key: k, path: k})
		}
	}
	for j, it := range src.items {
		ip := mapping.Index(src.p+".items", j)
		if err := mapping.CheckFilePath(it.Path); err != nil {
			pc.add(ip+".path", mapping.Error, "%v", err)
			continue
		}
		if it.Mode != nil {
			if err := mapping.CheckFileMode(*it.Mode); err != nil {
				pc.add(ip+".mode", mapping.Error, "%v", err)
				continue
			}
		}
		if !contains(keys, it.Key) {
			if src.optional {
				pc.add(ip+".key", mapping.Info, "%s %q has no key %q; optional, so the file %s is left out, as Kubernetes does", src.kind, src.name, it.Key, it.Path)
			} else {
				pc.add(ip+".key", mapping.Unsupported, "%s %q has no key %q (Kubernetes would not start the pod); the file %s is not written", src.kind, src.name, it.Key, it.Path)
				failed = true
			}
			continue
		}
		wants = append(wants, want{key: it.Key, path: mapping.CleanFilePath(it.Path), mode: it.Mode})
	}
	if src.kind == "Secret" && src.optional && len(wants) > 0 {
		pc.add(src.p+".optional", mapping.Lossy, "ECS has no optional secrets: the files container fails, and the task with it, when a secret is missing")
	}
	for _, w := range wants {
		v := pc.fileValue(plan, src, w.key)
		if v == nil {
			failed = true
			continue
		}
		mode := mapping.FileMode(w.mode, defMode, nil)
		files = append(files, plannedFile{path: w.path, mode: mode, v: v})
	}
	return files, failed
}

// sourceKeys lists the keys of a source's object; false when they cannot be known (the finding
// says why).
func (pc *podConverter) sourceKeys(src fileSource) ([]string, bool) {
	key := objKey(pc.namespace, src.name)
	if src.kind == "ConfigMap" {
		data, ok := pc.ix.configMaps[key]
		if !ok {
			if src.optional {
				pc.add(src.p+"."+src.nameField, mapping.Info, "ConfigMap %q is not in the input; optional, so its files are left out, as Kubernetes does when it does not exist", src.name)
			} else {
				pc.add(src.p+"."+src.nameField, mapping.Unsupported, "ConfigMap %q is not in the input, so its files cannot be written (add its manifest to the input)", src.name)
			}
			return nil, false
		}
		var keys []string
		for i := range data.Len() {
			k, _ := data.At(i)
			keys = append(keys, k)
		}
		bin := pc.ix.configMapBinary[key]
		for i := range bin.Len() {
			k, _ := bin.At(i)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys, true
	}
	if keys, ok := pc.ix.secretKeys[key]; ok {
		return keys, true
	}
	if len(src.items) > 0 {
		var keys []string
		for _, it := range src.items {
			keys = append(keys, it.Key)
		}
		return keys, true
	}
	if keys, ok := pc.annotatedSecretKeys(src.name); ok {
		return keys, true
	}
	if keys := configSecretKeys(pc.cfg.Secrets, pc.namespace, src.name); len(keys) > 0 {
		pc.add(src.p+"."+src.nameField, mapping.Info, "Secret %q is not in the input; its keys are those secrets in --config maps one by one: %s", src.name, strings.Join(keys, ", "))
		return keys, true
	}
	level := mapping.Unsupported
	if src.optional {
		level = mapping.Info
	}
	pc.add(src.p+"."+src.nameField, level, "Secret %q is not in the input, so its keys are unknown and its files cannot be written; add the Secret manifest (its values are never read), list the keys in items, map them one by one in secrets of --config, or name them in the %s annotation", src.name, AnnotationSecretKeys)
	return nil, false
}

// configSecretKeys lists the keys of a Secret that secrets in --config maps one by one
// ("name/key", "namespace/name/key"), sorted.
func configSecretKeys(m map[string]string, namespace, name string) []string {
	seen := map[string]bool{}
	for k := range m {
		key, ok := strings.CutPrefix(k, name+"/")
		if namespace != "" {
			if nk, nok := strings.CutPrefix(k, namespace+"/"+name+"/"); nok {
				key, ok = nk, true
			}
		}
		if ok && key != "" && !strings.Contains(key, "/") {
			seen[key] = true
		}
	}
	return sortedKeys(seen)
}

// annotatedSecretKeys reads the keys of a Secret from the AnnotationSecretKeys annotation.
func (pc *podConverter) annotatedSecretKeys(name string) ([]string, bool) {
	ann, ok := pc.w.Template.Annotations[AnnotationSecretKeys]
	if !ok {
		return nil, false
	}
	var m map[string][]string
	if err := json.Unmarshal([]byte(ann), &m); err != nil {
		pc.add("metadata.annotations["+fmt.Sprintf("%q", AnnotationSecretKeys)+"]", mapping.Error, "not a JSON object of Secret names to lists of keys: %v", err)
		return nil, false
	}
	keys, ok := m[name]
	return keys, ok
}

// fileValue returns the content of one key, shared by every file that shows it.
func (pc *podConverter) fileValue(plan *filesPlan, src fileSource, key string) *fileValue {
	id := src.kind + "\x00" + src.name + "\x00" + key
	if v, ok := plan.values[id]; ok {
		return v
	}
	v := &fileValue{}
	switch src.kind {
	case "Secret":
		v.name = mapping.FileVarName("SECRET", src.name, key, plan.vars)
		before := len(pc.fs)
		v.arn = pc.secretARN(src.name, key, src.p+"."+src.nameField)
		pc.fs = dedupeFindings(pc.fs, before)
	default:
		k := objKey(pc.namespace, src.name)
		if s, ok := pc.ix.configMaps[k].Get(key); ok {
			v.value = s
			// A variable cannot hold a NUL byte: such content travels base64-encoded.
			v.base64 = strings.IndexByte(s, 0) >= 0
		} else {
			s, _ := pc.ix.configMapBinary[k].Get(key)
			v.value, v.base64, v.binary = s, true, true
		}
		if v.base64 {
			v.value = base64.StdEncoding.EncodeToString([]byte(v.value))
		}
		v.name = mapping.FileVarName("CONFIGMAP", src.name, key, plan.vars)
	}
	plan.values[id] = v
	return v
}

// dedupeFindings removes the findings added since before that repeat an earlier one.
func dedupeFindings(fs mapping.Findings, before int) mapping.Findings {
	out := fs[:before]
	for _, f := range fs[before:] {
		dup := false
		for _, g := range out {
			dup = dup || g == f
		}
		if !dup {
			out = append(out, f)
		}
	}
	return out
}

// downwardFiles lists the files of downward API items: the pod's metadata, known when the task
// definition is written, and the containers' resources.
func (pc *podConverter) downwardFiles(spec *corev1.PodSpec, plan *filesPlan, volume string, items []corev1.DownwardAPIVolumeFile, defMode *int32, p string) (files []plannedFile, failed bool) {
	for j, it := range items {
		ip := mapping.Index(p+".items", j)
		if err := mapping.CheckFilePath(it.Path); err != nil {
			pc.add(ip+".path", mapping.Error, "%v", err)
			continue
		}
		if it.Mode != nil {
			if err := mapping.CheckFileMode(*it.Mode); err != nil {
				pc.add(ip+".mode", mapping.Error, "%v", err)
				continue
			}
		}
		var content string
		var ok bool
		switch {
		case it.FieldRef != nil:
			content, ok = pc.downwardField(it.FieldRef.FieldPath, ip+".fieldRef.fieldPath", it.Path)
		case it.ResourceFieldRef != nil:
			content, ok = pc.resourceValue(it.ResourceFieldRef, ip+".resourceFieldRef", "the file "+it.Path, nil, spec)
		default:
			pc.add(ip, mapping.Error, "a downward API item needs fieldRef or resourceFieldRef")
		}
		if !ok {
			failed = true
			continue
		}
		v := &fileValue{value: content, name: mapping.FileVarName("DOWNWARD", volume, it.Path, plan.vars)}
		files = append(files, plannedFile{path: mapping.CleanFilePath(it.Path), mode: mapping.FileMode(it.Mode, defMode, nil), v: v})
	}
	return files, failed
}

// downwardField is the content of a downward API file of the pod's metadata. podecs.io/
// annotations are podecs' own and left out.
func (pc *podConverter) downwardField(field, p, file string) (string, bool) {
	meta := pc.w.Template.ObjectMeta
	annotations := map[string]string{}
	for k, v := range meta.Annotations {
		if !strings.HasPrefix(k, annotationPrefix) {
			annotations[k] = v
		}
	}
	one := func(m map[string]string, prefix string) (string, bool) {
		key, ok := strings.CutPrefix(field, prefix+"['")
		if !ok || !strings.HasSuffix(key, "']") {
			return "", false
		}
		return m[strings.TrimSuffix(key, "']")], true
	}
	var v string
	switch {
	case field == "metadata.namespace":
		v = nsOf(pc.namespace)
	case field == "metadata.name":
		v = pc.w.Meta.Name
		if pc.w.Kind != "Pod" {
			pc.add(p, mapping.Lossy, "pod names are generated per replica; the file %s holds the workload name %q", file, v)
			return v, true
		}
	case field == "metadata.labels":
		v = mapping.DownwardMapFile(meta.Labels)
		if pc.w.Kind != "Pod" {
			pc.add(p, mapping.Info, "the file %s holds the pod template's labels; those Kubernetes adds to each pod (pod-template-hash, controller-revision-hash) do not exist on ECS", file)
			return v, true
		}
	case field == "metadata.annotations":
		v = mapping.DownwardMapFile(annotations)
	default:
		var ok bool
		if v, ok = one(meta.Labels, "metadata.labels"); ok {
			break
		}
		if v, ok = one(annotations, "metadata.annotations"); ok {
			break
		}
		pc.add(p, mapping.Unsupported, "%s is only known at run time; ECS has no equivalent (the task metadata endpoint ${ECS_CONTAINER_METADATA_URI_V4} has the task's); the file %s is not written", field, file)
		return "", false
	}
	pc.add(p, mapping.Info, "%s written as the literal %q", field, v)
	return v, true
}

// filesMount plans a mount of a files volume: the volume itself, or the task volume of a subPath
// that names a directory. A subPath that names a file cannot be mounted (ECS mounts directories);
// nil and a finding then.
func (pc *podConverter) filesMount(vs volumeSet, m corev1.VolumeMount, mp string) *string {
	plan := vs.files
	if m.SubPathExpr != "" {
		pc.add(mp+".subPathExpr", mapping.Unsupported, "subPathExpr is expanded per pod at run time, and ECS mounts whole volumes only; the mount at %s is dropped", m.MountPath)
		return nil
	}
	if m.SubPath == "" {
		return aws.String(m.Name)
	}
	if mapping.CleanFilePath(m.SubPath) == "." {
		return aws.String(m.Name)
	}
	if err := mapping.CheckFilePath(m.SubPath); err != nil {
		pc.add(mp+".subPath", mapping.Error, "%v", err)
		return nil
	}
	var fv *filesVolume
	for _, v := range plan.vols {
		if v.vol.Name == m.Name {
			fv = v
		}
	}
	sub := mapping.CleanFilePath(m.SubPath)
	for _, f := range fv.files {
		if f.path == sub {
			pc.add(mp+".subPath", mapping.Unsupported, "ECS mounts directories only: %s is a file of volume %q, and mounting the volume at %s would hide everything else in %s; the mount is dropped (mount the volume on a directory of its own, or bake the file into the image)", sub, m.Name, m.MountPath, path.Dir(m.MountPath))
			return nil
		}
	}
	for _, s := range plan.subs {
		if s.of == fv && s.subPath == m.SubPath {
			return aws.String(s.name)
		}
	}
	for n := range vs.kind {
		plan.taken[n] = true // claim templates too
	}
	name := subVolumeName(m.Name, sub, plan.taken)
	plan.subs = append(plan.subs, &filesSub{name: name, of: fv, subPath: m.SubPath})
	pc.add(mp+".subPath", mapping.Info, "directory %s of volume %q becomes the task volume %q, which the files container fills with that directory's files", sub, m.Name, name)
	return aws.String(name)
}

// subVolumeName names the task volume of a subPath: VOLUME-SUBPATH with characters ECS refuses
// replaced, unique among the task's volumes.
func subVolumeName(vol, sub string, taken map[string]bool) string {
	base, _ := mapping.ECSName(vol + "-" + sub)
	if len(base) > 250 {
		base = base[:250]
	}
	name := base
	for n := 2; taken[name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	taken[name] = true
	return name
}

// files of a subPath task volume: those below the subPath, relative to it.
func (s *filesSub) files() []plannedFile {
	prefix := mapping.CleanFilePath(s.subPath) + "/"
	var out []plannedFile
	for _, f := range s.of.files {
		if rest, ok := strings.CutPrefix(f.path, prefix); ok {
			out = append(out, plannedFile{path: rest, mode: f.mode, v: f.v})
		}
	}
	return out
}

// dependency is what the other containers wait for: the files container's success.
func (plan *filesPlan) dependency() *types.ContainerDependency {
	if plan == nil || len(plan.vols) == 0 {
		return nil
	}
	return &types.ContainerDependency{ContainerName: aws.String(plan.name), Condition: types.ContainerConditionSuccess}
}

// withFilesContainer puts the files container first. It shares the pod-wide settings the other
// containers carry (stop timeout, system controls, DNS, extra hosts) and their log configuration.
func (pc *podConverter) withFilesContainer(defs []types.ContainerDefinition, plan *filesPlan) []types.ContainerDefinition {
	if plan.dependency() == nil {
		return defs
	}
	for i := range defs {
		if aws.ToBool(defs[i].Essential) {
			plan.appDef = &defs[i]
			break
		}
	}
	return append([]types.ContainerDefinition{pc.filesContainer(plan)}, defs...)
}

// filesContainer builds the files container of a plan.
func (pc *podConverter) filesContainer(plan *filesPlan) types.ContainerDefinition {
	def := types.ContainerDefinition{
		Name:                   aws.String(plan.name),
		Image:                  aws.String(pc.cfg.Files.image()),
		Essential:              aws.Bool(false),
		EntryPoint:             []string{"sh", "-c"},
		ReadonlyRootFilesystem: aws.Bool(true),
	}
	if a := plan.appDef; a != nil {
		def.StopTimeout, def.SystemControls, def.DnsServers, def.DnsSearchDomains, def.ExtraHosts = a.StopTimeout, a.SystemControls, a.DnsServers, a.DnsSearchDomains, a.ExtraHosts
	}
	pc.logging(&def)
	label := filesLabel{FSGroup: plan.fsGroup}
	var dirs []mapping.ScriptDir
	used := map[*fileValue]bool{}
	addDir := func(name, comment string, files []plannedFile) {
		mount := filesMountRoot + name
		def.MountPoints = append(def.MountPoints, types.MountPoint{SourceVolume: aws.String(name), ContainerPath: aws.String(mount)})
		d := mapping.ScriptDir{Mount: mount, Comment: comment, FSGroup: plan.fsGroup}
		var paths []string
		for _, f := range files {
			d.Files = append(d.Files, mapping.ScriptFile{Path: f.path, Mode: f.mode, Var: f.v.name, Base64: f.v.base64})
			paths = append(paths, f.path)
			used[f.v] = true
		}
		d.Dirs = mapping.NestedDirs(paths)
		dirs = append(dirs, d)
	}
	for _, fv := range plan.vols {
		label.Volumes = append(label.Volumes, fv.vol)
		addDir(fv.vol.Name, "volume "+fv.vol.Name+": "+describeSources(fv.vol), fv.files)
	}
	for _, s := range plan.subs {
		if label.SubPaths == nil {
			label.SubPaths = map[string]filesSubPath{}
		}
		label.SubPaths[s.name] = filesSubPath{Volume: s.of.vol.Name, SubPath: s.subPath}
		addDir(s.name, "volume "+s.of.vol.Name+", subPath "+s.subPath, s.files())
	}
	def.Command = []string{mapping.FilesScript(dirs)}
	for _, id := range sortedKeys(plan.values) {
		v := plan.values[id]
		if !used[v] {
			continue
		}
		kind, rest, _ := strings.Cut(id, "\x00")
		name, key, _ := strings.Cut(rest, "\x00")
		m := &label.ConfigMaps
		switch {
		case kind == "Secret":
			m = &label.Secrets
		case v.binary:
			m = &label.BinaryData
		case v.base64:
			m = &label.DataBase64
		}
		if *m == nil {
			*m = map[string]map[string]string{}
		}
		if (*m)[name] == nil {
			(*m)[name] = map[string]string{}
		}
		(*m)[name][key] = v.name
	}
	var env []types.KeyValuePair
	var secrets []types.Secret
	for v := range used {
		if v.arn != "" {
			secrets = append(secrets, types.Secret{Name: aws.String(v.name), ValueFrom: aws.String(v.arn)})
		} else {
			env = append(env, types.KeyValuePair{Name: aws.String(v.name), Value: aws.String(v.value)})
		}
	}
	sort.Slice(env, func(i, j int) bool { return *env[i].Name < *env[j].Name })
	sort.Slice(secrets, func(i, j int) bool { return *secrets[i].Name < *secrets[j].Name })
	def.Environment, def.Secrets = env, secrets
	b, _ := json.Marshal(label)
	def.DockerLabels = map[string]string{FilesLabel: string(b)}
	return def
}

// describeSources names a volume's sources for the script's comment.
func describeSources(v corev1.Volume) string {
	switch {
	case v.ConfigMap != nil:
		return "ConfigMap " + v.ConfigMap.Name
	case v.Secret != nil:
		return "Secret " + v.Secret.SecretName
	case v.DownwardAPI != nil:
		return "downward API"
	}
	var out []string
	for _, s := range v.Projected.Sources {
		switch {
		case s.ConfigMap != nil:
			out = append(out, "ConfigMap "+s.ConfigMap.Name)
		case s.Secret != nil:
			out = append(out, "Secret "+s.Secret.Name)
		case s.DownwardAPI != nil:
			out = append(out, "downward API")
		}
	}
	return "projected " + strings.Join(out, ", ")
}

// finishFiles adds the task volumes of subPath mounts, and keeps the task definition within the
// ECS size limit: while it is too large, the volume with the most content is dropped, with a
// finding that says how large both are.
func (pc *podConverter) finishFiles(td *ecsTaskDef, vs volumeSet) {
	plan := vs.files
	if plan.dependency() == nil {
		return
	}
	for _, s := range plan.subs {
		td.Volumes = append(td.Volumes, types.Volume{Name: aws.String(s.name)})
	}
	if plan.fsGroup != nil {
		pc.add("spec.securityContext.fsGroup", mapping.Info, "the files of configMap, secret, projected and downwardAPI volumes get group %d and group read permission, as the kubelet sets them", *plan.fsGroup)
	}
	for {
		size := taskDefinitionBytes(td)
		if size <= MaxTaskDefinitionBytes || len(plan.vols) == 0 {
			break
		}
		big := 0
		for i, fv := range plan.vols {
			if fv.bytes > plan.vols[big].bytes {
				big = i
			}
		}
		fv := plan.vols[big]
		pc.add(fv.path, mapping.Unsupported, "the task definition would be %d bytes with the files of this volume (%d bytes of content), over the ECS limit of %d bytes; the volume and its mounts are dropped (bake the files into the image, or put them on EFS)", size, fv.bytes, MaxTaskDefinitionBytes)
		plan.vols = append(plan.vols[:big:big], plan.vols[big+1:]...)
		gone := map[string]bool{fv.vol.Name: true}
		var subs []*filesSub
		for _, s := range plan.subs {
			if s.of == fv {
				gone[s.name] = true
			} else {
				subs = append(subs, s)
			}
		}
		plan.subs = subs
		pc.removeFilesVolumes(td, plan, gone)
	}
}

// removeFilesVolumes takes dropped files volumes out of the task definition, and the files
// container with the dependencies on it once it has nothing left to write.
func (pc *podConverter) removeFilesVolumes(td *ecsTaskDef, plan *filesPlan, gone map[string]bool) {
	var vols []types.Volume
	for _, v := range td.Volumes {
		if !gone[aws.ToString(v.Name)] {
			vols = append(vols, v)
		}
	}
	td.Volumes = vols
	var defs []types.ContainerDefinition
	for _, d := range td.ContainerDefinitions {
		if aws.ToString(d.Name) == plan.name {
			if plan.dependency() == nil {
				continue
			}
			d = pc.filesContainer(plan)
		}
		var mps []types.MountPoint
		for _, m := range d.MountPoints {
			if !gone[aws.ToString(m.SourceVolume)] {
				mps = append(mps, m)
			}
		}
		d.MountPoints = mps
		if plan.dependency() == nil {
			var deps []types.ContainerDependency
			for _, dep := range d.DependsOn {
				if aws.ToString(dep.ContainerName) != plan.name {
					deps = append(deps, dep)
				}
			}
			d.DependsOn = deps
		}
		defs = append(defs, d)
	}
	td.ContainerDefinitions = defs
}

// taskDefinitionBytes is the size of the task definition as compact JSON.
func taskDefinitionBytes(td *ecsTaskDef) int {
	b, err := ecsjson.Marshal(td)
	if err != nil {
		return 0
	}
	var c bytes.Buffer
	if json.Compact(&c, b) != nil {
		return len(b)
	}
	return c.Len()
}

// indexBinaryData keeps the binaryData of a ConfigMap for its files.
func (ix *Index) indexBinaryData(o *corev1.ConfigMap) {
	key := objKey(o.Namespace, o.Name)
	if len(o.BinaryData) == 0 {
		delete(ix.configMapBinary, key)
		return
	}
	m := make(map[string]string, len(o.BinaryData))
	for k, v := range o.BinaryData {
		m[k] = string(v)
	}
	ix.configMapBinary[key] = packMap(m)
}
