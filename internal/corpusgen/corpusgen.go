// Package corpusgen writes a deterministic corpus of realistic Kubernetes manifests for
// benchmarks: Deployments with 1–3 containers, 3–20 environment variables, probes, resources,
// volumes and Secret references, plus the ConfigMaps they use and, as an option, a Service for
// every Deployment and a HorizontalPodAutoscaler for every fourth, spread over files so that
// references cross file boundaries.
package corpusgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Options size the corpus.
type Options struct {
	// Workloads is the number of Deployments; each file holds two documents.
	Workloads int
	Seed      int64
	// Comment adds about this many bytes of comment lines before each Deployment (as chart
	// templates carry license headers), for large inputs that convert quickly.
	Comment int
	// Services adds to each file a Service (ClusterIP, or LoadBalancer for every tenth) for the
	// previous workload, and for every fourth workload a HorizontalPodAutoscaler: each file then
	// holds three or four documents.
	Services bool
}

// Stats describes what Generate or Write wrote.
type Stats struct {
	Files, Documents int
	Bytes            int64
}

// Generate writes the corpus into dir (created if needed): one file per workload, holding its
// Deployment and the ConfigMap of the next workload, so every Deployment refers to a ConfigMap in
// another file. The same options give the same bytes.
func Generate(dir string, o Options) (Stats, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, err
	}
	r := rand.New(rand.NewSource(o.Seed))
	var st Stats
	var b strings.Builder
	for i := 0; i < o.Workloads; i++ {
		b.Reset()
		docs := writePair(&b, r, i, o)
		name := filepath.Join(dir, FileName(i))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return st, err
		}
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			return st, err
		}
		st.Files++
		st.Documents += docs
		st.Bytes += int64(b.Len())
	}
	return st, nil
}

// FileName is the path, relative to the corpus directory, of workload i's file.
func FileName(i int) string {
	return filepath.Join(fmt.Sprintf("team-%03d", i%100), fmt.Sprintf("app-%05d.yaml", i))
}

// Write writes the same documents as Generate as one multi-document YAML stream, for a single
// large input file or standard input.
func Write(w io.Writer, o Options) (Stats, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	r := rand.New(rand.NewSource(o.Seed))
	var st Stats
	var b strings.Builder
	for i := 0; i < o.Workloads; i++ {
		b.Reset()
		if i > 0 {
			b.WriteString("---\n")
		}
		docs := writePair(&b, r, i, o)
		n, err := bw.WriteString(b.String())
		st.Bytes += int64(n)
		if err != nil {
			return st, err
		}
		st.Documents += docs
	}
	st.Files = 1
	return st, bw.Flush()
}

// writePair writes workload i's Deployment and the ConfigMap of workload i+1 and, with Services,
// the Service and autoscaler of workload i-1, and returns how many documents it wrote.
func writePair(b *strings.Builder, r *rand.Rand, i int, o Options) (documents int) {
	for n := 0; n < o.Comment; n += len(commentLine) {
		b.WriteString(commentLine)
	}
	writeDeployment(b, r, i)
	b.WriteString("---\n")
	writeConfigMap(b, r, (i+1)%o.Workloads)
	if !o.Services {
		return 2
	}
	prev := (i + o.Workloads - 1) % o.Workloads
	b.WriteString("---\n")
	writeService(b, prev)
	if prev%4 != 0 {
		return 3
	}
	b.WriteString("---\n")
	writeHPA(b, r, prev)
	return 4
}

const commentLine = "# Licensed under the Apache License, Version 2.0: see the LICENSE file of the chart.\n"

