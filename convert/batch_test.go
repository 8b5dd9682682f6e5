package convert

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podecs/podecs/internal/corpusgen"
)

// splitterInputs are streams whose documents are cut in unusual places.
var splitterInputs = map[string]string{
	"empty":                "",
	"only separators":      "---\n---\n...\n# c\n---\n",
	"leading separator":    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
	"no final newline":     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}",
	"CRLF":                 "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: Secret\r\nmetadata: {name: s}\r\n",
	"separator comment":    "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n--- # next\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: b}\n",
	"bad separator":        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n--- {a: 1}\n",
	"three dashes in text": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '---'}\n",
	"blank between":        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n# only a comment\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
	"list":                 "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- 3\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
	"JSON":                 "{\"family\": \"td\", \"containerDefinitions\": []}\n---\n{\"serviceName\": \"s\", \"taskDefinition\": \"td\"}\n",
	"garbage":              "\x00\x01\xfe\xff\n---\n: : :\n---\n- a\n",
	"long line":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '" + strings.Repeat("y", 100<<10) + "'}\n",
	"long separator lines": "---" + strings.Repeat(" ", 70<<10) + "\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---" + strings.Repeat("\u3000", 30<<10) + "# c\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: b}\n",
	"long bad separator":   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---" + strings.Repeat("\u00a0", 40<<10) + "x\n",
	"over the limit":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + strings.Repeat("  k: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n", 2000) + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n",
}

// splitEvents reads a stream with ReadDocuments, or with the batch splitter and decoder, and
// renders what comes out, so that the two can be compared.
func splitEvents(data []byte, limit int, batched bool) []string {
	var out []string
	doc := func(d Document) {
		out = append(out, fmt.Sprintf("doc %+v %d %s %s %s", d.DocRef, d.Format, d.APIVersion, d.Namespace, d.JSON))
	}
	bad := func(e *DocError) { out = append(out, "error "+e.Error()) }
	if !batched {
		if err := ReadDocuments(bytes.NewReader(data), "in.yaml", ReadOptions{MaxDocumentBytes: limit}, doc, bad); err != nil {
			out = append(out, "fatal "+err.Error())
		}
		return out
	}
	b := &batch{o: BatchOptions{Read: ReadOptions{MaxDocumentBytes: limit}}}
	s := newDocSplitter(bytes.NewReader(data), "in.yaml", limit)
	for {
		d, err := s.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return append(out, "fatal "+err.Error())
		}
		for _, e := range b.decode(d) {
			if e.err != nil {
				bad(e.err)
			} else {
				doc(e.doc)
			}
		}
	}
}

// TestSplitterMatchesReadDocuments: the batch cuts and numbers documents exactly as ReadDocuments.
func TestSplitterMatchesReadDocuments(t *testing.T) {
	inputs := map[string][]byte{}
	for name, in := range splitterInputs {
		inputs[name] = []byte(in)
	}
	files, _ := filepath.Glob("../testdata/fixtures/*/*.*")
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		inputs[f] = data
	}
	require.Greater(t, len(inputs), 30)
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			for _, limit := range []int{0, 64 << 10, 100} {
				want, got := splitEvents(data, limit, false), splitEvents(data, limit, true)
				if !sameEvents(want, got) {
					assert.Equal(t, want, got, "limit %d", limit)
				}
			}
		})
	}
	t.Run("the limit is reported with the document's size", func(t *testing.T) {
		in := splitterInputs["over the limit"]
		got := splitEvents([]byte(in), 64<<10, true)
		require.Len(t, got, 2)
		assert.Contains(t, got[0], fmt.Sprintf("in.yaml: doc 1: document is %d bytes", strings.Index(in, "---\n")))
		assert.Contains(t, got[0], "over the limit of 65536 (see --max-document-size)")
		assert.Contains(t, got[1], "doc 2 ConfigMap/small")
	})
}

// FuzzBatchSplit: on any input the batch reader gives what ReadDocuments gives.
func FuzzBatchSplit(f *testing.F) {
	addFixtureSeeds(f)
	for _, in := range splitterInputs {
		if len(in) < 4096 {
			f.Add([]byte(in))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, limit := range []int{1 << 20, 40} {
			want := splitEvents(data, limit, false)
			got := splitEvents(data, limit, true)
			if !sameEvents(want, got) {
				t.Fatalf("limit %d:\nReadDocuments: %q\nbatch:         %q", limit, want, got)
			}
		}
	})
}

