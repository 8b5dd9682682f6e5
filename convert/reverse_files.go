package convert

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/podecs/podecs/mapping"
)

// The way back for the files container: a container with the FilesLabel docker label, exactly as
// podecs writes it for the volumes the label names, becomes those volumes again (with the
// ConfigMaps its environment holds) instead of an init container. A container that differs from
// what podecs would write (an edited script, say) stays a container.

// reverseFiles is the files container of a task definition.
type reverseFiles struct {
	idx        int // index in containerDefinitions; -1: none
	label      filesLabel
	vols       map[string]corev1.Volume // by name
	configMaps []*corev1.ConfigMap
	// secretKeys are the keys of the Secrets of secret sources without items, for
	// AnnotationSecretKeys.
	secretKeys map[string][]string
}

// findFiles looks for podecs' files container and reads its label and content.
func (r *reverser) findFiles() {
	r.files = reverseFiles{idx: -1}
	if r.filesOff {
		return
	}
	for i := range r.td.ContainerDefinitions {
		d := &r.td.ContainerDefinitions[i]
		s, ok := d.DockerLabels[FilesLabel]
		if !ok {
			continue
		}
		f, err := readFilesContainer(d, s)
		if err != nil {
			r.tdFinding(cdPath(i, "dockerLabels"), mapping.Info, "the %s label does not describe this container's files (%v); the container stays a container", FilesLabel, err)
			return
		}
		f.idx = i
		r.files = f
		for _, name := range sortedKeys(f.label.Secrets) {
			keys := f.label.Secrets[name]
			for _, key := range sortedKeys(keys) {
				j := secretIndex(d, keys[key])
				valueFrom := aws.ToString(d.Secrets[j].ValueFrom)
				src := r.secrets.named(name, key, valueFrom)
				r.secretFinding(cdPath(i, mapping.Index("secrets", j))+".valueFrom", name, key, src, valueFrom)
			}
		}
		for _, cm := range f.configMaps {
			cm.Namespace = r.namespace
			r.tdFinding(cdPath(i, "environment"), mapping.Info, "ConfigMap %q is rebuilt from the files container's environment, with the keys its volumes show", cm.Name)
		}
		r.tdFinding(cdPath(i, ""), mapping.Info, "podecs' files container: it becomes the volumes %s again", strings.Join(volumeNames(f.label.Volumes), ", "))
		return
	}
}

func volumeNames(vs []corev1.Volume) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}

func secretIndex(d *types.ContainerDefinition, name string) int {
	for j, s := range d.Secrets {
		if aws.ToString(s.Name) == name {
			return j
		}
	}
	return -1
}

// readFilesContainer decodes the label and takes the content of the ConfigMaps from the
// container's environment.
func readFilesContainer(d *types.ContainerDefinition, label string) (reverseFiles, error) {
	f := reverseFiles{vols: map[string]corev1.Volume{}, secretKeys: map[string][]string{}}
	dec := json.NewDecoder(strings.NewReader(label))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f.label); err != nil {
		return f, err
	}
	for _, v := range f.label.Volumes {
		if err := checkFilesVolume(v); err != nil {
			return f, err
		}
		if _, dup := f.vols[v.Name]; dup {
			return f, fmt.Errorf("volume %q twice", v.Name)
		}
		f.vols[v.Name] = v
		for _, name := range noItemSecrets(v) {
			f.secretKeys[name] = sortedKeys(f.label.Secrets[name])
		}
	}
	env := map[string]string{}
	for _, kv := range d.Environment {
		env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	cms := map[string]*corev1.ConfigMap{}
	cm := func(name string) *corev1.ConfigMap {
		if cms[name] == nil {
			cms[name] = &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: name}}
		}
		return cms[name]
	}
	for name, keys := range f.label.ConfigMaps {
		c := cm(name)
		for key, v := range keys {
			val, ok := env[v]
			if !ok {
				return f, fmt.Errorf("no variable %s for key %q of ConfigMap %q", v, key, name)
			}
			if c.Data == nil {
				c.Data = map[string]string{}
			}
			c.Data[key] = val
		}
	}
	for _, enc := range []struct {
		m      map[string]map[string]string
		binary bool
	}{{f.label.BinaryData, true}, {f.label.DataBase64, false}} {
		binary := enc.binary
		for name, keys := range enc.m {
			c := cm(name)
			for key, v := range keys {
				b, err := base64.StdEncoding.DecodeString(env[v])
				if err != nil {
					return f, fmt.Errorf("variable %s of key %q of ConfigMap %q is not base64", v, key, name)
				}
				switch {
				case binary && c.BinaryData == nil:
					c.BinaryData = map[string][]byte{key: b}
				case binary:
					c.BinaryData[key] = b
				case c.Data == nil:
					c.Data = map[string]string{key: string(b)}
				default:
					c.Data[key] = string(b)
				}
			}
		}
	}
	for name, keys := range f.label.Secrets {
		for key, v := range keys {
			if secretIndex(d, v) < 0 {
				return f, fmt.Errorf("no secret %s for key %q of Secret %q", v, key, name)
			}
		}
	}
	for _, name := range sortedKeys(cms) {
		f.configMaps = append(f.configMaps, cms[name])
	}
	return f, nil
}

