package convert

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// The secret values of the scenarios: what Secrets Manager would hand the files container. They
// must reach the files and nothing else.
const (
	fsCanaryCert = "-----BEGIN CERTIFICATE-----\nCANARY-FILES-CERT-8731\n-----END CERTIFICATE-----\n"
	fsCanaryKey  = "CANARY-FILES-KEY-8732 'single' \"double\" \\back %s %% $HOME `id`\n\n"
	fsCanaryTok  = "CANARY-FILES-TOKEN-8733"
)

var fsCanaries = []string{"CANARY-FILES-CERT-8731", "CANARY-FILES-KEY-8732", "CANARY-FILES-TOKEN-8733"}

// fsBig is a large ConfigMap value (still within the task definition limit).
var fsBig = strings.Repeat("0123456789abcdef ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./\n", 600)

// fsScenario is the main scenario: every volume shape, several containers sharing volumes, an
// init container that mounts one, a container mounting one volume twice, subPath mounts, modes in
// octal and decimal, binary and awkward content.
var fsScenario = `apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  app.properties: "mode=production\nname=it's \"100%\" \\n $HOME ` + "`id`" + `\t\n"
  log-config_v2.yaml: ""
  trailing: "x\n\n"
  unicode: "ünïcødé ✓"
  nul: "a\0b"
  big: ` + jsonString(fsBig) + `
binaryData:
  logo.bin: ` + jsonString(allBytesBase64()) + `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: nginx, namespace: shop}
data:
  nginx.conf: "events {}\nhttp { include conf.d/*.conf; }\n"
  default.conf: "server { listen 8080; }\n"
  extra.conf: "# extra\n"
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: shop}
data:
  tls.crt: ` + b64(fsCanaryCert) + `
stringData:
  tls.key: ` + jsonString(fsCanaryKey) + `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, tier: "front end"}
      annotations: {team: "blue \"ops\"", podecs.io/ignored: "x"}
    spec:
      initContainers:
      - name: migrate
        image: busybox
        volumeMounts: [{name: config, mountPath: /config}]
      containers:
      - name: web
        image: nginx
        resources: {limits: {cpu: 500m, memory: 256Mi}}
        volumeMounts:
        - {name: config, mountPath: /etc/app}
        - {name: config, mountPath: /etc/app-again, readOnly: true}
        - {name: nginx, mountPath: /etc/nginx/conf.d, subPath: conf.d}
        - {name: nginx, mountPath: /etc/nginx/nginx.conf, subPath: nginx.conf}
        - {name: tls, mountPath: /etc/tls}
        - {name: info, mountPath: /etc/podinfo}
      - name: sidecar
        image: busybox
        resources: {limits: {memory: 64Mi}}
        volumeMounts:
        - {name: config, mountPath: /config}
        - {name: mixed, mountPath: /mixed}
        - {name: tls, mountPath: /tls-sub, subPath: deep}
      volumes:
      - name: config
        configMap: {name: app, defaultMode: 0640}
      - name: nginx
        configMap:
          name: nginx
          items:
          - {key: nginx.conf, path: nginx.conf}
          - {key: default.conf, path: conf.d/default.conf, mode: 384}
          - {key: extra.conf, path: "conf.d/dir with space/it's.conf", mode: 0755}
          - {key: missing, path: missing.conf}
          optional: true
      - name: tls
        secret:
          secretName: tls
          defaultMode: 256
          items:
          - {key: tls.crt, path: tls.crt}
          - {key: tls.key, path: deep/private/tls.key, mode: 0600}
      - name: info
        downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
          - {path: ns, fieldRef: {fieldPath: metadata.namespace}}
          - {path: app, fieldRef: {fieldPath: "metadata.labels['app']"}}
          - {path: mem, resourceFieldRef: {containerName: web, resource: limits.memory, divisor: 1Mi}}
      - name: mixed
        projected:
          defaultMode: 0444
          sources:
          - configMap: {name: app, items: [{key: app.properties, path: conf/app.properties}]}
          - secret: {name: token, items: [{key: token, path: token, mode: 0400}]}
          - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
          - configMap: {name: not-there, optional: true}
`

// fsSecrets are the values of the Secrets of the scenarios, by "secret/key" (token is not in the
// input: its key comes from items).
var fsSecrets = map[string]string{"tls/tls.crt": fsCanaryCert, "tls/tls.key": fsCanaryKey, "token/token": fsCanaryTok}

// fsFSGroupScenario has an fsGroup, which gives the files the group and group read.
func fsFSGroupScenario() string {
	return fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a.conf: "a\n", nested: "n\n"}
---
apiVersion: v1
kind: Pod
metadata: {name: worker}
spec:
  securityContext: {fsGroup: %d}
  containers:
  - name: worker
    image: busybox
    volumeMounts: [{name: settings, mountPath: /settings}, {name: creds, mountPath: /creds}]
  volumes:
  - name: settings
    configMap: {name: settings, items: [{key: a.conf, path: a.conf, mode: 0600}, {key: nested, path: x/y/nested}]}
  - name: creds
    secret: {secretName: token, defaultMode: 0400, items: [{key: token, path: token}]}
