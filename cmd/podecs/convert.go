package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/mapping"
)

// convertOptions are the flags of `podecs convert`.
type convertOptions struct {
	Files       []string
	OutDir      string
	LaunchType  string
	ConfigFile  string
	Strict      bool
	ReportFile  string
	Quiet       bool
	MaxDocBytes int
	// Kind is what an ECS task definition without a service becomes: pod or deployment.
	Kind string
	// ExternalSecrets adds ExternalSecret objects for the Secrets that ECS secrets become.
	ExternalSecrets bool
}

func convertCommand(s streams) *cli.Command {
	var o convertOptions
	return &cli.Command{
		Name:      "convert",
		Usage:     "convert Kubernetes manifests to ECS task definitions and services, and back",
		UsageText: "podecs convert -f PATH [-f PATH ...] [-o DIR] [--launch-type FARGATE|EC2] [--config FILE] [--kind pod|deployment] [--external-secrets] [--strict] [--report FILE]",
		Description: "PATH is a file, a directory (read recursively: .yaml, .yml, .json) or - for standard input.\n" +
			"With -o DIR each workload N writes DIR/N.taskdef.json (the RegisterTaskDefinition input) and,\n" +
			"for Deployments, StatefulSets, DaemonSets and ReplicaSets, DIR/N.service.json (the CreateService\n" +
			"input). Without -o the JSON documents go to standard output. Findings go to standard error.\n" +
			"ECS documents in the input (RegisterTaskDefinition or CreateService inputs, describe-task-definition\n" +
			"or describe-services outputs) are converted to Kubernetes: with -o DIR each workload N writes\n" +
			"DIR/N.yaml (its objects as multi-document YAML); without -o the YAML goes to standard output,\n" +
			"documents separated by ---.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "filename", Aliases: []string{"f"}, Usage: "input file, directory, or - for stdin (repeatable)", Required: true},
			&cli.StringFlag{Name: "output-dir", Aliases: []string{"o"}, Usage: "write one file per object into `DIR` instead of standard output", Destination: &o.OutDir},
			&cli.StringFlag{Name: "launch-type", Usage: "FARGATE or EC2 (default: from --config, else FARGATE)", Destination: &o.LaunchType},
			&cli.StringFlag{Name: "config", Usage: "YAML `FILE` with cluster, network, roles, secret ARNs, EFS volumes, logging (see docs/config.md)", Destination: &o.ConfigFile},
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 when any field is lossy or unsupported", Destination: &o.Strict},
			&cli.StringFlag{Name: "report", Usage: "write all findings as JSON to `FILE`", Destination: &o.ReportFile},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only errors, not findings", Destination: &o.Quiet},
			&cli.IntFlag{Name: "max-document-size", Usage: "largest accepted document in `BYTES`", Value: convert.DefaultMaxDocumentBytes, Destination: &o.MaxDocBytes},
			&cli.StringFlag{Name: "kind", Usage: "what an ECS task definition without a service becomes: pod or deployment", Value: convert.KindPod, Destination: &o.Kind},
			&cli.BoolFlag{Name: "external-secrets", Usage: "with ECS input, add External Secrets Operator ExternalSecrets that fill the Secrets from AWS", Destination: &o.ExternalSecrets},
		},
		Action: func(c *cli.Context) error {
			o.Files = c.StringSlice("filename")
			return runConvert(o, s)
		},
	}
}

