package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"

	"github.com/podecs/podecs/mapping"
)

// IRSARoleAnnotation is the ServiceAccount annotation of EKS IAM roles for service accounts.
const IRSARoleAnnotation = "eks.amazonaws.com/role-arn"

// Workload is a Kubernetes object that carries a pod template.
type Workload struct {
	Ref      DocRef
	Kind     string
	Meta     metav1.ObjectMeta
	Template corev1.PodTemplateSpec
	// TemplatePath is where the pod template sits in the object ("" for a Pod).
	TemplatePath string
	// Object is the typed object (*appsv1.Deployment, *corev1.Pod, …).
	Object any
}

// Index holds the objects that workloads refer to, across the whole input. Secret values are
// never kept: only the names of their keys.
type Index struct {
	configMaps      map[string]packedMap
	secretKeys      map[string][]string
	serviceAccounts map[string]*corev1.ServiceAccount
	claims          map[string]*corev1.PersistentVolumeClaim
	// services and hpas are the Services and HorizontalPodAutoscalers in input order;
	// workloadRefs name the workloads, in input order, so that the first workload a Service selects
	// gets it.
	services     []*indexedService
	hpas         []*indexedHPA
	workloadRefs []workloadRef
	// notes are findings about Services and autoscalers, raised while their workloads convert.
	notes *objectNotes
	// linked relates Services and autoscalers to the workloads; see links.
	linkMu sync.Mutex
	linked *indexLinks

	// configMapBinary holds the binaryData of the ConfigMaps that have some (for files).
	configMapBinary map[string]packedMap
}

// MaxK8sNameLength is the longest name of a Kubernetes object (a DNS subdomain).
const MaxK8sNameLength = validation.DNS1123SubdomainMaxLength

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		configMaps:      map[string]packedMap{},
		secretKeys:      map[string][]string{},
		configMapBinary: map[string]packedMap{},
		serviceAccounts: map[string]*corev1.ServiceAccount{},
		claims:          map[string]*corev1.PersistentVolumeClaim{},
		notes:           &objectNotes{},
	}
}

func objKey(namespace, name string) string { return nsOf(namespace) + "/" + name }

// decodeStrict decodes a Kubernetes document into a typed object. Unknown and duplicate fields
// do not stop the conversion: they come back as findings (a typo must not pass unnoticed).
func decodeStrict(doc Document, into any) (mapping.Findings, error) {
	strict, err := kjson.UnmarshalStrict(doc.JSON, into)
	if err != nil {
		if path, val, ok := findBadQuantity(doc.JSON); ok {
			return nil, &DocError{Path: path, Err: fmt.Errorf("%q is not a quantity (e.g. 500m, 1.5, 512Mi, 1G)", val)}
		}
		return nil, fieldError(err)
	}
	var fs mapping.Findings
	for _, e := range strict {
		msg := e.Error()
		path := ""
		if f, ok := strings.CutPrefix(msg, "unknown field \""); ok {
			path = strings.TrimSuffix(f, "\"")
			msg = "unknown field; ignored (a typo, or a newer API than podecs knows?)"
		} else if f, ok := strings.CutPrefix(msg, "duplicate field \""); ok {
			path = strings.TrimSuffix(f, "\"")
			msg = "duplicate field; the last value wins"
		}
		fs.Add(path, mapping.Unsupported, "%s", msg)
	}
	return fs, nil
}

// fieldError turns a JSON decoding error of a typed object into a message with the field path.
func fieldError(err error) error {
	var ute interface{ Error() string }
	if errors.As(err, &ute) {
		msg := err.Error()
		// encoding/json: "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.resources of type ..."
		if i := strings.Index(msg, "Go struct field "); i >= 0 {
			rest := msg[i+len("Go struct field "):]
			field, typ, _ := strings.Cut(rest, " of type ")
			if j := strings.Index(field, "."); j >= 0 {
				field = field[j+1:]
			}
			what, _, _ := strings.Cut(strings.TrimPrefix(msg, "json: "), " into ")
			return &DocError{Path: field, Err: fmt.Errorf("%s, want %s", strings.TrimPrefix(what, "cannot unmarshal "), typ)}
		}
	}
	return err
}