// noItemSecrets names the Secrets a volume shows every key of.
func noItemSecrets(v corev1.Volume) []string {
	var out []string
	switch {
	case v.Secret != nil && len(v.Secret.Items) == 0:
		out = append(out, v.Secret.SecretName)
	case v.Projected != nil:
		for _, s := range v.Projected.Sources {
			if s.Secret != nil && len(s.Secret.Items) == 0 {
				out = append(out, s.Secret.Name)
			}
		}
	}
	return out
}

// filesFSGroup gives the pod the fsGroup the files container sets.
func (r *reverser) filesFSGroup(spec *corev1.PodSpec) {
	if r.files.idx < 0 || r.files.label.FSGroup == nil {
		return
	}
	if spec.SecurityContext == nil {
		spec.SecurityContext = &corev1.PodSecurityContext{}
	}
	spec.SecurityContext.FSGroup = r.files.label.FSGroup
}

// filesVolume returns the Kubernetes volume a task volume of the files container stands for.
func (r *reverser) filesVolume(name string) (corev1.VolumeSource, bool) {
	v, ok := r.files.vols[name]
	return v.VolumeSource, ok
}

// filesSubPath returns the volume and subPath of a subPath mount's task volume.
func (r *reverser) filesSubPath(name string) (filesSubPath, bool) {
	if r.files.idx < 0 {
		return filesSubPath{}, false
	}
	s, ok := r.files.label.SubPaths[name]
	return s, ok
}

// secretKeysAnnotation is the AnnotationSecretKeys value for the secret volumes without items.
func (r *reverser) secretKeysAnnotation() string {
	if r.files.idx < 0 || len(r.files.secretKeys) == 0 {
		return ""
	}
	b, _ := json.Marshal(r.files.secretKeys)
	return string(b)
}

// filesMatch converts the objects back and checks that the files container comes back as it is:
// name, script, variables, secrets, mounts and label. Otherwise it was not written by podecs for
// these volumes (or was edited), and stays a container.
func (r *reverser) filesMatch(objs []Object) bool {
	td, _, err := forwardOf(objs)
	if err != nil {
		return false
	}
	orig := &r.td.ContainerDefinitions[r.files.idx]
	for i := range td.ContainerDefinitions {
		d := &td.ContainerDefinitions[i]
		if _, ok := d.DockerLabels[FilesLabel]; ok {
			return sameFilesContainer(orig, d)
		}
	}
	return false
}

func sameFilesContainer(a, b *types.ContainerDefinition) bool {
	envNames := func(d *types.ContainerDefinition) []string {
		var out []string
		for _, kv := range d.Environment {
			out = append(out, aws.ToString(kv.Name))
		}
		for _, s := range d.Secrets {
			out = append(out, "secret:"+aws.ToString(s.Name))
		}
		sort.Strings(out)
		return out
	}
	mounts := func(d *types.ContainerDefinition) []string {
		var out []string
		for _, m := range d.MountPoints {
			out = append(out, fmt.Sprintf("%s:%s:%v", aws.ToString(m.SourceVolume), aws.ToString(m.ContainerPath), aws.ToBool(m.ReadOnly)))
		}
		return out
	}
	return aws.ToString(a.Name) == aws.ToString(b.Name) &&
		reflect.DeepEqual(a.EntryPoint, b.EntryPoint) && reflect.DeepEqual(a.Command, b.Command) &&
		reflect.DeepEqual(envNames(a), envNames(b)) && reflect.DeepEqual(mounts(a), mounts(b)) &&
		a.DockerLabels[FilesLabel] == b.DockerLabels[FilesLabel]
}