var images = []string{"nginx:1.27", "ghcr.io/example/api:2.4.1", "redis:7.4", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0", "ghcr.io/example/worker:1.9.0", "envoyproxy/envoy:v1.31.2"}

func writeDeployment(b *strings.Builder, r *rand.Rand, i int) {
	name := fmt.Sprintf("app-%05d", i)
	fmt.Fprintf(b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
  labels:
    app.kubernetes.io/name: %s
    app.kubernetes.io/part-of: team-%03d
spec:
  replicas: %d
  selector:
    matchLabels:
      app.kubernetes.io/name: %s
  strategy:
    rollingUpdate: {maxSurge: %d, maxUnavailable: %d%%}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %s
        app.kubernetes.io/part-of: team-%03d
    spec:
      terminationGracePeriodSeconds: %d
      containers:
`, name, name, i%100, 1+r.Intn(12), name, r.Intn(3), 25*r.Intn(3), name, i%100, 10+r.Intn(90))
	nc := 1 + r.Intn(3)
	for c := 0; c < nc; c++ {
		fmt.Fprintf(b, "      - name: c%d\n        image: %s\n", c, images[r.Intn(len(images))])
		port := 8000 + r.Intn(1000)
		fmt.Fprintf(b, "        ports:\n        - {name: http, containerPort: %d}\n", port)
		b.WriteString("        env:\n")
		for e, ne := 0, 3+r.Intn(18); e < ne; e++ {
			fmt.Fprintf(b, "        - {name: VAR_%02d, value: \"value-%d-%d\"}\n", e, i, r.Intn(1e6))
		}
		fmt.Fprintf(b, "        - name: DB_PASSWORD\n          valueFrom: {secretKeyRef: {name: db-%03d, key: password}}\n", i%100)
		fmt.Fprintf(b, "        envFrom:\n        - configMapRef: {name: app-%05d-settings}\n", i)
		fmt.Fprintf(b, "        resources:\n          requests: {cpu: %dm, memory: %dMi}\n          limits: {cpu: %dm, memory: %dMi}\n",
			50*(1+r.Intn(8)), 64*(1+r.Intn(8)), 100*(1+r.Intn(8)), 128*(1+r.Intn(8)))
		fmt.Fprintf(b, "        livenessProbe:\n          httpGet: {path: /healthz, port: http}\n          periodSeconds: %d\n          timeoutSeconds: %d\n", 5+r.Intn(25), 1+r.Intn(5))
		fmt.Fprintf(b, "        readinessProbe:\n          tcpSocket: {port: %d}\n", port)
		b.WriteString("        volumeMounts:\n        - {name: cache, mountPath: /var/cache/app}\n")
	}
	b.WriteString("      volumes:\n      - name: cache\n        emptyDir: {sizeLimit: 1Gi}\n")
}

func writeConfigMap(b *strings.Builder, r *rand.Rand, i int) {
	fmt.Fprintf(b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-%05d-settings\ndata:\n", i)
	for k, n := 0, 2+r.Intn(8); k < n; k++ {
		fmt.Fprintf(b, "  SETTING_%02d: \"%d\"\n", k, r.Intn(1e9))
	}
}

// writeService writes the Service of workload i: it selects the workload's pods by name and team
// (a label every workload of the team has) and targets the first container's named port.
func writeService(b *strings.Builder, i int) {
	typ := "ClusterIP"
	if i%10 == 0 {
		typ = "LoadBalancer"
	}
	fmt.Fprintf(b, `apiVersion: v1
kind: Service
metadata:
  name: app-%05d
spec:
  type: %s
  selector:
    app.kubernetes.io/name: app-%05d
    app.kubernetes.io/part-of: team-%03d
  ports:
  - {name: http, port: 80, targetPort: http}
`, i, typ, i, i%100)
}

// writeHPA writes an autoscaling/v2 HorizontalPodAutoscaler for workload i on CPU or memory.
func writeHPA(b *strings.Builder, r *rand.Rand, i int) {
	resource := "cpu"
	if r.Intn(3) == 0 {
		resource = "memory"
	}
	fmt.Fprintf(b, `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: app-%05d
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%05d}
  minReplicas: %d
  maxReplicas: %d
  metrics:
  - type: Resource
    resource: {name: %s, target: {type: Utilization, averageUtilization: %d}}
`, i, i, 1+r.Intn(3), 4+r.Intn(20), resource, 50+5*r.Intn(8))
}