// AddObject decodes a document and files it: supporting objects go into the index, workloads are
// returned. Other kinds return (nil, nil, nil) and are reported by the caller.
func (ix *Index) AddObject(doc Document) (*Workload, mapping.Findings, error) {
	w := &Workload{Ref: doc.DocRef, Kind: doc.Kind}
	var fs mapping.Findings
	var err error
	decode := func(obj any) { fs, err = decodeStrict(doc, obj) }
	switch doc.Kind {
	case "Pod":
		o := &corev1.Pod{}
		decode(o)
		w.Meta, w.Template, w.Object = o.ObjectMeta, corev1.PodTemplateSpec{ObjectMeta: o.ObjectMeta, Spec: o.Spec}, o
	case "Deployment":
		o := &appsv1.Deployment{}
		decode(o)
		w.Meta, w.Template, w.TemplatePath, w.Object = o.ObjectMeta, o.Spec.Template, "spec.template", o
	case "StatefulSet":
		o := &appsv1.StatefulSet{}
		decode(o)
		w.Meta, w.Template, w.TemplatePath, w.Object = o.ObjectMeta, o.Spec.Template, "spec.template", o
	case "DaemonSet":
		o := &appsv1.DaemonSet{}
		decode(o)
		w.Meta, w.Template, w.TemplatePath, w.Object = o.ObjectMeta, o.Spec.Template, "spec.template", o
	case "ReplicaSet":
		o := &appsv1.ReplicaSet{}
		decode(o)
		w.Meta, w.Template, w.TemplatePath, w.Object = o.ObjectMeta, o.Spec.Template, "spec.template", o
	case "Job":
		o := &batchv1.Job{}
		decode(o)
		w.Meta, w.Template, w.TemplatePath, w.Object = o.ObjectMeta, o.Spec.Template, "spec.template", o
	case "CronJob":
		o := &batchv1.CronJob{}
		decode(o)
		w.Meta, w.Template, w.TemplatePath, w.Object = o.ObjectMeta, o.Spec.JobTemplate.Spec.Template, "spec.jobTemplate.spec.template", o
	case "ConfigMap":
		o := &corev1.ConfigMap{}
		if fs, err = decodeStrict(doc, o); err == nil {
			ix.configMaps[objKey(o.Namespace, o.Name)] = packMap(o.Data)
			ix.indexBinaryData(o)
		}
		return nil, fs, err
	case "Secret":
		o := &corev1.Secret{}
		if fs, err = decodeStrict(doc, o); err == nil {
			ix.secretKeys[objKey(o.Namespace, o.Name)] = secretKeyNames(o)
		}
		return nil, fs, err
	case "ServiceAccount":
		o := &corev1.ServiceAccount{}
		if fs, err = decodeStrict(doc, o); err == nil {
			ix.serviceAccounts[objKey(o.Namespace, o.Name)] = o
		}
		return nil, fs, err
	case "PersistentVolumeClaim":
		o := &corev1.PersistentVolumeClaim{}
		if fs, err = decodeStrict(doc, o); err == nil {
			ix.claims[objKey(o.Namespace, o.Name)] = o
		}
		return nil, fs, err
	case "Service":
		fs, err = ix.addService(doc)
		return nil, fs, err
	case "HorizontalPodAutoscaler":
		fs, err = ix.addHPA(doc)
		return nil, fs, err
	default:
		return nil, nil, nil
	}
	if err != nil {
		return nil, fs, err
	}
	if w.Meta.Name == "" {
		return nil, fs, &DocError{Path: "metadata.name", Err: errors.New("missing: a workload needs a name")}
	}
	if n := len(w.Meta.Name); n > MaxK8sNameLength {
		return nil, fs, &DocError{Path: "metadata.name", Err: fmt.Errorf("%d characters: Kubernetes names are at most %d", n, MaxK8sNameLength)}
	}
	return w, fs, nil
}

// secretKeyNames lists the keys of a Secret without keeping any value.
func secretKeyNames(s *corev1.Secret) []string {
	seen := map[string]bool{}
	for k := range s.Data {
		seen[k] = true
	}
	for k := range s.StringData {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// IsWorkloadKind reports whether podecs converts objects of this kind to ECS.
func IsWorkloadKind(kind string) bool {
	switch kind {
	case "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob":
		return true
	}
	return false
}

// IsSupportingKind reports whether objects of this kind are read for the references workloads make,
// or for what they add to the ECS side of the workloads they select (Services, autoscalers).
func IsSupportingKind(kind string) bool {
	switch kind {
	case "ConfigMap", "Secret", "ServiceAccount", "PersistentVolumeClaim", "Service", "HorizontalPodAutoscaler":
		return true
	}
	return false
}

// findBadQuantity looks for the first resource quantity in a document that does not parse, so the
// error can name its field (the JSON decoder reports only the regular expression).
func findBadQuantity(js []byte) (path, value string, found bool) {
	var v any
	if json.Unmarshal(js, &v) != nil {
		return "", "", false
	}
	var walk func(v any, at, key, parent string) bool
	walk = func(v any, at, key, parent string) bool {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(t) {
				if walk(t[k], mapping.Join(at, k), k, key) {
					return true
				}
			}
		case []any:
			for i, e := range t {
				if walk(e, mapping.Index(at, i), key, parent) {
					return true
				}
			}
		case string:
			quantity := parent == "limits" || parent == "requests" || parent == "overhead" || key == "sizeLimit" || key == "divisor"
			if _, err := resource.ParseQuantity(t); quantity && err != nil {
				path, value = at, t
				return true
			}
		}
		return false
	}
	found = walk(v, "", "", "")
	return path, value, found
}
