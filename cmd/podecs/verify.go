package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/ecsapi"
	"github.com/podecs/podecs/verify"
)

// verifyOptions are the flags of `podecs verify`: those of register that read the inputs and
// select the account, and the report's format.
type verifyOptions struct {
	registerOptions
	Format  string
	Strict  bool
	NoColor bool
}

// verifyConcurrency is how many AWS look-ups verify makes at once.
const verifyConcurrency = 8

func verifyCommand(s streams) *cli.Command {
	var o verifyOptions
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "filename", Aliases: []string{"f"}, Usage: "Kubernetes manifests or ECS JSON: a file, a directory, or - for stdin (repeatable)"},
		&cli.StringFlag{Name: "cluster", Usage: "ECS cluster `NAME` of the services (overrides --config and the service documents)", Destination: &o.Cluster},
		&cli.StringFlag{Name: "launch-type", Usage: "FARGATE or EC2 for converted manifests (default: from --config, else FARGATE)", Destination: &o.LaunchType},
		&cli.StringFlag{Name: "config", Usage: "YAML `FILE` with cluster, network, roles, secret ARNs, EFS volumes, logging (see docs/config.md), or - for stdin", Destination: &o.ConfigFile},
		&cli.StringFlag{Name: "format", Usage: "report `FORMAT`: text or json", Value: "text", Destination: &o.Format},
		&cli.BoolFlag{Name: "strict", Usage: "exit 1 also when a resource could not be checked (not checked)", Destination: &o.Strict},
	}
	return &cli.Command{
		Name:  "verify",
		Usage: "check that the AWS resources the ECS inputs refer to exist and fit, without changing anything",
		UsageText: "podecs verify -f PATH [-f PATH ...] [--config FILE] [--cluster NAME] [--launch-type FARGATE|EC2]\n" +
			"   [--region R] [--profile P] [--endpoint-url URL] [--format text|json] [--strict] [-q|-v]",
		Description: "Converts Kubernetes manifests (or reads ECS JSON) exactly as `podecs register` does, and checks\n" +
			"with read-only AWS calls every AWS resource the result refers to: the cluster and its capacity,\n" +
			"the execution and task roles and their trust of ecs-tasks.amazonaws.com, what the execution role\n" +
			"may read, Secrets Manager secrets and SSM parameters (described, never read), awslogs log groups,\n" +
			"ECR images, subnets and security groups, the route to the internet, target groups, Service\n" +
			"Connect namespaces, service registries, EFS file systems, access points and mount targets.\n" +
			"One line per check (ok, warning, fail, not checked), grouped by workload, then a summary;\n" +
			"--format json gives {\"checks\": [...], \"summary\": {...}}. Exit status: 0 every check ok or not\n" +
			"checked, 1 a warning and no failure (--strict: also a check not made), 2 a failure, an AWS error\n" +
			"or bad input. See docs/register.md for the checks, their calls and the IAM permissions they need.",
		Flags: append(append(flags, awsFlags(&o.Region, &o.Profile, &o.EndpointURL, &o.Timeout)...), outputFlags()...),
		Action: func(c *cli.Context) error {
			m, err := outputModeOf(c, s)
			if err != nil {
				return err
			}
			o.Quiet, o.Verbose, o.NoColor = m.Quiet, m.Verbose, noColor(c.Bool("no-color"), s)
			o.Files = c.StringSlice("filename")
			if err := requirePaths(o.Files); err != nil {
				return err
			}
			return runVerify(o, s)
		},
	}
}

func runVerify(o verifyOptions, s streams) error {
	if o.Format != "text" && o.Format != "json" {
		return cli.Exit(fmt.Sprintf("--format: %q is not text or json", o.Format), exitBadInput)
	}
	o.verifyOnly = true
	cfg, desired, _, err := desiredOf(o.registerOptions, s)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	rep, err := runChecks(ctx, o.registerOptions, cfg, nil, verify.Input{TaskDefinitions: desired.TaskDefinitions, Services: desired.Services}, s)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return cli.Exit(err.Error(), exitBadInput)
		}
		if _, err := s.Out.Write(append(b, '\n')); err != nil {
			return err
		}
	} else {
		printChecks(s.Out, rep, !o.NoColor && s.terminal(s.Out))
	}
	sum := rep.Summary
	switch {
	case sum.Fail > 0:
		return cli.Exit(fmt.Sprintf("verify: %d of %d checks failed%s", sum.Fail, sum.Checks, timeoutHint(ctx, ctx.Err(), o.Timeout)), exitBadInput)
	case sum.Warning > 0 || (o.Strict && sum.NotChecked > 0):
		return cli.Exit("", exitFindings)
	}
	return nil
}