// sameEvents compares what ReadDocuments and the batch reader give. They are the same, except
// that the batch cuts the text of a bad separator line longer than the document limit ("…").
func sameEvents(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		cut, cutOff := strings.CutSuffix(got[i], "…")
		if want[i] != got[i] && !(cutOff && strings.Contains(cut, "invalid Yaml document separator: ") && strings.HasPrefix(want[i], cut)) {
			return false
		}
	}
	return true
}

// memInputs turns named contents into batch inputs, in the given order.
func memInputs(files ...string) []Input {
	var ins []Input
	for i := 0; i+1 < len(files); i += 2 {
		name, data := files[i], files[i+1]
		ins = append(ins, Input{Name: name, Size: int64(len(data)), Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }})
	}
	return ins
}

// runBatch runs a batch and renders every item as text: findings, errors and files in order.
func runBatch(t *testing.T, ins []Input, o BatchOptions) ([]Item, string) {
	t.Helper()
	var items []Item
	var b strings.Builder
	err := Batch(ins, o, BatchHandler{Item: func(it Item) error {
		items = append(items, it)
		fmt.Fprintf(&b, "item %s\n", it.Doc)
		for _, f := range it.Findings {
			fmt.Fprintln(&b, f)
		}
		for _, e := range it.Errors {
			fmt.Fprintln(&b, "error:", e)
		}
		for _, f := range it.Files {
			fmt.Fprintf(&b, "file %s\n%s", f.Name, f.Data)
		}
		return nil
	}})
	require.NoError(t, err)
	return items, b.String()
}

// finishResult converts the same inputs with Add and Finish, as register and diff do.
func finishResult(t *testing.T, ins []Input, o BatchOptions) Result {
	t.Helper()
	c := NewConverter(o.Options)
	for _, in := range ins {
		rc, err := in.Open()
		require.NoError(t, err)
		require.NoError(t, ReadDocuments(rc, in.Name, o.Read, c.Add, func(e *DocError) { c.AddError(e) }))
	}
	return c.Finish()
}

func fixtureInputs(t *testing.T, pattern string) []Input {
	t.Helper()
	files, err := filepath.Glob(pattern)
	require.NoError(t, err)
	sort.Strings(files)
	var ins []Input
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		ins = append(ins, memInputs(f, string(data))...)
	}
	return ins
}

// TestBatchMatchesFinish: a batch gives the outputs, manifests, findings and errors that Add and
// Finish give, whatever the number of jobs; only workload decoding errors move, to their turn.
func TestBatchMatchesFinish(t *testing.T) {
	cases := map[string][]Input{
		"all Kubernetes fixtures together": fixtureInputs(t, "../testdata/fixtures/k8s/*.yaml"),
		"all ECS fixtures together":        fixtureInputs(t, "../testdata/fixtures/ecs/*.json"),
		"generated corpus":                 corpusInputs(t, 60),
	}
	for _, in := range fixtureInputs(t, "../testdata/fixtures/*/*.*") {
		cases[in.Name] = []Input{in}
	}
	for name, ins := range cases {
		t.Run(name, func(t *testing.T) {
			o := BatchOptions{}
			want := finishResult(t, ins, o)
			var wantFiles []string
			for _, out := range want.Outputs {
				fs, err := out.Files()
				require.NoError(t, err)
				for _, f := range fs {
					wantFiles = append(wantFiles, f.Name+"\n"+string(f.Data))
				}
			}
			for _, m := range want.Manifests {
				fs, err := m.Files()
				require.NoError(t, err)
				wantFiles = append(wantFiles, fs[0].Name+"\n"+string(fs[0].Data))
			}
			for _, jobs := range []int{1, 4} {
				o.Jobs = jobs
				items, _ := runBatch(t, ins, o)
				var findings []Finding
				var errs, files []string
				for _, it := range items {
					findings = append(findings, it.Findings...)
					for _, e := range it.Errors {
						errs = append(errs, e.Error())
					}
					for _, f := range it.Files {
						files = append(files, f.Name+"\n"+string(f.Data))
					}
				}
				assert.Equal(t, want.Findings, findings, "findings, -j %d", jobs)
				assert.ElementsMatch(t, errorStrings(want.Errors), errs, "errors, -j %d", jobs)
				assert.Equal(t, wantFiles, files, "files, -j %d", jobs)
			}
		})
	}
}

func errorStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func corpusInputs(t testing.TB, workloads int) []Input {
	t.Helper()
	dir := t.TempDir()
	_, err := corpusgen.Generate(dir, corpusgen.Options{Workloads: workloads, Seed: 7})
	require.NoError(t, err)
	var ins []Input
	for i := range workloads {
		data, err := os.ReadFile(filepath.Join(dir, corpusgen.FileName(i)))
		require.NoError(t, err)
		ins = append(ins, memInputs(corpusgen.FileName(i), string(data))...)
	}
	return ins
}

