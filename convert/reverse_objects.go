package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/mapping"
)

// ExternalSecret is the External Secrets Operator object (external-secrets.io/v1beta1) that fills
// a Kubernetes Secret from AWS Secrets Manager or SSM Parameter Store. Only the fields podecs
// writes are declared.
type ExternalSecret struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              ExternalSecretSpec `json:"spec"`
}

// ExternalSecretSpec says which store to read, which Secret to write and which keys.
type ExternalSecretSpec struct {
	SecretStoreRef SecretStoreRef       `json:"secretStoreRef"`
	Target         ExternalSecretTarget `json:"target"`
	Data           []ExternalSecretData `json:"data"`
}

// SecretStoreRef names the (Cluster)SecretStore holding the AWS credentials and region.
type SecretStoreRef struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// ExternalSecretTarget is the Secret the operator creates.
type ExternalSecretTarget struct {
	Name string `json:"name"`
}

// ExternalSecretData is one key of the Secret and where its value comes from.
type ExternalSecretData struct {
	SecretKey string    `json:"secretKey"`
	RemoteRef RemoteRef `json:"remoteRef"`
}

// RemoteRef points at a Secrets Manager secret (by ARN, with an optional JSON property and
// version) or an SSM parameter (by name).
type RemoteRef struct {
	Key      string `json:"key"`
	Property string `json:"property,omitempty"`
	Version  string `json:"version,omitempty"`
}

// The ClusterSecretStores the ExternalSecrets refer to; they hold the AWS region and credentials
// (IRSA) and must be created once per cluster.
const (
	StoreSecretsManager = "aws-secrets-manager"
	StoreParameterStore = "aws-parameter-store"
)

// EFS volumes become claims of this StorageClass (the EFS CSI driver's usual name).
const (
	EFSStorageClass = "efs-sc"
	efsClaimSize    = "5Gi" // EFS is elastic; the CSI driver requires a size and ignores it
)

// SelectorLabel is the label that ties a Deployment or DaemonSet to its pods and Service.
const SelectorLabel = "app.kubernetes.io/name"

// renderObject writes one object as YAML without the noise of zero-valued typed fields.
func renderObject(o Object) ([]byte, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	delete(m, "status") // podecs writes desired state only
	pruneEmpty(m)
	clean, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(clean)
}

// noiseKeys are members that typed objects write as {} when unset; an empty emptyDir: {} is
// meaningful and kept.
var noiseKeys = map[string]bool{"resources": true, "strategy": true, "updateStrategy": true, "metadata": true, "annotations": true, "labels": true}

// pruneEmpty removes null members everywhere and the empty noise members.
func pruneEmpty(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if c == nil {
				delete(t, k)
				continue
			}
			pruneEmpty(c)
			if m, ok := c.(map[string]any); ok && len(m) == 0 && noiseKeys[k] {
				delete(t, k)
			}
		}
	case []any:
		for _, c := range t {
			pruneEmpty(c)
		}
	}
}

// k8sSecret is one Kubernetes Secret that ECS secrets become: all from one source.
type k8sSecret struct {
	name string
	src  mapping.SecretSource
	keys map[string]mapping.SecretSource // key → the exact reference (JSON key, version)
}

// secretSet collects the Secrets a task definition refers to; values are never known.
type secretSet struct {
	byName map[string]*k8sSecret
}

// ref names the Secret and key for one ECS secret. Two sources that sanitise to the same name get
// distinct Secrets (a suffix); two references to different keys or versions that give the same
// key get distinct keys.
func (s *secretSet) ref(valueFrom, envName string) (name, key string, src mapping.SecretSource, renamed bool) {
	if s.byName == nil {
		s.byName = map[string]*k8sSecret{}
	}
	src = mapping.ParseSecretSource(valueFrom)
	base := mapping.K8sSecretName(src)
	name = base
	for n := 2; ; n++ {
		sec, ok := s.byName[name]
		if !ok {
			s.byName[name] = &k8sSecret{name: name, src: src, keys: map[string]mapping.SecretSource{}}
			break
		}
		if sec.src.Store == src.Store && sec.src.Base == src.Base {
			break
		}
		name = suffixName(base, n, 253)
	}
	sec := s.byName[name]
	key, renamed = mapping.K8sSecretKey(src, envName)
	want := key
	for n := 2; ; n++ {
		prev, ok := sec.keys[key]
		if !ok || prev == src {
			break
		}
		key = fmt.Sprintf("%s-%d", want, n)
	}
	sec.keys[key] = src
	return name, key, src, renamed
}

