package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/mapping"
	"github.com/podecs/podecs/render"
)

// convertOptions are the flags of `podecs convert`.
type convertOptions struct {
	Files      []string
	OutDir     string
	LaunchType string
	ConfigFile string
	Strict     bool
	ReportFile string
	// Quiet prints errors only; Verbose also the files read and written, and always a summary.
	Quiet       bool
	Verbose     bool
	MaxDocBytes int
	// MaxInputBytes bounds the bytes read over all inputs.
	MaxInputBytes int64
	// Jobs is how many documents are converted at once (0: one per CPU).
	Jobs int
	// CPUProfile and MemProfile are pprof output files (hidden flags, for profiling).
	CPUProfile, MemProfile string
	// Kind is what an ECS task definition without a service becomes: pod or deployment.
	Kind string
	// ExternalSecrets adds ExternalSecret objects for the Secrets that ECS secrets become.
	ExternalSecrets bool
	// Format is the output format (api, terraform, cloudformation, helm, kustomize);
	// OutputFormat yaml or json for the CloudFormation template.
	Format, OutputFormat string
	// isTTY decides whether standard error gets a progress bar; progressDelay is how long a run
	// goes before the bar appears. Tests set both.
	isTTY         func(io.Writer) bool
	progressDelay time.Duration
	// Sources are --parameter, --var and --var-file.
	Sources sourceFlagValues
	// Region is AWS::Region of CloudFormation templates.
	Region string
}

