// Command podecs-bench measures batch conversion against the floor: the same files read, each
// document decoded into its typed Kubernetes object and written as one JSON file, with the same
// parallelism. `make bench` runs it; it prints throughput, the ratio to the floor, peak RSS, and
// the wall time of a one-file conversion.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/internal/corpusgen"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "gen" {
		if err := genMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		if err := floorMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	bin := flag.String("podecs", "bin/podecs", "the podecs binary to measure")
	sizes := flag.String("docs", "4000,40000", "corpus sizes in documents (two per file), comma-separated")
	services := flag.Int("services-docs", 40000, "size in documents of a last corpus where every Deployment also has a Service and every fourth an autoscaler (0: none)")
	jobs := flag.Int("j", runtime.NumCPU(), "parallelism for podecs and the floor")
	runs := flag.Int("runs", 3, "measured runs of each program per size (the median is shown)")
	flag.Parse()
	if err := benchMain(*bin, *sizes, *services, *jobs, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "podecs-bench:", err)
		os.Exit(1)
	}
}

type run struct {
	wall  time.Duration
	rssKB int64
}

// measure runs a command and returns its wall time and peak resident set size.
func measure(name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdout = io.Discard
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return run{}, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, lastLines(stderr.String(), 5))
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return run{wall, rss}, nil
}

// pair measures the floor and podecs on one corpus: one warm-up run each (the page cache is then
// equally warm for both), then n runs of each, alternated so that the machine's drift hits both
// alike. Every run writes into a new, empty directory, and dirty pages are flushed before it. It
// returns the median wall times and the largest peak RSS.
func pair(n int, floor, podecs func(out string) (string, []string), tmp string) (fl, pd run, err error) {
	var walls [2][]time.Duration
	var rss [2]int64
	for i := -1; i < n; i++ {
		for k, cmd := range []func(string) (string, []string){floor, podecs} {
			name, args := cmd(filepath.Join(tmp, fmt.Sprintf("out-%d-%d", k, i+1)))
			syscall.Sync()
			r, err := measure(name, args...)
			if err != nil {
				return run{}, run{}, err
			}
			if i >= 0 {
				walls[k] = append(walls[k], r.wall)
				rss[k] = max(rss[k], r.rssKB)
			}
		}
	}
	return run{median(walls[0]), rss[0]}, run{median(walls[1]), rss[1]}, nil
}

// median sorts w and returns its middle value.
func median(w []time.Duration) time.Duration {
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)/2]
}

// startup measures a short command: the median wall time of 9 runs after one that warms the page
// cache, and the largest peak RSS.
func startup(name string, args ...string) (run, error) {
	var walls []time.Duration
	var rss int64
	for i := range 10 {
		r, err := measure(name, args...)
		if err != nil {
			return run{}, err
		}
		if i > 0 {
			walls = append(walls, r.wall)
			rss = max(rss, r.rssKB)
		}
	}
	return run{median(walls), rss}, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

func benchMain(bin, sizes string, services, jobs, runs int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "podecs-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("podecs-bench: %s, %d CPUs, -j %d, median of %d runs into new directories; load average %s\n\n", runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), jobs, runs, loadAverage())
	if strings.TrimSpace(sizes) != "" {
		fmt.Printf("%8s %6s %7s %9s %8s %7s %9s %6s %10s %10s\n", "docs", "files", "MB", "podecs", "docs/s", "MB/s", "floor", "ratio", "RSS podecs", "RSS floor")
	}
	var corpora []corpusgen.Options
	for _, s := range strings.Split(sizes, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		docs, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-docs: %w", err)
		}
		corpora = append(corpora, corpusOptions(docs, false))
	}
	if services > 0 {
		corpora = append(corpora, corpusOptions(services, true))
	}
	var rss []int64
	for i, o := range corpora {
		in := filepath.Join(tmp, fmt.Sprintf("corpus-%d", i))
		st, err := corpusgen.Generate(in, o)
		if err != nil {
			return err
		}
		outs := filepath.Join(tmp, "out")
		fl, pd, err := pair(runs,
			func(out string) (string, []string) { return self, []string{"floor", "-j", strconv.Itoa(jobs), in, out} },
			func(out string) (string, []string) {
				return bin, []string{"convert", "-q", "-j", strconv.Itoa(jobs), "-f", in, "-o", out}
			}, outs)
		if err != nil {
			return err
		}
		mb := float64(st.Bytes) / 1e6
		note := ""
		if o.Services {
			note = "  with Services and autoscalers"
		} else {
			rss = append(rss, pd.rssKB)
		}
		fmt.Printf("%8d %6d %7.1f %9s %8.0f %7.2f %9s %6.2f %6d MiB %6d MiB%s\n", st.Documents, st.Files, mb,
			pd.wall.Round(time.Millisecond), float64(st.Documents)/pd.wall.Seconds(), mb/pd.wall.Seconds(),
			fl.wall.Round(time.Millisecond), pd.wall.Seconds()/fl.wall.Seconds(), pd.rssKB/1024, fl.rssKB/1024, note)
		for _, d := range []string{in, outs} {
			_ = os.RemoveAll(d)
		}
	}
	if len(rss) > 1 && rss[0] > 0 {
		fmt.Printf("\npeak RSS of podecs, largest Deployment corpus / smallest: %.2f\n", float64(rss[len(rss)-1])/float64(rss[0]))
	}
	one := filepath.Join(tmp, "one")
	if _, err := corpusgen.Generate(one, corpusgen.Options{Workloads: 1, Seed: 2}); err != nil {
		return err
	}
	file := filepath.Join(one, corpusgen.FileName(0))
	conv, err := startup(bin, "convert", "-q", "-f", file, "-o", filepath.Join(tmp, "one-out"))
	if err != nil {
		return err
	}
	version, err := startup(bin, "version")
	if err != nil {
		return err
	}
	floor, err := startup(self, "floor", "-j", strconv.Itoa(jobs), one, filepath.Join(tmp, "one-floor"))
	if err != nil {
		return err
	}
	fmt.Printf("one-file conversion (1 Deployment, 1 ConfigMap): median %s, peak RSS %d MiB; podecs version (start-up alone): %s; floor on the same file: %s\n",
		conv.wall.Round(100*time.Microsecond), conv.rssKB/1024, version.wall.Round(100*time.Microsecond), floor.wall.Round(100*time.Microsecond))
	return nil
}

