package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/diff"
	"github.com/podecs/podecs/ecsapi"
)

// exitDifferences is the exit code of `podecs diff` when the sides differ (as diff(1)).
const exitDifferences = 1

// diffOptions are the flags and arguments of `podecs diff`.
type diffOptions struct {
	Left, Right string
	Format      string
	Output      string
	ConfigFile  string
	LaunchType  string
	NoColor     bool
	// Verbose prints the workloads read on each side and the ECS API calls.
	Verbose     bool
	MaxDocBytes int
	// Live mode: the right side is what runs in Cluster.
	Cluster     string
	Services    []string
	Region      string
	Profile     string
	EndpointURL string
	// Sources are --parameter, --var and --var-file.
	Sources sourceFlagValues
}

func diffCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:  "diff",
		Usage: "compare workloads across Kubernetes manifests, ECS JSON and a live ECS cluster",
		UsageText: "podecs diff LEFT RIGHT [--format text|json|markdown|html] [-o FILE] [--config FILE] [--launch-type FARGATE|EC2|auto] [-q|-v] [--no-color]\n" +
			"podecs diff LEFT --cluster NAME [--service NAME ...] [--region REGION] [--profile NAME] [--endpoint-url URL] [...]",
		Description: "LEFT and RIGHT are files or directories (read recursively) or - for standard input, holding\n" +
			"Kubernetes manifests or ECS definitions in any form convert reads (API inputs, describe outputs and\n" +
			"console JSON, CloudFormation/CDK templates, Terraform modules, ecspresso projects) in any mix;\n" +
			"--parameter, --var and --var-file give what templates and modules refer to. Kubernetes workloads\n" +
			"are converted as `podecs convert` converts them (same --config and --launch-type); both sides are then compared in ECS form, with defaults filled\n" +
			"in and list order ignored where it carries no meaning. Workloads are paired by their ECS name.\n" +
			"With --cluster the right side is what runs on ECS: the services named by --service, or else the\n" +
			"services (and, for workloads without one, the latest task definition of the family) named like\n" +
			"the workloads of LEFT. Exit status: 0 no differences, 1 differences, 2 trouble (see docs/diff.md).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "format", Value: string(diff.FormatText), Usage: "report `FORMAT`: text, json, markdown or html"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of standard output (- is standard output)"},
			&cli.StringFlag{Name: "config", Usage: "YAML `FILE` the Kubernetes side is converted with (see docs/config.md)"},
			&cli.StringFlag{Name: "launch-type", Usage: "FARGATE, EC2 or auto for the Kubernetes side (default: from --config, else FARGATE)"},
			&cli.IntFlag{Name: "max-document-size", Usage: "largest accepted document in `BYTES`", Value: convert.DefaultMaxDocumentBytes},
			&cli.StringFlag{Name: "cluster", Usage: "compare LEFT with what runs in the ECS cluster `NAME`"},
			&cli.StringSliceFlag{Name: "service", Usage: "with --cluster: compare only the service `NAME` (repeatable)"},
			&cli.StringFlag{Name: "region", Usage: "with --cluster: the AWS `REGION` (default: AWS_REGION or the profile's)"},
			&cli.StringFlag{Name: "profile", Usage: "with --cluster: the AWS shared config profile `NAME`"},
			&cli.StringFlag{Name: "endpoint-url", Usage: "with --cluster: send ECS API calls to `URL` (an emulator, a VPC endpoint)"},
		}, append(sourceFlags(), outputFlags()...)...),
		Action: func(c *cli.Context) error {
			args, err := trailingFlags(c)
			if err != nil {
				return cli.Exit(err.Error(), exitBadInput)
			}
			m, err := outputModeOf(c, s)
			if err != nil {
				return err
			}
			o := diffOptions{
				Format: c.String("format"), Output: c.String("output"), ConfigFile: c.String("config"),
				LaunchType: c.String("launch-type"), NoColor: c.Bool("no-color"), Verbose: m.Verbose,
				MaxDocBytes: c.Int("max-document-size"), Cluster: c.String("cluster"), Services: c.StringSlice("service"),
				Region: c.String("region"), Profile: c.String("profile"), EndpointURL: c.String("endpoint-url"),
				Sources: sourceFlagsOf(c),
			}
			switch {
			case o.Cluster != "" && len(args) == 1:
				o.Left = args[0]
			case o.Cluster == "" && len(args) == 2:
				o.Left, o.Right = args[0], args[1]
			case o.Cluster != "":
				return cli.Exit(fmt.Sprintf("with --cluster give one path, LEFT (got %d arguments)", len(args)), exitBadInput)
			default:
				return cli.Exit(fmt.Sprintf("give two paths, LEFT and RIGHT, or LEFT and --cluster NAME (got %d arguments)", len(args)), exitBadInput)
			}
			return runDiff(c.Context, o, s)
		},
	}
}