`, os.Getgid())
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// statGroup is the group of a file.
func statGroup(t *testing.T, p string) uint32 {
	t.Helper()
	info, err := os.Stat(p)
	require.NoError(t, err)
	return info.Sys().(*syscall.Stat_t).Gid
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func b64(s string) string { return jsonString(base64Std([]byte(s))) }

func allBytesBase64() string {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return base64Std(b)
}

// fsConvert converts YAML with the given launch type and returns the one output and all findings.
func fsConvert(t *testing.T, y string, cfg Config) (Output, []Finding) {
	t.Helper()
	conv := NewConverter(Options{Config: cfg})
	require.NoError(t, ReadDocuments(strings.NewReader(y), "files.yaml", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	res := conv.Finish()
	require.Empty(t, res.Errors, "%v", res.Errors)
	require.Len(t, res.Outputs, 1)
	return res.Outputs[0], res.Findings
}

func launchConfigs() map[string]Config {
	ec2 := DefaultConfig()
	ec2.LaunchType = LaunchEC2
	return map[string]Config{"FARGATE": DefaultConfig(), "EC2": ec2}
}

func filesDef(t *testing.T, td *ecs.RegisterTaskDefinitionInput) *types.ContainerDefinition {
	t.Helper()
	for i := range td.ContainerDefinitions {
		if _, ok := td.ContainerDefinitions[i].DockerLabels[FilesLabel]; ok {
			return &td.ContainerDefinitions[i]
		}
	}
	t.Fatal("no files container")
	return nil
}

// runFilesScript runs the files container's script as ECS would, with /bin/sh, in a temporary
// directory that stands for the task volumes, with a PATH that holds only the commands the
// script may use (from coreutils, standing in for busybox's applets) and the environment of the
// container: its variables, and the values of its secrets. It returns the directory of each task
// volume.
func runFilesScript(t *testing.T, td *ecs.RegisterTaskDefinitionInput, secrets map[string]string) map[string]string {
	t.Helper()
	def := filesDef(t, td)
	require.Equal(t, []string{"sh", "-c"}, def.EntryPoint)
	require.Len(t, def.Command, 1)
	bin := t.TempDir()
	for _, c := range mapping.FilesCommands {
		p, err := exec.LookPath(c)
		require.NoError(t, err)
		require.NoError(t, os.Symlink(p, filepath.Join(bin, c)))
	}
	root := t.TempDir()
	script := def.Command[0]
	dirs := map[string]string{}
	for _, m := range def.MountPoints {
		vol := aws.ToString(m.SourceVolume)
		dir := filepath.Join(root, vol)
		require.NoError(t, os.Mkdir(dir, 0o755)) // ECS creates the task volume's directory
		dirs[vol] = dir
		script = strings.ReplaceAll(script, aws.ToString(m.ContainerPath)+"/", dir+"/")
		script = strings.ReplaceAll(script, aws.ToString(m.ContainerPath)+"\n", dir+"\n")
	}
	require.NotContains(t, script, filesMountRoot, "every path the script writes is under a mount of the files container")
	env := []string{"PATH=" + bin}
	for _, kv := range def.Environment {
		env = append(env, aws.ToString(kv.Name)+"="+aws.ToString(kv.Value))
	}
	refs := filesSecretRefs(td)[aws.ToString(def.Name)]
	for _, s := range def.Secrets {
		ref := refs[aws.ToString(s.Name)]
		v, ok := secrets[ref]
		require.True(t, ok, "no test value for %s (%s)", aws.ToString(s.Name), ref)
		env = append(env, aws.ToString(s.Name)+"="+v)
	}
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env, cmd.Dir = env, root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the script failed: %s\n%s", out, script)
	require.Empty(t, string(out), "the script prints nothing")
	return dirs
}

// kFile is a file or directory as the kubelet projects it.
type kFile struct {
	content string
	mode    fs.FileMode
	dir     bool
}

// readTree reads a directory: every file and directory below it, by relative path.
func readTree(t *testing.T, dir string) map[string]kFile {
	t.Helper()
	out := map[string]kFile{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := os.Lstat(p)
		require.NoError(t, err)
		f := kFile{mode: info.Mode() & (fs.ModePerm | fs.ModeSetgid), dir: d.IsDir()}
		if !d.IsDir() {
			require.True(t, info.Mode().IsRegular(), "%s is a regular file", rel)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			f.content = string(b)
		}
		out[filepath.ToSlash(rel)] = f
		return nil
	}))
	return out
}

// kubeletProjection is the test's model of what the kubelet writes into a configMap, secret,
// downwardAPI or projected volume (pkg/volume/{configmap,secret,downwardapi,projected} and the
// atomic writer: one file per key or item, item modes over defaultMode over 0644, a later
// projected source replacing an earlier file, directories 0755; SetVolumeOwnership: with an
// fsGroup files get group read and directories group read, search and set-group-ID). It is
// written from the Kubernetes sources independently of the converter.
type kubeletProjection struct {
	t        *testing.T
	pod      *corev1.Pod
	cms      map[string]*corev1.ConfigMap
	secrets  map[string]map[string]string
	fsGroup  *int64
	contents map[string]kFile
}

func (k *kubeletProjection) put(p string, content []byte, mode int32) {
	p = path.Clean(p)
	k.contents[p] = kFile{content: string(content), mode: fs.FileMode(mode)}
}

func modeOr(item, def *int32) int32 {
	if item != nil {
		return *item
	}
	if def != nil {
		return *def
	}
	return 0o644
}

func (k *kubeletProjection) configMap(name string, items []corev1.KeyToPath, optional bool, def *int32) {
	cm := k.cms[name]
	if cm == nil {
		require.True(k.t, optional, "ConfigMap %s missing", name)
		return
	}
	if len(items) == 0 {
		for key, v := range cm.Data {
			k.put(key, []byte(v), modeOr(nil, def))
		}
		for key, v := range cm.BinaryData {
			k.put(key, v, modeOr(nil, def))
		}
		return
	}
	for _, it := range items {
		var data []byte
		if v, ok := cm.Data[it.Key]; ok {
			data = []byte(v)
		} else if v, ok := cm.BinaryData[it.Key]; ok {
			data = v
		} else {
			require.True(k.t, optional, "ConfigMap %s has no key %s", name, it.Key)
			continue
		}
		k.put(it.Path, data, modeOr(it.Mode, def))
	}
}

func (k *kubeletProjection) secret(name string, items []corev1.KeyToPath, def *int32) {
	data := k.secrets[name]
	if len(items) == 0 {
		for key, v := range data {
			k.put(key, []byte(v), modeOr(nil, def))
		}
		return
	}
	for _, it := range items {
		v, ok := data[it.Key]
		require.True(k.t, ok, "Secret %s has no key %s", name, it.Key)
		k.put(it.Path, []byte(v), modeOr(it.Mode, def))
	}
}

func (k *kubeletProjection) downward(items []corev1.DownwardAPIVolumeFile, def *int32) {
	format := func(m map[string]string) string {
		var keys []string
		for key := range m {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		var lines []string
		for _, key := range keys {
			lines = append(lines, fmt.Sprintf("%v=%q", key, m[key]))
		}
		return strings.Join(lines, "\n")
	}
	ann := map[string]string{}
	for key, v := range k.pod.Annotations {
		if !strings.HasPrefix(key, "podecs.io/") {
			ann[key] = v
		}
	}
	for _, it := range items {
		var v string
		switch {
		case it.FieldRef != nil:
			switch f := it.FieldRef.FieldPath; {
			case f == "metadata.name":
				v = k.pod.Name
			case f == "metadata.namespace":
				v = k.pod.Namespace
			case f == "metadata.labels":
				v = format(k.pod.Labels)
			case f == "metadata.annotations":
				v = format(ann)
			case strings.HasPrefix(f, "metadata.labels['"):
				v = k.pod.Labels[strings.TrimSuffix(strings.TrimPrefix(f, "metadata.labels['"), "']")]
			default:
				k.t.Fatalf("field %s", f)
			}
		case it.ResourceFieldRef != nil:
			r := it.ResourceFieldRef
			for _, c := range k.pod.Spec.Containers {
				if c.Name == r.ContainerName {
					q := c.Resources.Limits[corev1.ResourceName(strings.TrimPrefix(r.Resource, "limits."))]
					div := r.Divisor
					if div.IsZero() {
						div = resource.MustParse("1")
					}
					v = fmt.Sprint((q.MilliValue() + div.MilliValue() - 1) / div.MilliValue())
				}
			}
		}
		k.put(it.Path, []byte(v), modeOr(it.Mode, def))
	}
}

// volume returns what the kubelet writes for a volume: files and directories by path.
func (k *kubeletProjection) volume(v corev1.Volume) map[string]kFile {
	k.contents = map[string]kFile{}
	switch {
	case v.ConfigMap != nil:
		k.configMap(v.ConfigMap.Name, v.ConfigMap.Items, v.ConfigMap.Optional != nil && *v.ConfigMap.Optional, v.ConfigMap.DefaultMode)
	case v.Secret != nil:
		k.secret(v.Secret.SecretName, v.Secret.Items, v.Secret.DefaultMode)
	case v.DownwardAPI != nil:
		k.downward(v.DownwardAPI.Items, v.DownwardAPI.DefaultMode)
	case v.Projected != nil:
		for _, s := range v.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				k.configMap(s.ConfigMap.Name, s.ConfigMap.Items, s.ConfigMap.Optional != nil && *s.ConfigMap.Optional, v.Projected.DefaultMode)
			case s.Secret != nil:
				k.secret(s.Secret.Name, s.Secret.Items, v.Projected.DefaultMode)
			case s.DownwardAPI != nil:
				k.downward(s.DownwardAPI.Items, v.Projected.DefaultMode)
			}
		}
	}
	out := map[string]kFile{}
	for p, f := range k.contents {
		if k.fsGroup != nil {
			f.mode |= 0o440
		}
		out[p] = f
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			mode := fs.FileMode(0o755)
			if k.fsGroup != nil {
				mode |= 0o550 | fs.ModeSetgid
			}
			out[d] = kFile{mode: mode, dir: true}
		}
	}
	return out
}

// below is the part of a projection a subPath mount shows.
func below(all map[string]kFile, sub string) map[string]kFile {
	sub = path.Clean(sub)
	out := map[string]kFile{}
	for p, f := range all {
		if rest, ok := strings.CutPrefix(p, sub+"/"); ok {
			out[rest] = f
		}
	}
	return out
}

// fsObjects decodes the scenario's objects.
func fsObjects(t *testing.T, y string) (w *Workload, cms map[string]*corev1.ConfigMap) {
	t.Helper()
	cms = map[string]*corev1.ConfigMap{}
	ix := NewIndex()
	require.NoError(t, ReadDocuments(strings.NewReader(y), "files.yaml", ReadOptions{}, func(doc Document) {
		if doc.Kind == "ConfigMap" {
			cm := &corev1.ConfigMap{}
			require.NoError(t, json.Unmarshal(doc.JSON, cm))
			cms[cm.Name] = cm
			return
		}
		got, _, err := ix.AddObject(doc)
		require.NoError(t, err)
		if got != nil {
			w = got
		}
	}, func(e *DocError) { t.Fatal(e) }))
	require.NotNil(t, w)
	return w, cms
}

// TestFilesScriptWritesWhatKubernetesMounts runs the files container's script of each scenario,
// on both launch types, and compares every directory each container mounts with what the kubelet
// would mount there: paths, contents and modes.
func TestFilesScriptWritesWhatKubernetesMounts(t *testing.T) {
	for name, y := range map[string]string{"shapes": fsScenario, "fsGroup": fsFSGroupScenario()} {
		for launch, cfg := range launchConfigs() {
			t.Run(name+"/"+launch, func(t *testing.T) {
				out, findings := fsConvert(t, y, cfg)
				td := out.TaskDefinition
				dirs := runFilesScript(t, td, fsSecrets)
				w, cms := fsObjects(t, y)
				pod := &corev1.Pod{ObjectMeta: w.Template.ObjectMeta, Spec: w.Template.Spec}
				pod.Name, pod.Namespace = w.Meta.Name, nsOf(w.Meta.Namespace)
				secrets := map[string]map[string]string{}
				for ref, v := range fsSecrets {
					s, k, _ := strings.Cut(ref, "/")
					if secrets[s] == nil {
						secrets[s] = map[string]string{}
					}
					secrets[s][k] = v
				}
				var fsGroup *int64
				if sc := pod.Spec.SecurityContext; sc != nil {
					fsGroup = sc.FSGroup
				}
				kl := &kubeletProjection{t: t, pod: pod, cms: cms, secrets: secrets, fsGroup: fsGroup}
				vols := map[string]corev1.Volume{}
				for _, v := range pod.Spec.Volumes {
					vols[v.Name] = v
				}
				checked := 0
				for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
					def := containerNamed(t, td, c.Name)
					for _, m := range c.VolumeMounts {
						mp := mountAt(def, m.MountPath)
						want := kl.volume(vols[m.Name])
						if m.SubPath != "" {
							if f, isFile := want[path.Clean(m.SubPath)]; isFile && !f.dir {
								assert.Nil(t, mp, "a subPath naming a file is not mounted: %s", m.MountPath)
								continue
							}
							want = below(want, m.SubPath)
						}
						require.NotNil(t, mp, "%s mounts %s", c.Name, m.MountPath)
						assert.True(t, aws.ToBool(mp.ReadOnly), "the kubelet mounts %s read-only", m.Name)
						got := readTree(t, dirs[aws.ToString(mp.SourceVolume)])
						assert.Equal(t, want, got, "%s: %s (volume %s, subPath %q)", c.Name, m.MountPath, m.Name, m.SubPath)
						if fsGroup != nil {
							st := statGroup(t, dirs[aws.ToString(mp.SourceVolume)])
							assert.Equal(t, uint32(*fsGroup), st, "the volume belongs to the fsGroup")
						}
						checked++
					}
				}
				assert.Positive(t, checked)
				fsNoCanary(t, td, findings)
			})
		}
	}
}

func containerNamed(t *testing.T, td *ecs.RegisterTaskDefinitionInput, name string) *types.ContainerDefinition {
	t.Helper()
	for i := range td.ContainerDefinitions {
		if aws.ToString(td.ContainerDefinitions[i].Name) == name {
			return &td.ContainerDefinitions[i]
		}
	}
	t.Fatalf("no container %s", name)
	return nil
}

func mountAt(def *types.ContainerDefinition, p string) *types.MountPoint {
	for i := range def.MountPoints {
		if aws.ToString(def.MountPoints[i].ContainerPath) == p {
			return &def.MountPoints[i]
		}
	}
	return nil
}

// fsNoCanary: no secret value in the task definition or the findings.
func fsNoCanary(t *testing.T, td *ecs.RegisterTaskDefinitionInput, findings []Finding) {
	t.Helper()
	b, err := ecsjson.Marshal(td)
	require.NoError(t, err)
	all := string(b)
	for _, f := range findings {
		all += f.String() + "\n"
	}
	for _, c := range fsCanaries {
		assert.NotContains(t, all, c)
	}
}

// TestFilesContainer checks the shape of the ECS side: a non-essential container that every
// other container waits for, first among the init containers; the task volumes; read-only mounts;
// ConfigMap content in the environment and Secret keys as secrets; the findings.
func TestFilesContainer(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Secrets = map[string]string{"shop/tls": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-AbCdEf", "token/token": "/prod/token"}
	cfg.Files.Image = "registry.example.com/tools/busybox:1.37.0"
	out, findings := fsConvert(t, fsScenario, cfg)
	td := out.TaskDefinition
	require.Len(t, td.ContainerDefinitions, 4)
	files := td.ContainerDefinitions[0]
	assert.Equal(t, FilesContainerName, aws.ToString(files.Name))
	assert.Equal(t, "registry.example.com/tools/busybox:1.37.0", aws.ToString(files.Image))
	assert.False(t, aws.ToBool(files.Essential))
	assert.True(t, aws.ToBool(files.ReadonlyRootFilesystem))
	dep := types.ContainerDependency{ContainerName: aws.String(FilesContainerName), Condition: types.ContainerConditionSuccess}
	assert.Equal(t, []types.ContainerDependency{dep}, td.ContainerDefinitions[1].DependsOn, "the init container waits for the files")
	for _, c := range td.ContainerDefinitions[2:] {
		assert.Contains(t, c.DependsOn, dep, "%s waits for the files", aws.ToString(c.Name))
	}
	var vols []string
	for _, v := range td.Volumes {
		vols = append(vols, aws.ToString(v.Name))
		assert.Nil(t, v.Host)
		assert.Nil(t, v.EfsVolumeConfiguration)
	}
	assert.Equal(t, []string{"config", "nginx", "tls", "info", "mixed", "nginx-conf-d", "tls-deep"}, vols)
	secrets := map[string]string{}
	for _, s := range files.Secrets {
		secrets[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
	}
	assert.Equal(t, map[string]string{
		"SECRET_TLS_TLS_CRT": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-AbCdEf:tls.crt::",
		"SECRET_TLS_TLS_KEY": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-AbCdEf:tls.key::",
		"SECRET_TOKEN_TOKEN": "/prod/token",
	}, secrets, "Secret keys reach the files container as ECS secrets, with the ARNs of --config")
	env := map[string]string{}
	for _, kv := range files.Environment {
		env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	assert.Equal(t, fsBig, env["CONFIGMAP_APP_BIG"], "ConfigMap content travels in the task definition")
	assert.Equal(t, base64Std([]byte("a\x00b")), env["CONFIGMAP_APP_NUL"], "a NUL byte travels base64-encoded")
	assert.Equal(t, "256", env["DOWNWARD_INFO_MEM"], "256Mi in units of 1Mi")
	assert.Equal(t, "web", env["DOWNWARD_MIXED_NAME"])
	text := ""
	for _, f := range findings {
		text += f.String() + "\n"
	}
	for _, want := range []string{
		`spec.template.spec.containers[0].volumeMounts[3].subPath: ECS mounts directories only: nginx.conf is a file of volume "nginx"`,
		`spec.template.spec.containers[0].volumeMounts[2].subPath: directory conf.d of volume "nginx" becomes the task volume "nginx-conf-d"`,
		`spec.template.spec.volumes[1].configMap.items[3].key: ConfigMap "nginx" has no key "missing"; optional, so the file missing.conf is left out`,
		`spec.template.spec.volumes[4].projected.sources[3].configMap.name: ConfigMap "not-there" is not in the input; optional`,
		`spec.template.spec.volumes[4].projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath: pod names are generated per replica; the file name holds the workload name "web"`,
	} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "placeholder ARN")
	assert.NotContains(t, text, "dropped (bake")
	fsNoCanary(t, td, findings)
	for _, c := range td.ContainerDefinitions[1:] {
		for _, m := range c.MountPoints {
			assert.True(t, aws.ToBool(m.ReadOnly), "%s %s", aws.ToString(c.Name), aws.ToString(m.ContainerPath))
		}
	}
	assert.LessOrEqual(t, taskDefinitionBytes(td), MaxTaskDefinitionBytes)
}

// TestFilesDropped: where no file can be written, or files would break an ECS limit, the volume
// and its mounts are dropped with a finding that says why.
func TestFilesDropped(t *testing.T) {
	pod := func(volumes, extra string) string {
		return `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: app, image: nginx, volumeMounts: [{name: v, mountPath: /v}]}