func convertCommand(s streams) *cli.Command {
	o := convertOptions{isTTY: s.terminal, progressDelay: time.Second}
	return &cli.Command{
		Name:      "convert",
		Usage:     "convert Kubernetes manifests to ECS task definitions and services, and back",
		UsageText: "podecs convert -f PATH [-f PATH ...] [-o DIR] [--format api|terraform|cloudformation|helm|kustomize] [--launch-type FARGATE|EC2] [--config FILE] [--kind pod|deployment] [--external-secrets] [--strict] [--report FILE] [-j N] [-q|-v] [--parameter KEY=VALUE ...] [--region REGION] [--var NAME=VALUE ...] [--var-file FILE ...] [--ext-str KEY=VALUE ...] [--ext-code KEY=CODE ...]",
		Description: "PATH is a file, a directory (read recursively: .yaml, .yml, .json, .jsonnet, .tf) or - for\n" +
			"standard input; --config - reads the config from standard input instead. With -o DIR each\n" +
			"Kubernetes workload N writes:\n" +
			"  DIR/N.taskdef.json      always: the RegisterTaskDefinition input\n" +
			"  DIR/N.service.json      Deployments, StatefulSets, DaemonSets, ReplicaSets: the CreateService input\n" +
			"  DIR/N.runtask.json      Jobs: the RunTask input\n" +
			"  DIR/N.schedule.json     CronJobs: the EventBridge Scheduler CreateSchedule input\n" +
			"                          (and DIR/N-2.schedule.json, ... when the cron line needs more than one)\n" +
			"  DIR/N.scaling.json      workloads a HorizontalPodAutoscaler scales: the Application Auto Scaling\n" +
			"                          RegisterScalableTarget and PutScalingPolicy inputs\n" +
			"  DIR/N.targetgroup.json  services with a load balancer whose container has a readiness probe:\n" +
			"                          the target group health check settings\n" +
			"Without -o the JSON documents go to standard output, in that order. Findings go to standard error.\n" +
			"ECS documents in the input (RegisterTaskDefinition or CreateService inputs, describe-task-definition\n" +
			"or describe-services outputs, and the RunTask, schedule, scaling and target group files above) are\n" +
			"converted to Kubernetes: with -o DIR each workload N writes DIR/N.yaml (its objects as\n" +
			"multi-document YAML); without -o the YAML goes to standard output, documents separated by ---.\n" +
			"ECS definitions are also read where they are kept: the console's task definition JSON (read-only\n" +
			"members ignored); CloudFormation templates and cdk synth output (a directory cdk.out gives its\n" +
			"*.template.json), with --parameter KEY=VALUE and --region for parameters and pseudo parameters;\n" +
			"Terraform modules (the .tf files of a directory, and the local modules they call) with --var\n" +
			"NAME=VALUE, --var-file FILE, terraform.tfvars and *.auto.tfvars; ecspresso projects (ecspresso.yml,\n" +
			"or any config with a top-level task_definition, and the definitions it names; Jsonnet evaluated\n" +
			"with --ext-str and --ext-code, env and must_env from the environment). Values known only after\n" +
			"deployment stay as placeholders in the source's syntax (${TaskRole.Arn}, ${aws_iam_role.x.arn}),\n" +
			"each with a warning.\n" +
			"A batch (several files, a directory or standard input) is read once to index the objects\n" +
			"workloads refer to, then converted on -j workers; outputs and findings keep the input order.\n" +
			"On a terminal a progress bar shows on standard error, and a batch ends with a summary.\n" +
			"--format writes what teams deploy instead of the API's JSON (files for the whole run, written at the end):\n" +
			"  terraform       Kubernetes input: DIR/main.tf, variables.tf, outputs.tf (needs -o)\n" +
			"  cloudformation  Kubernetes input: DIR/template.yaml (template.json with --output-format json),\n" +
			"                  or the template on standard output\n" +
			"  helm            ECS input: a chart, DIR/Chart.yaml, values.yaml, templates/N.yaml (needs -o)\n" +
			"  kustomize       ECS input: a base, DIR/kustomization.yaml and DIR/N.yaml (needs -o)\n" +
			"A document the format does not apply to (ECS input with terraform, say) is a usage error.",
		Flags: append([]cli.Flag{
			&cli.StringSliceFlag{Name: "filename", Aliases: []string{"f"}, Usage: "input file, directory, or - for stdin (repeatable)"},
			&cli.StringFlag{Name: "output-dir", Aliases: []string{"o"}, Usage: "write one file per object into `DIR` instead of standard output", Destination: &o.OutDir},
			&cli.StringFlag{Name: "launch-type", Usage: "FARGATE or EC2 (default: from --config, else FARGATE)", Destination: &o.LaunchType},
			&cli.StringFlag{Name: "config", Usage: "YAML `FILE` with cluster, network, roles, secret ARNs, EFS volumes, logging (see docs/config.md), or - for stdin", Destination: &o.ConfigFile},
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 when any field is lossy or unsupported", Destination: &o.Strict},
			&cli.StringFlag{Name: "report", Usage: "write all findings as JSON to `FILE`", Destination: &o.ReportFile},
			&cli.IntFlag{Name: "max-document-size", Usage: "largest accepted document in `BYTES`", Value: convert.DefaultMaxDocumentBytes, Destination: &o.MaxDocBytes},
			&cli.Int64Flag{Name: "max-input-size", Usage: "largest accepted input in `BYTES`, over all files together", Value: convert.DefaultMaxInputBytes, Destination: &o.MaxInputBytes},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "convert `N` documents at once (0: one per CPU)", Destination: &o.Jobs},
			&cli.StringFlag{Name: "cpuprofile", Hidden: true, Destination: &o.CPUProfile},
			&cli.StringFlag{Name: "memprofile", Hidden: true, Destination: &o.MemProfile},
			&cli.StringFlag{Name: "kind", Usage: "what an ECS task definition without a service becomes: pod or deployment", Value: convert.KindPod, Destination: &o.Kind},
			&cli.BoolFlag{Name: "external-secrets", Usage: "with ECS input, add External Secrets Operator ExternalSecrets that fill the Secrets from AWS", Destination: &o.ExternalSecrets},
			&cli.StringFlag{Name: "region", Usage: "CloudFormation: the `REGION` of AWS::Region (default: from --config, else AWS_REGION)", Destination: &o.Region},
			&cli.StringFlag{Name: "format", Usage: "output `FORMAT`: api (the ECS API's JSON, or plain manifests), terraform, cloudformation, helm or kustomize", Value: string(render.API), Destination: &o.Format},
			&cli.StringFlag{Name: "output-format", Usage: "the CloudFormation template as yaml or json", Value: "yaml", Destination: &o.OutputFormat},
		}, append(sourceFlags(), outputFlags()...)...),
		Action: func(c *cli.Context) error {
			m, err := outputModeOf(c, s)
			if err != nil {
				return err
			}
			o.Quiet, o.Verbose = m.Quiet, m.Verbose
			o.Files = c.StringSlice("filename")
			o.Sources = sourceFlagsOf(c)
			if err := requirePaths(o.Files); err != nil {
				return err
			}
			return runConvert(o, s)
		},
	}
}

