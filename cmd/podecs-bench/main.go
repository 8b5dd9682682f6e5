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
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/internal/corpusgen"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		if err := floorMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	bin := flag.String("podecs", "bin/podecs", "the podecs binary to measure")
	sizes := flag.String("docs", "4000,40000", "corpus sizes in documents (two per file), comma-separated")
	jobs := flag.Int("j", runtime.NumCPU(), "parallelism for podecs and the floor")
	flag.Parse()
	if err := benchMain(*bin, *sizes, *jobs); err != nil {
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
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 0 {
			return run{}, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, lastLines(stderr.String(), 5))
		}
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss
	}
	return run{wall, rss}, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func benchMain(bin, sizes string, jobs int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "podecs-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("podecs-bench: %s, GOMAXPROCS %d, -j %d\n\n", runtime.GOOS+"/"+runtime.GOARCH, runtime.GOMAXPROCS(0), jobs)
	fmt.Printf("%8s %6s %8s %10s %8s %9s %8s %6s %10s %10s\n", "docs", "files", "MB", "podecs", "docs/s", "MB/s", "floor", "ratio", "RSS podecs", "RSS floor")
	for _, s := range strings.Split(sizes, ",") {
		docs, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("-docs: %w", err)
		}
		in := filepath.Join(tmp, fmt.Sprintf("corpus-%d", docs))
		st, err := corpusgen.Generate(in, corpusgen.Options{Workloads: docs / 2, Seed: 1})
		if err != nil {
			return err
		}
		floorOut, podecsOut := filepath.Join(tmp, "floor-out"), filepath.Join(tmp, "podecs-out")
		// One warm-up run each, so the page cache is equally warm for both.
		for _, d := range []string{floorOut, podecsOut} {
			_ = os.RemoveAll(d)
		}
		if _, err := measure(self, "floor", "-j", strconv.Itoa(jobs), in, floorOut); err != nil {
			return err
		}
		fl, err := measure(self, "floor", "-j", strconv.Itoa(jobs), in, floorOut)
		if err != nil {
			return err
		}
		args := []string{"convert", "-q", "-j", strconv.Itoa(jobs), "-f", in, "-o", podecsOut}
		if _, err := measure(bin, args...); err != nil {
			return err
		}
		pd, err := measure(bin, args...)
		if err != nil {
			return err
		}
		mb := float64(st.Bytes) / 1e6
		fmt.Printf("%8d %6d %8.1f %10s %8.0f %9.2f %8s %6.2f %7d MiB %7d MiB\n", st.Documents, st.Files, mb,
			pd.wall.Round(time.Millisecond), float64(st.Documents)/pd.wall.Seconds(), mb/pd.wall.Seconds(),
			fl.wall.Round(time.Millisecond), pd.wall.Seconds()/fl.wall.Seconds(), pd.rssKB/1024, fl.rssKB/1024)
		_ = os.RemoveAll(in)
	}
	one := filepath.Join(tmp, "one")
	if _, err := corpusgen.Generate(one, corpusgen.Options{Workloads: 1, Seed: 2}); err != nil {
		return err
	}
	var walls []time.Duration
	for i := 0; i < 7; i++ {
		r, err := measure(bin, "convert", "-q", "-f", one, "-o", filepath.Join(tmp, "one-out"))
		if err != nil {
			return err
		}
		walls = append(walls, r.wall)
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	fmt.Printf("\none-file conversion: median %s over %d runs\n", walls[len(walls)/2].Round(100*time.Microsecond), len(walls))
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
		if meta.Kind == "Deployment" {
			obj = &appsv1.Deployment{}
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