` + extra + `  volumes:
` + volumes
	}
	big := strings.Repeat("x", 40000)
	tests := []struct {
		name, y  string
		cfg      func(*Config)
		want     string
		keepsVol bool
	}{
		{"ConfigMap not in the input", pod("  - {name: v, configMap: {name: absent}}\n", ""), nil,
			`spec.volumes[0].configMap.name: ConfigMap "absent" is not in the input, so its files cannot be written`, false},
		{"Secret keys unknown", pod("  - {name: v, secret: {secretName: absent}}\n", ""), nil,
			`spec.volumes[0].secret.secretName: Secret "absent" is not in the input, so its keys are unknown`, false},
		{"service account token alone", pod("  - {name: v, projected: {sources: [{serviceAccountToken: {path: token}}]}}\n", ""), nil,
			`spec.volumes[0].projected.sources[0].serviceAccountToken: ECS tasks get AWS credentials from the task role`, false},
		{"optional ConfigMap not in the input", pod("  - {name: v, configMap: {name: absent, optional: true}}\n", ""), nil,
			`optional, so its files are left out`, true},
		{"files off", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + pod("  - {name: v, configMap: {name: c}}\n", ""),
			func(c *Config) { c.Files.Disabled = true }, `configMap volume: the files container is off (files.disabled in --config); the volume and its mounts are dropped`, false},
		{"Windows", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + pod("  - {name: v, configMap: {name: c}}\n", "  os: {name: windows}\n"),
			nil, `which a Windows task cannot run`, false},
		{"Windows nodes", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + pod("  - {name: v, configMap: {name: c}}\n", "  nodeSelector: {kubernetes.io/os: windows}\n"),
			nil, `which a Windows task cannot run`, false},
		{"ten containers", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + pod("  - {name: v, configMap: {name: c}}\n",
			"  initContainers:\n"+strings.Repeat("", 0)+initContainers(9)), nil, `the pod already has 10 containers, the ECS maximum`, false},
		{"file and directory", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + pod("  - {name: v, configMap: {name: c, items: [{key: a, path: x}, {key: a, path: x/y}]}}\n", ""),
			nil, "spec.volumes[0]: x is a file and also a directory of other files", true},
		{"too large", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: " + big + "}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {a: " + big[:30000] + "}\n---\n" +
			pod("  - {name: v, configMap: {name: c}}\n  - {name: w, configMap: {name: d}}\n", ""), nil,
			`spec.volumes[0]: the task definition would be 7`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for launch, cfg := range launchConfigs() {
				if strings.HasPrefix(tt.name, "Windows") && launch == "FARGATE" {
					continue
				}
				if tt.cfg != nil {
					tt.cfg(&cfg)
				}
				out, findings := fsConvert(t, tt.y, cfg)
				text := ""
				for _, f := range findings {
					text += f.String() + "\n"
				}
				assert.Contains(t, text, tt.want, launch)
				td := out.TaskDefinition
				hasV := false
				for _, v := range td.Volumes {
					hasV = hasV || aws.ToString(v.Name) == "v"
				}
				assert.Equal(t, tt.keepsVol, hasV, "volume v kept")
				app := containerNamed(t, td, "app")
				assert.Equal(t, tt.keepsVol, mountAt(app, "/v") != nil, "mount of v kept")
				assert.LessOrEqual(t, taskDefinitionBytes(td), MaxTaskDefinitionBytes)
				if tt.name == "too large" {
					assert.Equal(t, "w", aws.ToString(td.Volumes[len(td.Volumes)-1].Name), "the smaller volume is still written")
					assert.Len(t, td.ContainerDefinitions, 2)
					assert.Contains(t, text, "(40000 bytes of content), over the ECS limit of 65536 bytes")
				}
				if !tt.keepsVol && tt.name != "too large" {
					for _, d := range td.ContainerDefinitions {
						assert.NotContains(t, d.DockerLabels, FilesLabel, "no files container without files")
						for _, dep := range d.DependsOn {
							assert.NotEqual(t, FilesContainerName, aws.ToString(dep.ContainerName))
						}
					}
				}
			}
		})
	}
}

func initContainers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  - {name: init-%d, image: busybox}\n", i)
	}
	return b.String()
}

// TestFilesBadInput: paths and modes the API server refuses are errors naming the field.
func TestFilesBadInput(t *testing.T) {
	for _, tt := range []struct{ vol, path string }{
		{"{name: v, configMap: {name: c, items: [{key: a, path: ../escape}]}}", "spec.volumes[0].configMap.items[0].path"},
		{"{name: v, configMap: {name: c, items: [{key: a, path: /abs}]}}", "spec.volumes[0].configMap.items[0].path"},
		{"{name: v, configMap: {name: c, defaultMode: 4096}}", "spec.volumes[0].configMap.defaultMode"},
		{"{name: v, projected: {sources: [{configMap: {name: c, items: [{key: a, path: x, mode: -1}]}}]}}", "spec.volumes[0].projected.sources[0].configMap.items[0].mode"},
		{"{name: v, downwardAPI: {items: [{path: a/../../b, fieldRef: {fieldPath: metadata.name}}]}}", "spec.volumes[0].downwardAPI.items[0].path"},
		{"{name: v, configMap: {name: c}}], volumeMounts: [{name: v, mountPath: /v, subPath: ../up}", "spec.containers[0].volumeMounts[0].subPath"},
	} {
		pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [" + tt.vol + "]\n  containers: [{name: app, image: nginx}]\n"
		if strings.Contains(tt.vol, "volumeMounts") {
			vol, mounts, _ := strings.Cut(tt.vol, "], ")
			pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [" + vol + "]\n  containers: [{name: app, image: nginx, " + mounts + "]}]\n"
		}
		y := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n" + pod
		conv := NewConverter(Options{})
		require.NoError(t, ReadDocuments(strings.NewReader(y), "bad.yaml", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
		res := conv.Finish()
		require.Len(t, res.Errors, 1, tt.vol)
		found := false
		for _, f := range res.Findings {
			found = found || f.Level == mapping.Error && f.Path == tt.path
		}
		assert.True(t, found, "an error at %s: %v", tt.path, res.Findings)
	}
}

// TestFilesAcrossFiles: the ConfigMap and the Secret of a volume may sit in other files of the
// batch, before or after the workload.
func TestFilesAcrossFiles(t *testing.T) {
	docs := strings.Split(fsScenario, "\n---\n")
	ins := memInputs("z/deploy.yaml", docs[3], "a/app.yaml", docs[0], "y/nginx.yaml", docs[1], "b/tls.yaml", docs[2])
	items, text := runBatch(t, ins, BatchOptions{Jobs: 2})
	var out *Output
	for _, it := range items {
		if it.Output != nil {
			out = it.Output
		}
	}
	require.NotNil(t, out, text)
	want, _ := fsConvert(t, fsScenario, DefaultConfig())
	rvRequireSameECS(t, want.TaskDefinition, out.TaskDefinition, "task definition")
	for _, c := range fsCanaries {
		assert.NotContains(t, text, c)
	}
}

// TestFilesRoundTrip converts each scenario to ECS and back on both launch types: the files
// container becomes the same volumes and mounts again (and the ConfigMaps, with the keys the
// volumes show), the manifests pass the API validation, and converting them to ECS once more
// gives the same task definition.
func TestFilesRoundTrip(t *testing.T) {
	for name, y := range map[string]string{"shapes": fsScenario, "fsGroup": fsFSGroupScenario()} {
		for launch, cfg := range launchConfigs() {
			t.Run(name+"/"+launch, func(t *testing.T) {
				out, _ := fsConvert(t, y, cfg)
				w, cms := fsObjects(t, y)
				for _, ext := range []bool{false, true} {
					m, fs := Reverse(ReverseInput{TaskDefinition: out.TaskDefinition, Service: out.Service}, ReverseOptions{ExternalSecrets: ext, Kind: KindDeployment})
					for _, f := range fs {
						require.NotEqual(t, mapping.Error, f.Level, "%s", f)
						require.NotContains(t, f.Message, "does not give this field back", "%s", f)
						require.NotContains(t, f.Message, "stays a container", "%s", f)
					}
					back := m.Objects[len(m.Objects)-1]
					if _, ok := back.(*corev1.Service); ok {
						back = m.Objects[len(m.Objects)-2]
					}
					spec := fsPodSpec(t, back)
					for _, c := range spec.InitContainers {
						assert.NotEqual(t, FilesContainerName, c.Name, "no extra container")
					}
					assert.Equal(t, fsFilesVolumes(w.Template.Spec.Volumes), fsFilesVolumes(spec.Volumes), "the same volumes")
					assert.Equal(t, fsMounts(t, w.Template.Spec, out.TaskDefinition), fsMounts(t, *spec, nil), "the same mounts")
					if sc := w.Template.Spec.SecurityContext; sc != nil && sc.FSGroup != nil {
						require.NotNil(t, spec.SecurityContext)
						assert.Equal(t, sc.FSGroup, spec.SecurityContext.FSGroup)
					}
					gotCMs := 0
					for _, o := range m.Objects {
						cm, ok := o.(*corev1.ConfigMap)
						if !ok {
							continue
						}
						gotCMs++
						orig := cms[cm.Name]
						require.NotNil(t, orig, cm.Name)
						assert.Equal(t, w.Meta.Namespace, cm.Namespace)
						for k, v := range cm.Data {
							assert.Equal(t, orig.Data[k], v, "%s/%s", cm.Name, k)
						}
						for k, v := range cm.BinaryData {
							assert.Equal(t, orig.BinaryData[k], v, "%s/%s", cm.Name, k)
						}
					}
					assert.Equal(t, len(cms), gotCMs)
					if ext {
						n := 0
						for _, o := range m.Objects {
							if es, ok := o.(*ExternalSecret); ok && (es.Name == "tls" || es.Name == "token") {
								n++
							}
						}
						assert.Positive(t, n, "ExternalSecrets for the secret volumes")
					}
					rvCheckRoundTrip(t, out.TaskDefinition, out.Service, ReverseOptions{ExternalSecrets: ext, Kind: KindDeployment})
					yb, err := m.YAML()
					require.NoError(t, err)
					for _, c := range fsCanaries {
						assert.NotContains(t, string(yb), c)
					}
				}
			})
		}
	}
}

func fsPodSpec(t *testing.T, o Object) *corev1.PodSpec {
	t.Helper()
	switch x := o.(type) {
	case *corev1.Pod:
		return &x.Spec
	case *appsv1.Deployment:
		return &x.Spec.Template.Spec
	}
	t.Fatalf("%T", o)
	return nil
}

func fsFilesVolumes(vs []corev1.Volume) []corev1.Volume {
	var out []corev1.Volume
	for _, v := range vs {
		if v.ConfigMap != nil || v.Secret != nil || v.Projected != nil || v.DownwardAPI != nil {
			out = append(out, v)
		}
	}
	return out
}

// fsMounts lists the mounts of the files volumes: all of them, or with td those the task
// definition carries (a subPath naming a file is dropped). The kubelet mounts these volumes
// read-only, which the way back says explicitly.
func fsMounts(t *testing.T, spec corev1.PodSpec, td *ecs.RegisterTaskDefinitionInput) []string {
	files := map[string]bool{}
	for _, v := range fsFilesVolumes(spec.Volumes) {
		files[v.Name] = true
	}
	var out []string
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, m := range c.VolumeMounts {
			if !files[m.Name] {
				continue
			}
			if td != nil && mountAt(containerNamed(t, td, c.Name), m.MountPath) == nil {
				continue
			}
			out = append(out, fmt.Sprintf("%s %s %s %q", c.Name, m.Name, m.MountPath, m.SubPath))
		}
	}
	return out
}

// TestFilesEditedStaysContainer: a files container whose script was edited on ECS is not what
// podecs writes for its label: it stays an init container, and the round trip is still exact.
func TestFilesEditedStaysContainer(t *testing.T) {
	out, _ := fsConvert(t, fsScenario, DefaultConfig())
	for name, edit := range map[string]func(*types.ContainerDefinition){
		"script": func(d *types.ContainerDefinition) { d.Command[0] += "echo done\n" },
		"label": func(d *types.ContainerDefinition) {
			d.DockerLabels[FilesLabel] = `{"volumes":[{"name":"x","emptyDir":{}}]}`
		},
		"broken": func(d *types.ContainerDefinition) { d.DockerLabels[FilesLabel] = "{" },
		"escape": func(d *types.ContainerDefinition) {
			d.DockerLabels[FilesLabel] = strings.Replace(d.DockerLabels[FilesLabel], `"path":"nginx.conf"`, `"path":"../nginx.conf"`, 1)
		},
		"variable": func(d *types.ContainerDefinition) {
			d.Environment = d.Environment[1:]
		},
	} {
		t.Run(name, func(t *testing.T) {
			td := cloneTD(t, out.TaskDefinition)
			edit(filesDef(t, td))
			m, fs := Reverse(ReverseInput{TaskDefinition: td}, ReverseOptions{})
			text := ""
			for _, f := range fs {
				text += f.String() + "\n"
			}
			assert.Regexp(t, "stays a container", text)
			spec := fsPodSpec(t, m.Objects[len(m.Objects)-1])
			require.NotEmpty(t, spec.InitContainers)
			assert.Equal(t, FilesContainerName, spec.InitContainers[0].Name)
			for _, o := range m.Objects {
				_, isCM := o.(*corev1.ConfigMap)
				assert.False(t, isCM, "no ConfigMap from an edited container")
			}
			rvCheckRoundTrip(t, td, nil, ReverseOptions{})
		})
	}
}

func cloneTD(t *testing.T, td *ecs.RegisterTaskDefinitionInput) *ecs.RegisterTaskDefinitionInput {
	t.Helper()
	b, err := ecsjson.Marshal(td)
	require.NoError(t, err)
	out := &ecs.RegisterTaskDefinitionInput{}
	require.NoError(t, ecsjson.Unmarshal(b, out))
	return out
}

// TestFilesSecretKeysAnnotation: a secret volume without items whose Secret is not in the input
// takes its keys from the podecs.io/secret-keys annotation the way back writes.
func TestFilesSecretKeysAnnotation(t *testing.T) {
	y := `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {podecs.io/secret-keys: '{"creds":["password","user"]}'}