// named records one key of a Secret a secret volume names: the Secret keeps its Kubernetes name.
func (s *secretSet) named(name, key, valueFrom string) mapping.SecretSource {
	if s.byName == nil {
		s.byName = map[string]*k8sSecret{}
	}
	src := mapping.ParseSecretSource(valueFrom)
	sec, ok := s.byName[name]
	if !ok {
		sec = &k8sSecret{name: name, src: src, keys: map[string]mapping.SecretSource{}}
		s.byName[name] = sec
	}
	sec.keys[key] = src
	return src
}

// filesSecretRefs maps the secrets of a task definition's files container to the Secret keys
// they hold ("secret/key"), by container name, so that a restored ARN is guarded by the
// Kubernetes reference it came from, as for environment variables.
func filesSecretRefs(td *ecs.RegisterTaskDefinitionInput) map[string]map[string]string {
	out := map[string]map[string]string{}
	if td == nil {
		return out
	}
	for _, d := range td.ContainerDefinitions {
		s, ok := d.DockerLabels[FilesLabel]
		if !ok {
			continue
		}
		var l filesLabel
		if json.NewDecoder(bytes.NewReader([]byte(s))).Decode(&l) != nil {
			continue
		}
		refs := map[string]string{}
		for name, keys := range l.Secrets {
			for key, v := range keys {
				refs[v] = name + "/" + key
			}
		}
		out[aws.ToString(d.Name)] = refs
	}
	return out
}

// dropMootFileSecrets removes the findings about the ARNs of secret volumes (placeholders,
// derived names) once the annotation restored the files container's secrets.
func dropMootFileSecrets(fs mapping.Findings, td *ecs.RegisterTaskDefinitionInput, r patchResult) mapping.Findings {
	for name := range filesSecretRefs(td) {
		if r.has(containersKey + "[" + name + "].secrets") {
			return dropFindings(fs, func(f mapping.Finding) bool {
				return f.Level != mapping.Error && strings.Contains(f.Path, "spec.volumes[") &&
					(strings.HasSuffix(f.Path, ".secret.secretName") || strings.HasSuffix(f.Path, ".secret.name"))
			})
		}
	}
	return fs
}

// checkFilesVolume checks a volume of the label as the API server would: a valid name, one
// source of the kinds the files container writes, valid paths and modes.
func checkFilesVolume(v corev1.Volume) error {
	if errs := validation.IsDNS1123Label(v.Name); len(errs) > 0 {
		return fmt.Errorf("volume name %q: %s", v.Name, errs[0])
	}
	var items []corev1.KeyToPath
	var downward []corev1.DownwardAPIVolumeFile
	var modes []*int32
	switch {
	case v.ConfigMap != nil && v.Secret == nil && v.Projected == nil && v.DownwardAPI == nil:
		items, modes = v.ConfigMap.Items, []*int32{v.ConfigMap.DefaultMode}
	case v.Secret != nil && v.Projected == nil && v.DownwardAPI == nil:
		items, modes = v.Secret.Items, []*int32{v.Secret.DefaultMode}
	case v.Projected != nil && v.DownwardAPI == nil:
		modes = []*int32{v.Projected.DefaultMode}
		for _, s := range v.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				items = append(items, s.ConfigMap.Items...)
			case s.Secret != nil:
				items = append(items, s.Secret.Items...)
			case s.DownwardAPI != nil:
				downward = append(downward, s.DownwardAPI.Items...)
			}
		}
	case v.DownwardAPI != nil:
		downward, modes = v.DownwardAPI.Items, []*int32{v.DownwardAPI.DefaultMode}
	default:
		return fmt.Errorf("volume %q is not a configMap, secret, projected or downwardAPI volume", v.Name)
	}
	var paths []string
	for _, it := range items {
		paths, modes = append(paths, it.Path), append(modes, it.Mode)
	}
	for _, it := range downward {
		paths, modes = append(paths, it.Path), append(modes, it.Mode)
	}
	for _, p := range paths {
		if err := mapping.CheckFilePath(p); err != nil {
			return fmt.Errorf("volume %q: %w", v.Name, err)
		}
	}
	for _, m := range modes {
		if m != nil {
			if err := mapping.CheckFileMode(*m); err != nil {
				return fmt.Errorf("volume %q: %w", v.Name, err)
			}
		}
	}
	return nil
}