func runConvert(o convertOptions, s streams) (err error) {
	if err := stdinOnce(o.ConfigFile, o.Files...); err != nil {
		return err
	}
	cfg, err := loadConfig(o.ConfigFile, o.LaunchType, s)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	o.Kind = strings.ToLower(o.Kind)
	if o.Kind != convert.KindPod && o.Kind != convert.KindDeployment {
		return cli.Exit(fmt.Sprintf("--kind: %q is not pod or deployment", o.Kind), exitBadInput)
	}
	if o.Jobs < 0 {
		return cli.Exit(fmt.Sprintf("--jobs: %d is negative", o.Jobs), exitBadInput)
	}
	format, err := checkFormat(o)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	stop, err := startProfiles(o.CPUProfile, o.MemProfile)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	defer func() {
		if perr := stop(); perr != nil && err == nil {
			err = cli.Exit(perr.Error(), exitBadInput)
		}
	}()
	so, err := sourceOptions(o.Sources, cfg.Region, s)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	inputs, isBatch, err := listInputs(o.Files, s.In, so)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if o.Verbose {
		for _, in := range inputs {
			fmt.Fprintf(s.Err, "reading %s\n", in.Name)
		}
	}
	r, err := newConvertRun(o, s, isBatch)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	r.collector = render.NewCollector(format, render.Options{Config: cfg, JSON: strings.EqualFold(o.OutputFormat, "json"), Name: filepath.Base(filepath.Clean(o.OutDir))})
	defer r.close()
	spool, err := newFileSpool()
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	defer spool.remove()
	bo := convert.BatchOptions{
		Options:       convert.Options{Config: cfg, Reverse: convert.ReverseOptions{Kind: o.Kind, ExternalSecrets: o.ExternalSecrets}},
		Read:          convert.ReadOptions{MaxDocumentBytes: o.MaxDocBytes, Sources: so},
		MaxInputBytes: o.MaxInputBytes,
		Jobs:          o.Jobs,
		Spool:         spool,
	}
	if format != render.API {
		bo.Check = format.Check
	}
	if err := convert.Batch(inputs, bo, convert.BatchHandler{Item: r.item, Progress: r.progress}); err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if err := r.finish(); err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if n := r.sum.failed(); n > 0 {
		return cli.Exit(fmt.Sprintf("%d document(s) could not be converted", n), exitBadInput)
	}
	if o.Strict && r.sum.lossy() {
		return cli.Exit("--strict: lossy or unsupported fields found", exitFindings)
	}
	return nil
}

// checkFormat checks --format and --output-format against each other and -o.
func checkFormat(o convertOptions) (render.Format, error) {
	if o.Format == "" {
		o.Format = string(render.API)
	}
	if o.OutputFormat == "" {
		o.OutputFormat = "yaml"
	}
	f, err := render.ParseFormat(o.Format)
	if err != nil {
		return "", fmt.Errorf("--format: %w", err)
	}
	switch of := strings.ToLower(o.OutputFormat); {
	case of != "yaml" && of != "json":
		return "", fmt.Errorf("--output-format: %q is not yaml or json", o.OutputFormat)
	case of == "json" && f != render.CloudFormation:
		return "", fmt.Errorf("--output-format json applies to --format cloudformation only")
	}
	if f.NeedsDir() && o.OutDir == "" {
		return "", fmt.Errorf("--format %s writes several files: give the directory with -o DIR", f)
	}
	return f, nil
}