func runConvert(o convertOptions, s streams) error {
	cfg, err := loadConfig(o.ConfigFile, o.LaunchType, s)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	o.Kind = strings.ToLower(o.Kind)
	if o.Kind != convert.KindPod && o.Kind != convert.KindDeployment {
		return cli.Exit(fmt.Sprintf("--kind: %q is not pod or deployment", o.Kind), exitBadInput)
	}
	conv := convert.NewConverter(convert.Options{Config: cfg, Reverse: convert.ReverseOptions{Kind: o.Kind, ExternalSecrets: o.ExternalSecrets}})
	if err := readInputs(o.Files, s.In, convert.ReadOptions{MaxDocumentBytes: o.MaxDocBytes}, conv.Add, func(e *convert.DocError) { conv.AddError(e) }); err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	res := conv.Finish()
	printFindings(s.Err, res.Findings, o.Quiet)
	for _, e := range res.Errors {
		fmt.Fprintln(s.Err, "error:", e)
	}
	if o.ReportFile != "" {
		if err := writeReport(o.ReportFile, res); err != nil {
			return cli.Exit(err.Error(), exitBadInput)
		}
	}
	files, err := renderOutputs(res.Outputs, res.Manifests)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if o.OutDir != "" {
		if err := writeFiles(o.OutDir, files); err != nil {
			return cli.Exit(err.Error(), exitBadInput)
		}
	} else {
		for i, f := range files {
			if f.YAML && i > 0 {
				if _, err := io.WriteString(s.Out, "---\n"); err != nil {
					return cli.Exit(err.Error(), exitBadInput)
				}
			}
			if _, err := s.Out.Write(f.Data); err != nil {
				return cli.Exit(err.Error(), exitBadInput)
			}
		}
	}
	if len(res.Errors) > 0 {
		return cli.Exit(fmt.Sprintf("%d document(s) could not be converted", len(res.Errors)), exitBadInput)
	}
	if o.Strict {
		for _, f := range res.Findings {
			if f.Level == mapping.Lossy || f.Level == mapping.Unsupported {
				return cli.Exit("--strict: lossy or unsupported fields found", exitFindings)
			}
		}
	}
	return nil
}

// loadConfig reads --config and applies the flags and environment that override it.
func loadConfig(path, launchType string, s streams) (convert.Config, error) {
	cfg := convert.DefaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("--config: %w", err)
		}
		if cfg, err = convert.ParseConfig(data); err != nil {
			return cfg, fmt.Errorf("%s: %w", path, err)
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

// readInputs reads every input path in order: files as given, directories recursively in sorted
// order (.yaml, .yml, .json), "-" from stdin.
func readInputs(paths []string, stdin io.Reader, ro convert.ReadOptions, fn func(convert.Document), onErr func(*convert.DocError)) error {
	for _, p := range paths {
		if p == "-" {
			if err := convert.ReadDocuments(stdin, "<stdin>", ro, fn, onErr); err != nil {
				return err
			}
			continue
		}
		files, err := expandPath(p)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := readFile(f, ro, fn, onErr); err != nil {
				return err
			}
		}
	}
	return nil
}

func readFile(path string, ro convert.ReadOptions, fn func(convert.Document), onErr func(*convert.DocError)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return convert.ReadDocuments(f, path, ro, fn, onErr)
}

func expandPath(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, path)
			}
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

func printFindings(w io.Writer, fs []convert.Finding, quiet bool) {
	for _, f := range fs {
		if quiet && f.Level != mapping.Error {
			continue
		}
		fmt.Fprintln(w, f.String())
	}
}

func renderOutputs(outs []convert.Output, manifests []convert.Manifest) ([]convert.File, error) {
	var files []convert.File
	for _, o := range outs {
		fs, err := o.Files()
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	for _, m := range manifests {
		fs, err := m.Files()
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	return files, nil
}

// writeFiles writes each file atomically: a temporary file in the same directory, renamed into
// place, so a failed or interrupted run never leaves a half-written file.
func writeFiles(dir string, files []convert.File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(dir, f.Name), f.Data); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// reportEntry is one finding in the --report JSON.
type reportEntry struct {
	File     string        `json:"file"`
	Document int           `json:"document"`
	Item     int           `json:"item,omitempty"`
	Kind     string        `json:"kind,omitempty"`
	Name     string        `json:"name,omitempty"`
	Path     string        `json:"path"`
	Level    mapping.Level `json:"level"`
	Message  string        `json:"message"`
}

func writeReport(path string, res convert.Result) error {
	entries := []reportEntry{}
	for _, f := range res.Findings {
		entries = append(entries, reportEntry{f.Doc.Source, f.Doc.Index, f.Doc.Item, f.Doc.Kind, f.Doc.Name, f.Path, f.Level, f.Message})
	}
	for _, e := range res.Errors {
		var de *convert.DocError
		if errors.As(e, &de) {
			entries = append(entries, reportEntry{de.Doc.Source, de.Doc.Index, de.Doc.Item, de.Doc.Kind, de.Doc.Name, de.Path, mapping.Error, de.Err.Error()})
		}
	}
	data, err := json.MarshalIndent(map[string]any{"findings": entries}, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(data, '\n'))
}