// floorMain is the floor: read the files in sorted order, decode each document into its typed
// object, write it as one JSON file, with -j workers.
func floorMain(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ExitOnError)
	jobs := fs.Int("j", runtime.NumCPU(), "workers")
	_ = fs.Parse(args)
	if fs.NArg() != 2 {
		return errors.New("usage: podecs-bench floor [-j N] IN OUT")
	}
	in, out := fs.Arg(0), fs.Arg(1)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var files []string
	err := filepath.WalkDir(in, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	work := make(chan int)
	errs := make(chan error, *jobs)
	var wg sync.WaitGroup
	for w := 0; w < *jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := floorFile(files[i], filepath.Join(out, strconv.Itoa(i))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	return <-errs
}

func floorFile(path, outPrefix string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	yr := utilyaml.NewYAMLReader(bufio.NewReader(f))
	for n := 0; ; n++ {
		raw, err := yr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		js, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return err
		}
		var meta struct{ Kind string }
		_ = json.Unmarshal(js, &meta)
		var obj any = &corev1.ConfigMap{}
		switch meta.Kind {
		case "Deployment":
			obj = &appsv1.Deployment{}
		case "Service":
			obj = &corev1.Service{}
		case "HorizontalPodAutoscaler":
			obj = &autoscalingv2.HorizontalPodAutoscaler{}
		}
		if _, err := kjson.UnmarshalStrict(js, obj); err != nil {
			return err
		}
		data, err := json.MarshalIndent(obj, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(fmt.Sprintf("%s-%d.json", outPrefix, n), data, 0o644); err != nil {
			return err
		}
	}
}

// genMain writes a corpus: podecs-bench gen [-docs N] [-one] [-services] DIR (with -one, DIR is a
// file).
func genMain(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	docs := fs.Int("docs", 4000, "documents (two per workload)")
	one := fs.Bool("one", false, "write one multi-document file instead of a directory")
	seed := fs.Int64("seed", 1, "random seed")
	services := fs.Bool("services", false, "add a Service for every Deployment and an autoscaler for every fourth")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("usage: podecs-bench gen [-docs N] [-one] [-services] DIR")
	}
	o := corpusOptions(*docs, *services)
	o.Seed = *seed
	var st corpusgen.Stats
	var err error
	if *one {
		f, ferr := os.Create(fs.Arg(0))
		if ferr != nil {
			return ferr
		}
		st, err = corpusgen.Write(f, o)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	} else {
		st, err = corpusgen.Generate(fs.Arg(0), o)
	}
	if err != nil {
		return err
	}
	fmt.Printf("%d documents in %d files, %.1f MB\n", st.Documents, st.Files, float64(st.Bytes)/1e6)
	return nil
}

// corpusOptions sizes a corpus of about docs documents (seed 1): two per workload, or with
// Services 3.25 (Deployment, ConfigMap, Service and a quarter of an autoscaler).
func corpusOptions(docs int, services bool) corpusgen.Options {
	if services {
		return corpusgen.Options{Workloads: docs * 4 / 13, Seed: 1, Services: true}
	}
	return corpusgen.Options{Workloads: docs / 2, Seed: 1}
}