// TestBatchSameForAnyJobs: the items, in order and byte for byte, do not depend on -j.
func TestBatchSameForAnyJobs(t *testing.T) {
	ins := corpusInputs(t, 300)
	_, one := runBatch(t, ins, BatchOptions{Jobs: 1})
	for _, jobs := range []int{2, 4, 16} {
		_, got := runBatch(t, ins, BatchOptions{Jobs: jobs})
		require.Equal(t, one, got, "-j %d", jobs)
	}
	assert.Equal(t, 600, strings.Count(one, "\nfile "), "two files per workload")
}

const crossDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: web
      containers:
      - name: app
        image: nginx
        envFrom: [{configMapRef: {name: settings}}]
        env:
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: data}}
`

// TestBatchResolvesAcrossFiles: objects in files after the workload's are found.
func TestBatchResolvesAcrossFiles(t *testing.T) {
	ins := memInputs(
		"a/deploy.yaml", crossDeployment,
		"b/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {MODE: production}\n",
		"c/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: CANARY-4711}\n",
		"d/sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop, annotations: {eks.amazonaws.com/role-arn: 'arn:aws:iam::123456789012:role/web'}}\n",
		"e/pvc.yaml", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\nspec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}\n",
	)
	cfg := DefaultConfig()
	cfg.Volumes = map[string]EFSVolume{"shop/data": {FileSystemID: "fs-0123456789abcdef0"}}
	items, text := runBatch(t, ins, BatchOptions{Options: Options{Config: cfg}, Jobs: 2})
	var out *Output
	for _, it := range items {
		if it.Output != nil {
			out = it.Output
		}
	}
	require.NotNil(t, out, text)
	c := out.TaskDefinition.ContainerDefinitions[0]
	require.Len(t, c.Environment, 1)
	assert.Equal(t, "MODE", *c.Environment[0].Name, "the ConfigMap of a later file is inlined")
	require.Len(t, c.Secrets, 1)
	assert.Equal(t, "DB_PASSWORD", *c.Secrets[0].Name)
	assert.Equal(t, "arn:aws:iam::123456789012:role/web", *out.TaskDefinition.TaskRoleArn, "the ServiceAccount of a later file gives the role")
	require.Len(t, out.TaskDefinition.Volumes, 1)
	require.NotNil(t, out.TaskDefinition.Volumes[0].EfsVolumeConfiguration, "the claim of a later file is found")
	assert.NotContains(t, text, "CANARY-4711", "Secret values are never kept")
	assert.NotContains(t, text, "not in the input")
}

// TestBatchNameCollision: two workloads of different files with one ECS name are an error
// naming both; the first keeps its files.
func TestBatchNameCollision(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\nspec: {containers: [{name: c, image: nginx}]}\n"
	ins := memInputs("one.yaml", fmt.Sprintf(pod, "web.v1", "a"), "two.yaml", fmt.Sprintf(pod, "web-v1", "b"))
	for _, jobs := range []int{1, 4} {
		items, text := runBatch(t, ins, BatchOptions{Jobs: jobs})
		require.Len(t, items, 2, text)
		assert.Equal(t, "web-v1.taskdef.json", items[0].Files[0].Name)
		require.Len(t, items[1].Errors, 1)
		assert.Empty(t, items[1].Files)
		assert.Equal(t, `two.yaml: doc 1 Pod/web-v1: metadata.name: the ECS name "web-v1" is already taken by one.yaml: doc 1 Pod/web.v1 (ECS has no namespaces: rename one of them)`, items[1].Errors[0].Error())
	}
}

// TestBatchLimits: the total input size is checked over all inputs, and the error names the
// input and document where it was crossed.
func TestBatchLimits(t *testing.T) {
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" // 51 bytes
	ins := memInputs("a.yaml", doc, "b.yaml", doc+"---\n"+doc, "c.yaml", doc)
	tests := []struct {
		limit int64
		want  string
	}{
		{1 << 20, ""},
		{208, ""}, // exactly the size of the inputs
		{207, "c.yaml: doc 1: the inputs are over the limit of 207 bytes in total (see --max-input-size)"},
		{120, "b.yaml: doc 2: the inputs are over the limit of 120 bytes in total (see --max-input-size)"},
		{50, "a.yaml: doc 1: the inputs are over the limit of 50 bytes in total"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			err := Batch(ins, BatchOptions{MaxInputBytes: tt.limit}, BatchHandler{Item: func(Item) error { return nil }})
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestBatchHandlerErrorStops: a failing handler stops the batch; its error comes back.
func TestBatchHandlerErrorStops(t *testing.T) {
	ins := corpusInputs(t, 50)
	stop := errors.New("disk full")
	n := 0
	err := Batch(ins, BatchOptions{Jobs: 4}, BatchHandler{Item: func(it Item) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	}})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 3, n, "no item after the failing one")
}

// TestBatchProgress: the first pass counts documents and bytes, the second the workloads.
func TestBatchProgress(t *testing.T) {
	ins := corpusInputs(t, 10)
	var last [2]Progress
	calls := 0
	err := Batch(ins, BatchOptions{}, BatchHandler{Item: func(Item) error { return nil }, Progress: func(p Progress) {
		calls++
		i := 0
		if p.Converting {
			i = 1
		}
		last[i] = p
	}})
	require.NoError(t, err)
	var total int64
	for _, in := range ins {
		total += in.Size
	}
	assert.Equal(t, Progress{Documents: 20, Workloads: 10, Bytes: total, TotalBytes: total}, last[0])
	assert.Equal(t, Progress{Converting: true, Documents: 10, Workloads: 10, Bytes: total, TotalBytes: total}, last[1])
	assert.Equal(t, 30, calls)
}

// TestPipelineOrder: results come in the order of the jobs, with a bounded number in flight,
// however long each job takes.
func TestPipelineOrder(t *testing.T) {
	for _, workers := range []int{1, 3, 8} {
		var inFlight, most atomic.Int32
		var got []int
		p := pipeline[int, int]{
			workers: workers, window: 5, budget: 1 << 20,
			work: func(i int) int {
				time.Sleep(time.Duration(rand.Intn(200)) * time.Microsecond)
				return i * i
			},
			take: func(r int) error {
				got = append(got, r)
				inFlight.Add(-1)
				return nil
			},
		}
		err := p.run(func(send func(int, int64) bool) error {
			for i := range 500 {
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				if !send(i, 1) {
					return nil
				}
			}
			return nil
		})
		require.NoError(t, err)
		require.Len(t, got, 500)
		for i, r := range got {
			require.Equal(t, i*i, r)
		}
		assert.LessOrEqual(t, most.Load(), int32(6), "window 5 (+1 waiting at the gate), %d workers", workers)
	}
}

// TestPipelineBudget: a job larger than the byte budget still passes, alone.
func TestPipelineBudget(t *testing.T) {
	var inFlight, most atomic.Int64
	p := pipeline[int64, int64]{
		workers: 4, window: 100, budget: 1000,
		work: func(size int64) int64 { time.Sleep(50 * time.Microsecond); return size },
		take: func(size int64) error { inFlight.Add(-size); return nil },
	}
	err := p.run(func(send func(int64, int64) bool) error {
		for i := range 200 {
			size := int64(300)
			if i%10 == 0 {
				size = 5000
			}
			if !send(size, size) {
				return nil
			}
			n := inFlight.Add(size)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.LessOrEqual(t, most.Load(), int64(5000+300), "the bytes in flight stay near the budget")
}

// TestSpoolRoundTrip: documents come back from the spool as they went in.
func TestSpoolRoundTrip(t *testing.T) {
	docs := []Document{
		{DocRef: DocRef{Source: "a.yaml", Index: 1, Kind: "Deployment", Name: "web"}, Format: FormatKubernetes, APIVersion: "apps/v1", Namespace: "ns", JSON: []byte(`{"kind":"Deployment"}`)},
		{DocRef: DocRef{Source: "a.yaml", Index: 300, Item: 7, Kind: "Pod"}, Format: FormatKubernetes, APIVersion: "v1", JSON: []byte(`{}`)},
		{DocRef: DocRef{Source: "<stdin>", Index: 2}, JSON: bytes.Repeat([]byte("x"), 1<<20)},
	}
	sp := &memorySpool{}
	sw := newSpoolWriter(sp)
	for i := range docs {
		require.NoError(t, sw.put(&docs[i]))
	}
	require.NoError(t, sw.flush())
	r, err := sp.Rewind()
	require.NoError(t, err)
	sr := newSpoolReader(r)
	for _, want := range docs {
		got, err := sr.next()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err = sr.next()
	assert.ErrorIs(t, err, io.EOF)
	_, err = newSpoolReader(bytes.NewReader([]byte{1, 2, 3})).next()
	assert.ErrorContains(t, err, "spool of the batch is damaged")
}