func runDiff(ctx context.Context, o diffOptions, s streams) error {
	format, err := diff.ParseFormat(o.Format)
	if err != nil {
		return cli.Exit("--format: "+err.Error(), exitBadInput)
	}
	if o.Cluster == "" && (len(o.Services) > 0 || o.Region != "" || o.Profile != "" || o.EndpointURL != "") {
		return cli.Exit("--service, --region, --profile and --endpoint-url need --cluster", exitBadInput)
	}
	if o.Left == "-" && o.Right == "-" {
		return cli.Exit("only one side can be read from standard input", exitBadInput)
	}
	if err := stdinOnce(o.ConfigFile, o.Left, o.Right); err != nil {
		return err
	}
	env := s
	if o.Region != "" {
		// --region is where the live side runs; the conversion uses it unless --config says otherwise.
		env.Getenv = func(k string) string {
			if k == "AWS_REGION" {
				return o.Region
			}
			return getenv(s, k)
		}
	}
	cfg, err := loadConfig(o.ConfigFile, o.LaunchType, env)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if o.Cluster != "" {
		cfg.Cluster = o.Cluster
	}
	so, err := sourceOptions(o.Sources, cfg.Region, s)
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	ro := convert.ReadOptions{MaxDocumentBytes: o.MaxDocBytes, Sources: so}
	left, err := readDiffSide(o.Left, cfg, ro, o.Verbose, s)
	if err != nil {
		return err
	}
	var right diff.Side
	if o.Cluster != "" {
		right, left, err = liveDiffSide(ctx, o, left, s)
	} else {
		right, err = readDiffSide(o.Right, cfg, ro, o.Verbose, s)
	}
	if err != nil {
		return err
	}
	rep := diff.Compare(left, right)
	if err := writeDiffReport(o, format, rep, s); err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if rep.HasDifferences() {
		return cli.Exit("", exitDifferences)
	}
	return nil
}

// readDiffSide reads one path into a side. Documents that cannot be read or converted are
// printed and end the run: a comparison without them would report their workloads as missing.
func readDiffSide(path string, cfg convert.Config, ro convert.ReadOptions, verbose bool, s streams) (diff.Side, error) {
	l := diff.NewLoader(convert.Options{Config: cfg})
	if err := readInputs([]string{path}, s.In, ro, l.Add, func(e *convert.DocError) { l.AddError(e) }); err != nil {
		return diff.Side{}, cli.Exit(err.Error(), exitBadInput)
	}
	label := inputName(path)
	side, findings, errs := l.Finish(label)
	if verbose {
		fmt.Fprintf(s.Err, "%s: %d workload(s) read\n", label, len(side.Workloads))
	}
	if len(errs) > 0 {
		printFindings(s.Err, findings, true)
		for _, e := range errs {
			fmt.Fprintln(s.Err, "error:", e)
		}
		return side, cli.Exit(fmt.Sprintf("%s: %d document(s) could not be compared", label, len(errs)), exitBadInput)
	}
	return side, nil
}

// liveDiffSide reads the right side from the cluster and returns it with the left side narrowed
// to the services asked for, if any.
func liveDiffSide(ctx context.Context, o diffOptions, left diff.Side, s streams) (diff.Side, diff.Side, error) {
	q := diff.LiveQuery{Cluster: o.Cluster, Services: o.Services}
	if len(o.Services) > 0 {
		var kept []diff.Workload
		for _, w := range left.Workloads {
			if slices.Contains(o.Services, w.Name) {
				kept = append(kept, w)
			}
		}
		left.Workloads = kept
	} else {
		for _, w := range left.Workloads {
			if w.Service != nil {
				q.Services = append(q.Services, w.Name)
			} else {
				q.Families = append(q.Families, aws.ToString(w.TaskDefinition.Family))
			}
		}
	}
	client, err := ecsapi.NewClient(ctx, ecsapi.Options{Region: o.Region, Profile: o.Profile, EndpointURL: o.EndpointURL})
	if err != nil {
		return diff.Side{}, left, cli.Exit(err.Error(), exitBadInput)
	}
	right, err := diff.Live(ctx, withVerbose(client, o.Verbose, s.Err), q)
	if err != nil {
		return right, left, cli.Exit(err.Error(), exitBadInput)
	}
	return right, left, nil
}

// writeDiffReport renders the report to -o FILE (written atomically) or standard output (no -o,
// or -o -).
func writeDiffReport(o diffOptions, f diff.Format, rep diff.Report, s streams) error {
	ro := diff.RenderOptions{Color: diffUseColor(o, s)}
	var b bytes.Buffer
	if err := diff.Render(&b, rep, f, ro); err != nil {
		return err
	}
	if o.Output != "" && o.Output != "-" {
		return writeAtomic(o.Output, b.Bytes())
	}
	_, err := s.Out.Write(b.Bytes())
	return err
}

// diffUseColor: colours only on a terminal, and never with -o, --no-color or NO_COLOR set (to
// anything but the empty string, as no-color.org asks).
func diffUseColor(o diffOptions, s streams) bool {
	return (o.Output == "" || o.Output == "-") && !noColor(o.NoColor, s) && s.terminal(s.Out)
}