// loadConfig reads --config (- for standard input) and applies the flags and environment that
// override it.
func loadConfig(path, launchType string, s streams) (convert.Config, error) {
	cfg := convert.DefaultConfig()
	if path != "" {
		data, err := readConfigFile(path, s.In)
		if err != nil {
			return cfg, fmt.Errorf("--config: %w", err)
		}
		if cfg, err = convert.ParseConfig(data); err != nil {
			return cfg, fmt.Errorf("%s: %w", inputName(path), err)
		}
	}
	if launchType != "" {
		cfg.LaunchType = strings.ToUpper(launchType)
	}
	if cfg.Region == "" && s.Getenv != nil {
		cfg.Region = s.Getenv("AWS_REGION")
		if cfg.Region == "" {
			cfg.Region = s.Getenv("AWS_DEFAULT_REGION")
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// maxConfigBytes bounds a --config read from standard input; a config file is a few kilobytes.
const maxConfigBytes = 16 << 20

func readConfigFile(path string, stdin io.Reader) ([]byte, error) {
	if path != "-" {
		return os.ReadFile(path)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("standard input: more than %d bytes", maxConfigBytes)
	}
	return data, nil
}

func printFindings(w io.Writer, fs []convert.Finding, quiet bool) {
	for _, f := range fs {
		if quiet && f.Level != mapping.Error {
			continue
		}
		fmt.Fprintln(w, f.String())
	}
}

func writeAtomic(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeTemp writes data to a temporary file next to path and returns its name.
func writeTemp(path string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", path, werr)
	}
	return tmp.Name(), nil
}

// reportEntry is one finding in the --report JSON.
type reportEntry struct {
	File     string        `json:"file"`
	Document int           `json:"document"`
	Item     int           `json:"item,omitempty"`
	Resource string        `json:"resource,omitempty"`
	Kind     string        `json:"kind,omitempty"`
	Name     string        `json:"name,omitempty"`
	Path     string        `json:"path"`
	Level    mapping.Level `json:"level"`
	Message  string        `json:"message"`
}

func findingEntry(f convert.Finding) reportEntry {
	return reportEntry{f.Doc.Source, f.Doc.Index, f.Doc.Item, f.Doc.Resource, f.Doc.Kind, f.Doc.Name, f.Path, f.Level, f.Message}
}

func errorEntry(err error) reportEntry {
	var de *convert.DocError
	if errors.As(err, &de) {
		return reportEntry{de.Doc.Source, de.Doc.Index, de.Doc.Item, de.Doc.Resource, de.Doc.Kind, de.Doc.Name, de.Path, mapping.Error, de.Err.Error()}
	}
	return reportEntry{Level: mapping.Error, Message: err.Error()}
}

// fileSpool is the batch spool: a temporary file, unlinked at once where the system allows it
// (the open file stays usable), else removed at the end.
type fileSpool struct {
	f        *os.File
	unlinked bool
}

func newFileSpool() (*fileSpool, error) {
	f, err := os.CreateTemp("", "podecs-spool-*")
	if err != nil {
		return nil, fmt.Errorf("temporary spool: %w", err)
	}
	return &fileSpool{f: f, unlinked: os.Remove(f.Name()) == nil}, nil
}

func (s *fileSpool) Write(p []byte) (int, error) { return s.f.Write(p) }

func (s *fileSpool) Rewind() (io.Reader, error) {
	_, err := s.f.Seek(0, io.SeekStart)
	return s.f, err
}

func (s *fileSpool) remove() {
	_ = s.f.Close()
	if !s.unlinked {
		_ = os.Remove(s.f.Name())
	}
}

// convertRun writes what a batch gives as it comes: findings and errors to standard error, files to
// the output directory (or standard output), entries to the report; and keeps the summary.
type convertRun struct {
	o       convertOptions
	errw    *bufio.Writer
	out     *bufio.Writer
	files   *fileWriter
	bar     *progressBar
	sum     *summary
	rep     *reportWriter
	isBatch bool
	// collector renders the whole run for the formats other than api; its files are written
	// at the end.
	collector render.Collector
	// stdoutDocs counts the documents written to standard output.
	stdoutDocs int
}

func newConvertRun(o convertOptions, s streams, isBatch bool) (*convertRun, error) {
	r := &convertRun{o: o, errw: bufio.NewWriterSize(s.Err, 64<<10), out: bufio.NewWriterSize(s.Out, 256<<10), sum: newSummary(), isBatch: isBatch}
	// No bar when the JSON goes to the same terminal: the two would mix on the screen.
	tty := o.isTTY != nil && o.isTTY(s.Err) && (o.OutDir != "" || !o.isTTY(s.Out))
	r.bar = newProgressBar(r.errw, tty && !o.Quiet, o.progressDelay, time.Now)
	if o.OutDir != "" {
		if err := prepareOutDir(o.OutDir); err != nil {
			return nil, err
		}
		r.files = newFileWriter(o.OutDir, fileWriters)
	}
	if o.ReportFile != "" {
		rep, err := newReportWriter(o.ReportFile)
		if err != nil {
			r.files.wait()
			return nil, err
		}
		r.rep = rep
	}
	return r, nil
}

// prepareOutDir creates the output directory and checks that files can be created in it, so that
// an unwritable directory fails before any conversion.
func prepareOutDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".podecs-check*")
	if err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, err)
	}
	_ = f.Close()
	return os.Remove(f.Name())
}