// externalSecrets builds one ExternalSecret per Secret, sorted by name.
func (s *secretSet) externalSecrets(namespace string) []*ExternalSecret {
	var out []*ExternalSecret
	for _, name := range sortedKeys(s.byName) {
		sec := s.byName[name]
		es := &ExternalSecret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "external-secrets.io/v1beta1", Kind: "ExternalSecret"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
			Spec: ExternalSecretSpec{
				SecretStoreRef: SecretStoreRef{Name: StoreSecretsManager, Kind: "ClusterSecretStore"},
				Target:         ExternalSecretTarget{Name: name},
			},
		}
		if sec.src.Store == mapping.ParameterStore {
			es.Spec.SecretStoreRef.Name = StoreParameterStore
		}
		for _, key := range sortedKeys(sec.keys) {
			src := sec.keys[key]
			ref := RemoteRef{Key: src.Base}
			if src.Store == mapping.ParameterStore {
				ref.Key = src.Name
			} else {
				ref.Property = src.JSONKey
				switch {
				case src.VersionID != "":
					ref.Version = "uuid/" + src.VersionID
				case src.VersionStage != "":
					ref.Version = src.VersionStage
				}
			}
			es.Spec.Data = append(es.Spec.Data, ExternalSecretData{SecretKey: key, RemoteRef: ref})
		}
		out = append(out, es)
	}
	return out
}

// suffixName appends "-n" to a name, cutting the name so the result fits maxLen.
func suffixName(base string, n, maxLen int) string {
	sfx := fmt.Sprintf("-%d", n)
	if len(base)+len(sfx) > maxLen {
		base = strings.TrimRight(base[:maxLen-len(sfx)], "-.")
	}
	return base + sfx
}

// uniqueNames hands out Kubernetes-safe names that are unique within one set (containers,
// volumes).
type uniqueNames map[string]bool

// take returns K8sName(s), with a numeric suffix when the name is taken; changed reports a
// rewrite.
func (u uniqueNames) take(s string) (name string, changed bool) {
	base, _ := mapping.K8sName(s)
	name = base
	for n := 2; u[name]; n++ {
		name = suffixName(base, n, 63)
	}
	u[name] = true
	return name, name != s
}

// serviceAccount builds the ServiceAccount carrying the task role for IAM roles for service
// accounts (IRSA); it is named after the role.
func (r *reverser) serviceAccount() *corev1.ServiceAccount {
	arn := aws.ToString(r.td.TaskRoleArn)
	if arn == "" {
		return nil
	}
	role := arn[strings.LastIndex(arn, "/")+1:]
	name, _ := mapping.K8sSubdomain(role)
	if !strings.Contains(arn, ":role/") {
		name = r.name
	}
	r.tdFinding("taskRoleArn", mapping.Info, "ServiceAccount %q carries the role for IAM roles for service accounts; the role's trust policy must allow the cluster's OIDC provider (sts:AssumeRoleWithWebIdentity)", name)
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.namespace, Annotations: map[string]string{IRSARoleAnnotation: arn}},
	}
}

// claim builds the PersistentVolumeClaim an EFS volume becomes.
func (r *reverser) claim(volName string) *corev1.PersistentVolumeClaim {
	name, _ := mapping.K8sSubdomain(r.name + "-" + volName)
	sc := EFSStorageClass
	return &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.namespace},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			StorageClassName: &sc,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(efsClaimSize)}},
		},
	}
}

// k8sService exposes the ports of the running containers (not init containers) with a ClusterIP
// Service, the in-cluster name and load balancing ECS Service Connect gives. Ports are
// deduplicated by number and protocol; with several ports each gets a name.
func (r *reverser) k8sService(spec *corev1.PodSpec, name string) *corev1.Service {
	type key struct {
		port  int32
		proto corev1.Protocol
	}
	seen := map[key]bool{}
	var ports []corev1.ServicePort
	add := func(c corev1.Container) {
		for _, p := range c.Ports {
			k := key{p.ContainerPort, p.Protocol}
			if seen[k] {
				continue
			}
			seen[k] = true
			sp := corev1.ServicePort{Name: p.Name, Port: p.ContainerPort, TargetPort: intstr.FromInt32(p.ContainerPort), Protocol: p.Protocol}
			if ap := r.appProtocols[p.ContainerPort]; ap != "" {
				sp.AppProtocol = aws.String(ap)
			}
			ports = append(ports, sp)
		}
	}
	for _, c := range spec.InitContainers {
		if isSidecar(&c) {
			add(c)
		}
	}
	for _, c := range spec.Containers {
		add(c)
	}
	if len(ports) == 0 {
		return nil
	}
	if len(ports) > 1 {
		// Service port names must be unique; containers may reuse a name for different ports.
		used := map[string]bool{}
		for i := range ports {
			base := ports[i].Name
			if base == "" {
				base = fmt.Sprintf("%s-%d", strings.ToLower(string(ports[i].Protocol)), ports[i].Port)
			}
			name := base
			for n := 2; used[name]; n++ {
				name = suffixName(base, n, mapping.MaxK8sPortNameLength)
			}
			used[name] = true
			ports[i].Name = name
		}
	}
	sort.SliceStable(ports, func(i, j int) bool { return ports[i].Port < ports[j].Port })
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: r.namespace, Labels: map[string]string{SelectorLabel: r.name}},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{SelectorLabel: r.name},
			Ports:    ports,
		},
	}
}