spec:
  containers: [{name: app, image: nginx, volumeMounts: [{name: v, mountPath: /creds}]}]
  volumes: [{name: v, secret: {secretName: creds}}]
`
	out, _ := fsConvert(t, y, DefaultConfig())
	def := filesDef(t, out.TaskDefinition)
	var names []string
	for _, s := range def.Secrets {
		names = append(names, aws.ToString(s.Name))
	}
	assert.Equal(t, []string{"SECRET_CREDS_PASSWORD", "SECRET_CREDS_USER"}, names)
	m, _ := Reverse(ReverseInput{TaskDefinition: out.TaskDefinition}, ReverseOptions{})
	pod := rvFindObject[*corev1.Pod](t, m.Objects)
	assert.Equal(t, `{"creds":["password","user"]}`, pod.Annotations[AnnotationSecretKeys])

	y = strings.Replace(y, "'{\"creds\":[\"password\",\"user\"]}'", "'not json'", 1)
	conv := NewConverter(Options{})
	require.NoError(t, ReadDocuments(strings.NewReader(y), "bad.yaml", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	res := conv.Finish()
	require.Len(t, res.Errors, 1)
}

// TestFilesConfig: the files settings of --config are read strictly.
func TestFilesConfig(t *testing.T) {
	c, err := ParseConfig([]byte("files: {disabled: true, image: 'example.com/busybox:1'}\n"))
	require.NoError(t, err)
	assert.True(t, c.Files.Disabled)
	assert.Equal(t, "example.com/busybox:1", c.Files.image())
	assert.Equal(t, DefaultFilesImage, DefaultConfig().Files.image())
	_, err = ParseConfig([]byte("files: {imgae: x}\n"))
	require.Error(t, err)
}

// TestFilesDeterministic: the same input gives the same bytes, and the label round-trips.
func TestFilesDeterministic(t *testing.T) {
	a, _ := fsConvert(t, fsScenario, DefaultConfig())
	b, _ := fsConvert(t, fsScenario, DefaultConfig())
	ja, err := ecsjson.Marshal(a.TaskDefinition)
	require.NoError(t, err)
	jb, err := ecsjson.Marshal(b.TaskDefinition)
	require.NoError(t, err)
	require.Equal(t, string(ja), string(jb))
	var l filesLabel
	require.NoError(t, json.Unmarshal([]byte(filesDef(t, a.TaskDefinition).DockerLabels[FilesLabel]), &l))
	w, _ := fsObjects(t, fsScenario)
	assert.Equal(t, fsFilesVolumes(w.Template.Spec.Volumes), l.Volumes)
	back, err := yaml.Marshal(l)
	require.NoError(t, err)
	assert.NotContains(t, string(back), "CANARY")
	assert.True(t, bytes.Contains(ja, []byte(`"podecs.io/files"`)))
}

// TestFilesEditsWin: on the way back, an edit of a ConfigMap's value reaches the files container,
// while the values Kubernetes cannot give back (a downward API file of labels) are still restored,
// each variable on its own.
func TestFilesEditsWin(t *testing.T) {
	out, _ := fsConvert(t, fsScenario, DefaultConfig())
	m, _ := Reverse(ReverseInput{TaskDefinition: out.TaskDefinition}, ReverseOptions{})
	var cm *corev1.ConfigMap
	for _, o := range m.Objects {
		if c, ok := o.(*corev1.ConfigMap); ok && c.Name == "nginx" {
			cm = c
		}
	}
	require.NotNil(t, cm)
	cm.Data["default.conf"] = "server { listen 9090; }\n"
	y, err := m.YAML()
	require.NoError(t, err)
	back, _ := rvBackToECS(t, y)
	env := map[string]string{}
	for _, kv := range filesDef(t, back.TaskDefinition).Environment {
		env[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	orig := map[string]string{}
	for _, kv := range filesDef(t, out.TaskDefinition).Environment {
		orig[aws.ToString(kv.Name)] = aws.ToString(kv.Value)
	}
	assert.Equal(t, "server { listen 9090; }\n", env["CONFIGMAP_NGINX_DEFAULT_CONF"], "the edit wins")
	assert.Equal(t, orig["DOWNWARD_INFO_LABELS"], env["DOWNWARD_INFO_LABELS"], "the labels file is restored")
	assert.Equal(t, orig["CONFIGMAP_APP_BIG"], env["CONFIGMAP_APP_BIG"])
}

// TestFilesSecretKeysFromConfig: the keys of a Secret that is not in the input may come from the
// per-key entries of secrets in --config.
func TestFilesSecretKeysFromConfig(t *testing.T) {
	y := `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers: [{name: app, image: nginx, volumeMounts: [{name: v, mountPath: /creds}]}]
  volumes: [{name: v, secret: {secretName: creds}}]