// item prints the findings and errors of one item and writes its files.
func (r *convertRun) item(it convert.Item) error {
	if r.collector != nil && (it.Output != nil || it.Manifest != nil) && len(it.Errors) == 0 {
		// A workload the format cannot write is a document that cannot be converted.
		if err := r.collector.Add(it); err != nil {
			it.Errors = append(it.Errors, &convert.DocError{Doc: it.Doc, Err: err})
			it.Output, it.Manifest = nil, nil
		}
	}
	for _, f := range it.Findings {
		if !r.o.Quiet || f.Level == mapping.Error {
			r.bar.clear()
			r.errw.WriteString(f.String())
			r.errw.WriteByte('\n')
		}
		r.rep.add(findingEntry(f))
	}
	for _, e := range it.Errors {
		r.bar.clear()
		fmt.Fprintln(r.errw, "error:", e)
		r.rep.add(errorEntry(e))
	}
	r.sum.add(it)
	if r.collector != nil {
		return nil
	}
	for _, f := range it.Files {
		if err := r.writeFile(f); err != nil {
			return err
		}
	}
	if r.o.Verbose && len(it.Files) > 0 {
		r.bar.clear()
		r.errw.WriteString(r.wrote(it) + "\n")
	}
	return nil
}

// wrote says where the files of an item went, for --verbose: "wrote out/web.taskdef.json,
// out/web.service.json (app.yaml: doc 2 Deployment/web)".
func (r *convertRun) wrote(it convert.Item) string {
	names := make([]string, len(it.Files))
	for i, f := range it.Files {
		names[i] = f.Name
		if r.files != nil {
			names[i] = filepath.Join(r.o.OutDir, f.Name)
		}
	}
	where := ""
	if r.files == nil {
		where = " to standard output"
	}
	return fmt.Sprintf("wrote %s%s (%s)", strings.Join(names, ", "), where, it.Doc)
}

func (r *convertRun) writeFile(f convert.File) error {
	if r.files != nil {
		return r.files.write(f)
	}
	r.bar.clear() // standard output may be the same terminal
	if f.YAML && r.stdoutDocs > 0 {
		r.out.WriteString("---\n")
	}
	if _, err := r.out.Write(f.Data); err != nil {
		return fmt.Errorf("standard output: %w", err)
	}
	r.stdoutDocs++
	return nil
}

// fileWriters is how many output files are written at once: writing is mostly waiting for the
// file system, which overlaps with converting the next workloads.
const fileWriters = 4

// fileWriter writes output files atomically on several goroutines. A workload's files are handed
// over at its turn, in input order, and written while the next workloads convert; the first
// error is kept, and returned by the next write and by wait.
type fileWriter struct {
	dir     string
	queue   chan convert.File
	closed  bool
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
	written atomic.Int64
}

func newFileWriter(dir string, workers int) *fileWriter {
	queue := make(chan convert.File, 16*workers)
	w := &fileWriter{dir: dir, queue: queue}
	for range workers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for f := range queue {
				if w.failed() != nil {
					continue
				}
				if err := writeAtomic(filepath.Join(w.dir, f.Name), f.Data); err != nil {
					w.mu.Lock()
					if w.err == nil {
						w.err = err
					}
					w.mu.Unlock()
					continue
				}
				w.written.Add(1)
			}
		}()
	}
	return w
}

func (w *fileWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *fileWriter) write(f convert.File) error {
	if err := w.failed(); err != nil {
		return err
	}
	w.queue <- f
	return nil
}

// wait writes what is queued and returns the first error.
func (w *fileWriter) wait() error {
	if w == nil {
		return nil
	}
	if !w.closed {
		close(w.queue)
		w.closed = true
	}
	w.wg.Wait()
	return w.failed()
}

func (r *convertRun) progress(p convert.Progress) {
	r.sum.progress(p)
	r.bar.update(p)
}