// runChecks makes the clients (ecsAPI, when given, is register's ECS client) and runs the checks.
// With --verbose each AWS call is printed on standard error.
func runChecks(ctx context.Context, o registerOptions, cfg convert.Config, ecsAPI ecsapi.ECS, in verify.Input, s streams) (verify.Report, error) {
	opts := ecsapi.Options{Region: cfg.Region, Profile: o.Profile, EndpointURL: o.EndpointURL, Timeout: min(o.Timeout, ecsapi.DefaultRequestTimeout)}
	errw := locked(s.Err)
	if ecsAPI == nil {
		client, err := ecsapi.NewClient(ctx, opts)
		if err != nil {
			return verify.Report{}, cli.Exit(err.Error(), exitBadInput)
		}
		ecsAPI = withVerbose(client, o.Verbose, errw)
	}
	reader, err := ecsapi.NewReader(ctx, opts)
	if err == nil {
		err = reader.CheckCredentials(ctx)
	}
	if err != nil {
		return verify.Report{}, cli.Exit(err.Error(), exitBadInput)
	}
	if o.Verbose {
		reader.OnCall = func(service, op string, params ...string) { logCall(errw, service, op, params...) }
	}
	return verify.Run(ctx, ecsAPI, reader, in, verify.Options{Concurrency: verifyConcurrency}), nil
}

// locked returns w serialised for the concurrent checks (--verbose lines), once.
func locked(w io.Writer) io.Writer {
	if _, done := w.(*lockedWriter); done {
		return w
	}
	return &lockedWriter{w: w}
}

// lockedWriter serialises the writes of concurrent checks (--verbose lines).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// preflight makes the checks of verify before register changes anything: a failure stops it
// (unless --skip-verify), warnings are printed on standard error. A dry run prints every check
// there, next to the plan. The clusters the plan creates count as empty clusters.
func preflight(ctx context.Context, o registerOptions, cfg convert.Config, client ecsapi.ECS, d ecsapi.Desired, plan []ecsapi.Step, s streams) error {
	if o.SkipVerify {
		return nil
	}
	creating := map[string]bool{}
	for _, st := range plan {
		if st.Kind == ecsapi.KindCluster && st.Action == ecsapi.Create {
			creating[st.Name] = true
		}
	}
	start := time.Now()
	rep, err := runChecks(ctx, o, cfg, client, verify.Input{TaskDefinitions: d.TaskDefinitions, Services: d.Services, Creating: creating}, s)
	if err != nil {
		return err
	}
	switch {
	case o.DryRun && !o.Quiet, o.Verbose:
		fmt.Fprintln(s.Err, "verify:")
		printChecks(s.Err, rep, false)
	default:
		for _, c := range rep.Checks {
			switch {
			case c.Status == verify.Fail:
				fmt.Fprintf(s.Err, "error: verify: %s\n", c)
			case c.Status == verify.Warning && !o.Quiet:
				fmt.Fprintf(s.Err, "warning: verify: %s\n", c)
			}
		}
	}
	if o.Verbose {
		fmt.Fprintf(s.Err, "verify: %d checks in %v\n", rep.Summary.Checks, time.Since(start).Round(time.Millisecond))
	}
	if n := rep.Summary.Fail; n > 0 {
		what := "nothing was changed"
		if o.DryRun {
			what = "register would stop here"
		}
		return cli.Exit(fmt.Sprintf("verify: %d of %d checks failed (see above): %s; fix them, or pass --skip-verify", n, rep.Summary.Checks, what), exitBadInput)
	}
	return nil
}

// The colours of the statuses on a terminal.
var statusColor = map[verify.Status]string{verify.OK: "\x1b[32m", verify.Warning: "\x1b[33m", verify.Fail: "\x1b[31m"}

// maxResourceWidth bounds the resource column: a longer ARN pushes its message to the right
// rather than every message of the report.
const maxResourceWidth = 48

// printChecks writes the report as text: each workload's name, then one aligned line per check
// (status, check, resource, message), then the summary.
func printChecks(w io.Writer, rep verify.Report, color bool) {
	var widths [3]int
	for _, c := range rep.Checks {
		widths[0] = max(widths[0], len(c.Status))
		widths[1] = max(widths[1], len(c.Check))
		if len(c.Resource) <= maxResourceWidth {
			widths[2] = max(widths[2], len(c.Resource))
		}
	}
	last := ""
	for i, c := range rep.Checks {
		if i == 0 || c.Workload != last {
			fmt.Fprintln(w, c.Workload)
			last = c.Workload
		}
		status := fmt.Sprintf("%-*s", widths[0], c.Status)
		if code := statusColor[c.Status]; color && code != "" {
			status = code + status + "\x1b[0m"
		}
		fmt.Fprintf(w, "  %s  %-*s  %-*s  %s\n", status, widths[1], c.Check, widths[2], c.Resource, c.Message)
	}
	fmt.Fprintln(w, summaryLine(rep.Summary))
}

// summaryLine is "12 checks of 2 workloads: 9 ok, 1 warning, 1 failed, 1 not checked".
func summaryLine(s verify.Summary) string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{s.OK, "ok"}, {s.Warning, plural(s.Warning, "warning")}, {s.Fail, "failed"}, {s.NotChecked, "not checked"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	line := fmt.Sprintf("%d %s of %d %s", s.Checks, plural(s.Checks, "check"), s.Workloads, plural(s.Workloads, "workload"))
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if s.Errors > 0 {
		line += fmt.Sprintf(" (%d could not be made: AWS errors)", s.Errors)
	}
	return line
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