`
	cfg := DefaultConfig()
	cfg.Secrets = map[string]string{
		"shop/creds/user":     "arn:aws:ssm:eu-west-1:123456789012:parameter/creds/user",
		"creds/password":      "arn:aws:ssm:eu-west-1:123456789012:parameter/creds/password",
		"other/creds/ignored": "arn:aws:ssm:eu-west-1:123456789012:parameter/x",
	}
	out, findings := fsConvert(t, y, cfg)
	secrets := map[string]string{}
	for _, s := range filesDef(t, out.TaskDefinition).Secrets {
		secrets[aws.ToString(s.Name)] = aws.ToString(s.ValueFrom)
	}
	assert.Equal(t, map[string]string{
		"SECRET_CREDS_PASSWORD": "arn:aws:ssm:eu-west-1:123456789012:parameter/creds/password",
		"SECRET_CREDS_USER":     "arn:aws:ssm:eu-west-1:123456789012:parameter/creds/user",
	}, secrets)
	text := ""
	for _, f := range findings {
		text += f.String() + "\n"
	}
	assert.Contains(t, text, "its keys are those secrets in --config maps one by one: password, user")
}

// BenchmarkFiles converts the storefront fixture (four files volumes, ConfigMaps and Secrets) to
// ECS, and its task definition and service back to Kubernetes, where recognising the files
// container costs one more conversion of the objects.
func BenchmarkFiles(b *testing.B) {
	read := func(files ...string) []Document {
		var docs []Document
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, readDocs(b, data)...)
		}
		return docs
	}
	run := func(b *testing.B, docs []Document, ok func(Result) bool) {
		b.ReportAllocs()
		for b.Loop() {
			c := NewConverter(Options{})
			for _, d := range docs {
				c.Add(d)
			}
			if res := c.Finish(); !ok(res) {
				b.Fatal(res.Errors)
			}
		}
	}
	b.Run("forward", func(b *testing.B) {
		run(b, read("../testdata/fixtures/k8s/files.yaml"), func(r Result) bool { return len(r.Outputs) == 1 })
	})
	b.Run("reverse", func(b *testing.B) {
		run(b, read("../testdata/fixtures/ecs/storefront.taskdef.json", "../testdata/fixtures/ecs/storefront.service.json"), func(r Result) bool { return len(r.Manifests) == 1 })
	})
}
