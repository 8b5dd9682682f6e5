package convert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podecs/podecs/mapping"
)

// envResult is a container's environment: literal values and secret references.
type envResult struct {
	environment []types.KeyValuePair
	secrets     []types.Secret
	// literal holds the variables whose value is known, for $(VAR) expansion.
	literal map[string]string
}

type envEntry struct {
	value     *string
	valueFrom *string // secret ARN
}

// environment resolves env and envFrom into ECS environment and secrets. As in Kubernetes, env
// wins over envFrom and a later entry over an earlier one; the output is sorted by name.
func (pc *podConverter) environment(c *corev1.Container, p string, spec *corev1.PodSpec) envResult {
	entries := map[string]envEntry{}
	for i, ef := range c.EnvFrom {
		pc.envFrom(ef, mapping.Index(p+".envFrom", i), entries)
	}
	literal := map[string]string{}
	for name, e := range entries {
		if e.value != nil {
			literal[name] = *e.value
		}
	}
	for i, e := range c.Env {
		ep := mapping.Index(p+".env", i)
		if e.Name == "" {
			pc.add(ep+".name", mapping.Error, "an environment variable needs a name")
			continue
		}
		if e.ValueFrom == nil {
			v, unresolved := mapping.ExpandRefs(e.Value, func(n string) (string, bool) { v, ok := literal[n]; return v, ok })
			if len(unresolved) > 0 {
				pc.add(ep+".value", mapping.Lossy, "references to %s cannot be expanded statically; passed verbatim", strings.Join(unresolved, ", "))
			}
			entries[e.Name] = envEntry{value: aws.String(v)}
			literal[e.Name] = v
			continue
		}
		ent, ok := pc.valueFrom(e, ep, c, spec)
		if !ok {
			delete(entries, e.Name)
			delete(literal, e.Name)
			continue
		}
		entries[e.Name] = ent
		if ent.value != nil {
			literal[e.Name] = *ent.value
		} else {
			delete(literal, e.Name)
		}
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	var res envResult
	res.literal = literal
	for _, n := range names {
		e := entries[n]
		if e.valueFrom != nil {
			res.secrets = append(res.secrets, types.Secret{Name: aws.String(n), ValueFrom: e.valueFrom})
		} else {
			res.environment = append(res.environment, types.KeyValuePair{Name: aws.String(n), Value: e.value})
		}
	}
	return res
}

func (pc *podConverter) envFrom(ef corev1.EnvFromSource, p string, entries map[string]envEntry) {
	switch {
	case ef.ConfigMapRef != nil:
		data, ok := pc.ix.configMaps[objKey(pc.namespace, ef.ConfigMapRef.Name)]
		if !ok {
			level := mapping.Unsupported
			if ef.ConfigMapRef.Optional != nil && *ef.ConfigMapRef.Optional {
				level = mapping.Info
			}
			pc.add(p+".configMapRef", level, "ConfigMap %q is not in the input; its variables cannot be inlined (add its manifest to the input)", ef.ConfigMapRef.Name)
			return
		}
		for i := range data.Len() {
			k, v := data.At(i)
			entries[ef.Prefix+k] = envEntry{value: &v}
		}
	case ef.SecretRef != nil:
		keys, ok := pc.ix.secretKeys[objKey(pc.namespace, ef.SecretRef.Name)]
		if !ok {
			if arn, found := lookup(pc.cfg.Secrets, pc.namespace, ef.SecretRef.Name); found {
				pc.add(p+".secretRef", mapping.Unsupported, "Secret %q is not in the input, so its keys are unknown; ECS cannot inject every key of %s — list the keys with env[].valueFrom.secretKeyRef or add the Secret manifest", ef.SecretRef.Name, arn)
			} else {
				pc.add(p+".secretRef", mapping.Unsupported, "Secret %q is not in the input, so its keys are unknown; add the Secret manifest (its values are never read) or list the keys with secretKeyRef", ef.SecretRef.Name)
			}
			return
		}
		for _, k := range keys {
			arn := pc.secretARN(ef.SecretRef.Name, k, p+".secretRef")
			entries[ef.Prefix+k] = envEntry{valueFrom: &arn}
		}
	}
}

func (pc *podConverter) valueFrom(e corev1.EnvVar, ep string, c *corev1.Container, spec *corev1.PodSpec) (envEntry, bool) {
	vf := e.ValueFrom
	switch {
	case vf.ConfigMapKeyRef != nil:
		ref := vf.ConfigMapKeyRef
		optional := ref.Optional != nil && *ref.Optional
		data, ok := pc.ix.configMaps[objKey(pc.namespace, ref.Name)]
		if !ok {
			pc.add(ep+".valueFrom.configMapKeyRef", levelIf(optional), "ConfigMap %q is not in the input; %s cannot be inlined (add its manifest to the input)", ref.Name, e.Name)
			return envEntry{}, false
		}
		v, ok := data.Get(ref.Key)
		if !ok {
			pc.add(ep+".valueFrom.configMapKeyRef.key", levelIf(optional), "ConfigMap %q has no key %q", ref.Name, ref.Key)
			return envEntry{}, false
		}
		return envEntry{value: &v}, true
	case vf.SecretKeyRef != nil:
		ref := vf.SecretKeyRef
		if keys, ok := pc.ix.secretKeys[objKey(pc.namespace, ref.Name)]; ok && !contains(keys, ref.Key) {
			pc.add(ep+".valueFrom.secretKeyRef.key", mapping.Lossy, "Secret %q in the input has no key %q", ref.Name, ref.Key)
		}
		if ref.Optional != nil && *ref.Optional {
			pc.add(ep+".valueFrom.secretKeyRef.optional", mapping.Lossy, "ECS has no optional secrets: the task fails to start when the secret is missing")
		}
		arn := pc.secretARN(ref.Name, ref.Key, ep+".valueFrom.secretKeyRef")
		return envEntry{valueFrom: &arn}, true
	case vf.FieldRef != nil:
		return pc.fieldRef(e, ep)
	case vf.ResourceFieldRef != nil:
		return pc.resourceFieldRef(e, ep, c, spec)
	case vf.FileKeyRef != nil:
		pc.add(ep+".valueFrom.fileKeyRef", mapping.Unsupported, "variables read from a file in a volume have no ECS equivalent; %s dropped", e.Name)
		return envEntry{}, false
	}
	pc.add(ep+".valueFrom", mapping.Unsupported, "unknown value source; %s dropped", e.Name)
	return envEntry{}, false
}

func levelIf(optional bool) mapping.Level {
	if optional {
		return mapping.Info
	}
	return mapping.Unsupported
}

// fieldRef inlines the downward-API fields that are static for a task; pod IPs and node names
// exist only at run time (the ECS task metadata endpoint has them).
func (pc *podConverter) fieldRef(e corev1.EnvVar, ep string) (envEntry, bool) {
	f := e.ValueFrom.FieldRef.FieldPath
	meta := pc.w.Template.ObjectMeta
	p := ep + ".valueFrom.fieldRef.fieldPath"
	var v string
	switch {
	case f == "metadata.namespace":
		v = pc.namespace
		if v == "" {
			v = "default"
		}
	case f == "metadata.name":
		v = pc.w.Meta.Name
		if pc.w.Kind != "Pod" {
			pc.add(p, mapping.Lossy, "pod names are generated per replica; %s is set to the workload name %q", e.Name, v)
		}
	case f == "spec.serviceAccountName":
		v = pc.w.Template.Spec.ServiceAccountName
	case strings.HasPrefix(f, "metadata.labels['") || strings.HasPrefix(f, "metadata.annotations['"):
		key := strings.TrimSuffix(f[strings.Index(f, "['")+2:], "']")
		src := meta.Labels
		if strings.HasPrefix(f, "metadata.annotations") {
			src = meta.Annotations
		}
		v = src[key]
	default:
		pc.add(p, mapping.Unsupported, "%s (%s) is only known at run time; ECS has no equivalent (the task metadata endpoint ${ECS_CONTAINER_METADATA_URI_V4} has it); dropped", e.Name, f)
		return envEntry{}, false
	}
	pc.add(p, mapping.Info, "%s inlined as the literal %q", f, v)
	return envEntry{value: &v}, true
}

func (pc *podConverter) resourceFieldRef(e corev1.EnvVar, ep string, c *corev1.Container, spec *corev1.PodSpec) (envEntry, bool) {
	v, ok := pc.resourceValue(e.ValueFrom.ResourceFieldRef, ep+".valueFrom.resourceFieldRef", e.Name, c, spec)
	if !ok {
		return envEntry{}, false
	}
	return envEntry{value: &v}, true
}

// resourceValue computes a resourceFieldRef as the kubelet does (the quotient rounded up to an
// integer), for c or the container the reference names; what names the variable or file for the
// findings.
func (pc *podConverter) resourceValue(ref *corev1.ResourceFieldSelector, p, what string, c *corev1.Container, spec *corev1.PodSpec) (string, bool) {
	target := c
	if ref.ContainerName != "" {
		target = nil
		for i := range spec.Containers {
			if spec.Containers[i].Name == ref.ContainerName {
				target = &spec.Containers[i]
			}
		}
		for i := range spec.InitContainers {
			if spec.InitContainers[i].Name == ref.ContainerName {
				target = &spec.InitContainers[i]
			}
		}
	}
	if target == nil {
		pc.add(p+".containerName", mapping.Error, "no container named %q", ref.ContainerName)
		return "", false
	}
	kind, name, _ := strings.Cut(ref.Resource, ".")
	rl := target.Resources.Limits
	if kind == "requests" {
		rl = target.Resources.Requests
	}
	q, ok := rl[corev1.ResourceName(name)]
	if !ok {
		pc.add(p, mapping.Unsupported, "%s of container %s is not set (Kubernetes would use the node's allocatable); %s dropped", ref.Resource, target.Name, what)
		return "", false
	}
	div := ref.Divisor
	if div.IsZero() {
		div = resource.MustParse("1")
	}
	// Kubernetes rounds the quotient up to an integer.
	val := (q.MilliValue() + div.MilliValue() - 1) / div.MilliValue()
	v := fmt.Sprint(val)
	pc.add(p, mapping.Lossy, "%s inlined as %s (a snapshot: it does not follow later resource changes)", ref.Resource, v)
	return v, true
}

// secretARN finds the ARN of one key of a Kubernetes Secret. An exact "name/key" entry in
// --config wins; a Secrets Manager ARN for the whole Secret gets the key appended in the JSON-key
// form (arn:…:secret:NAME:KEY::); an SSM parameter ARN or path gets "/KEY". Without an entry the
// ARN is derived from region and accountId, or is a placeholder, and a finding says so.
func (pc *podConverter) secretARN(name, key, p string) string {
	if arn, ok := lookup(pc.cfg.Secrets, pc.namespace, name+"/"+key); ok {
		return arn
	}
	if arn, ok := lookup(pc.cfg.Secrets, pc.namespace, name); ok {
		if strings.Contains(arn, ":ssm:") || strings.HasPrefix(arn, "/") {
			return strings.TrimSuffix(arn, "/") + "/" + key
		}
		return strings.TrimSuffix(arn, ":") + ":" + key + "::"
	}
	if pc.cfg.Region != "" && pc.cfg.AccountID != "" {
		arn := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s:%s::", pc.cfg.Region, pc.cfg.AccountID, name, key)
		pc.add(p, mapping.Info, "Secret %q is assumed to be the Secrets Manager secret %q (JSON key %q); map it in secrets of --config if not", name, name, key)
		return arn
	}
	pc.add(p, mapping.Lossy, "no ARN for Secret %q in --config (secrets); a placeholder ARN is written — replace it before registering", name)
	return placeholderSecretARN(name, key)
}

// secretPlaceholderPrefix starts the ARN written for a Secret key that --config does not map.
const secretPlaceholderPrefix = "arn:aws:secretsmanager:" + placeholderRegion + ":" + placeholderAccount + ":secret:"

func placeholderSecretARN(name, key string) string {
	return secretPlaceholderPrefix + name + ":" + key + "::"
}

// SecretPlaceholder reports whether arn is the placeholder written for key of the Kubernetes
// Secret name when --config maps no ARN to it (arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:
// NAME:KEY::). Renderers that can leave the ARN to a variable use it.
func SecretPlaceholder(arn string) (name, key string, ok bool) {
	rest, ok := strings.CutPrefix(arn, secretPlaceholderPrefix)
	if !ok || !strings.HasSuffix(rest, "::") {
		return "", "", false
	}
	name, key, ok = strings.Cut(strings.TrimSuffix(rest, "::"), ":")
	return name, key, ok && name != "" && key != "" && !strings.Contains(key, ":")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