// finish waits for the files, prints the summary of a batch and completes the report.
func (r *convertRun) finish() error {
	r.bar.clear()
	if err := r.writeCollected(); err != nil {
		return err
	}
	if err := r.files.wait(); err != nil {
		return err
	}
	if err := r.out.Flush(); err != nil {
		return fmt.Errorf("standard output: %w", err)
	}
	r.sum.files = r.stdoutDocs
	if r.files != nil {
		r.sum.files = int(r.files.written.Load())
	}
	if (r.isBatch || r.o.Verbose) && !r.o.Quiet {
		r.sum.print(r.errw, r.o.OutDir)
	}
	if r.rep != nil {
		err := r.rep.finish(r.sum.json())
		r.rep = nil
		return err
	}
	return nil
}

// writeCollected renders the run in the collector's format and writes its files: all of them or,
// when one cannot be written, none (each goes to a temporary file first, renamed into place once
// every file is written). Without -o the one file goes to standard output.
func (r *convertRun) writeCollected() error {
	if r.collector == nil {
		return nil
	}
	files, err := r.collector.Files()
	if err != nil {
		return err
	}
	if r.files == nil {
		for _, f := range files {
			if err := r.writeFile(f); err != nil {
				return err
			}
		}
		return nil
	}
	var tmps []string
	defer func() {
		for _, t := range tmps {
			_ = os.Remove(t)
		}
	}()
	for _, f := range files {
		path := filepath.Join(r.o.OutDir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		tmp, err := writeTemp(path, f.Data)
		if err != nil {
			return err
		}
		tmps = append(tmps, tmp)
	}
	for i, f := range files {
		path := filepath.Join(r.o.OutDir, filepath.FromSlash(f.Name))
		if err := os.Rename(tmps[i], path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		r.files.written.Add(1)
		if r.o.Verbose {
			fmt.Fprintf(r.errw, "wrote %s\n", path)
		}
	}
	tmps = nil
	return nil
}

func (r *convertRun) close() {
	r.bar.clear()
	_ = r.files.wait()
	r.rep.abort()
	_ = r.out.Flush()
	_ = r.errw.Flush()
}

// reportWriter streams the --report JSON into a temporary file next to it, renamed into place
// when complete: {"findings": [...], "summary": {...}}.
type reportWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
	n    int
	err  error
}

func newReportWriter(path string) (*reportWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("--report: %w", err)
	}
	r := &reportWriter{path: path, f: f, w: bufio.NewWriter(f)}
	r.w.WriteString("{\n  \"findings\": [")
	return r, nil
}

func (r *reportWriter) add(e reportEntry) {
	if r == nil || r.err != nil {
		return
	}
	data, err := json.MarshalIndent(e, "    ", "  ")
	if err != nil {
		r.err = err
		return
	}
	if r.n > 0 {
		r.w.WriteByte(',')
	}
	r.w.WriteString("\n    ")
	_, r.err = r.w.Write(data)
	r.n++
}

func (r *reportWriter) finish(summary any) error {
	if r.n > 0 {
		r.w.WriteString("\n  ")
	}
	r.w.WriteString("],\n  \"summary\": ")
	data, err := json.MarshalIndent(summary, "  ", "  ")
	if r.err == nil {
		r.err = err
	}
	r.w.Write(data)
	r.w.WriteString("\n}\n")
	if r.err == nil {
		r.err = r.w.Flush()
	}
	if cerr := r.f.Close(); r.err == nil {
		r.err = cerr
	}
	if r.err == nil {
		r.err = os.Chmod(r.f.Name(), 0o644)
	}
	if r.err == nil {
		r.err = os.Rename(r.f.Name(), r.path)
	}
	if r.err != nil {
		_ = os.Remove(r.f.Name())
		return fmt.Errorf("--report %s: %w", r.path, r.err)
	}
	return nil
}

func (r *reportWriter) abort() {
	if r == nil {
		return
	}
	_ = r.f.Close()
	_ = os.Remove(r.f.Name())
}

// startProfiles starts the CPU profile and returns the function that ends it and writes the heap
// profile.
func startProfiles(cpu, mem string) (func() error, error) {
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
	}
	return func() error {
		if f != nil {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				return err
			}
		}
		if mem == "" {
			return nil
		}
		m, err := os.Create(mem)
		if err != nil {
			return err
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(m); err != nil {
			m.Close()
			return err
		}
		return m.Close()
	}, nil
}
