package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/ecsapi"
)

// registerOptions are the flags of `podecs register`.
type registerOptions struct {
	Files         []string
	Cluster       string
	LaunchType    string
	ConfigFile    string
	Region        string
	Profile       string
	EndpointURL   string
	DryRun        bool
	CreateCluster bool
	Wait          bool
	WaitTimeout   time.Duration
	Output        string
	// Quiet prints errors only; Verbose also the plan and each ECS API call.
	Quiet   bool
	Verbose bool
	Timeout time.Duration
	// ScalingEndpointURL is the Application Auto Scaling endpoint (default: EndpointURL).
	ScalingEndpointURL string
	// SkipVerify registers without the checks of verify first.
	SkipVerify bool
	// verifyOnly: the inputs are read for podecs verify, which sends nothing.
	verifyOnly bool
}

// awsFlags are the flags that select the account, region and endpoint, shared with export.
func awsFlags(region, profile, endpoint *string, timeout *time.Duration) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "region", Usage: "AWS `REGION` (default: AWS_REGION, the profile's region, else the region in --config)", Destination: region},
		&cli.StringFlag{Name: "profile", Usage: "shared config `PROFILE` (default: AWS_PROFILE)", Destination: profile},
		&cli.StringFlag{Name: "endpoint-url", Usage: "endpoint `URL` of every AWS API called (an emulator, a VPC endpoint; default: AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>)", Destination: endpoint},
		&cli.DurationFlag{Name: "timeout", Usage: "give up on the AWS APIs after `DURATION`", Value: 2 * time.Minute, Destination: timeout},
	}
}

func registerCommand(s streams) *cli.Command {
	var o registerOptions
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "filename", Aliases: []string{"f"}, Usage: "Kubernetes manifests or ECS JSON: a file, a directory, or - for stdin (repeatable)"},
		&cli.StringFlag{Name: "cluster", Usage: "ECS cluster `NAME` of the services (overrides --config and the service documents)", Destination: &o.Cluster},
		&cli.StringFlag{Name: "launch-type", Usage: "FARGATE or EC2 for converted manifests (default: from --config, else FARGATE)", Destination: &o.LaunchType},
		&cli.StringFlag{Name: "config", Usage: "YAML `FILE` with cluster, network, roles, secret ARNs, EFS volumes, logging (see docs/config.md), or - for stdin", Destination: &o.ConfigFile},
		&cli.BoolFlag{Name: "dry-run", Usage: "print the plan with the reasons for each change and call no mutating API", Destination: &o.DryRun},
		&cli.BoolFlag{Name: "create-cluster", Usage: "create the cluster when it does not exist", Destination: &o.CreateCluster},
		&cli.BoolFlag{Name: "wait", Usage: "wait until the services are stable", Destination: &o.Wait},
		&cli.DurationFlag{Name: "wait-timeout", Usage: "give up waiting after `DURATION`", Value: 10 * time.Minute, Destination: &o.WaitTimeout},
		&cli.StringFlag{Name: "output", Usage: "text or json", Value: "text", Destination: &o.Output},
		&cli.BoolFlag{Name: "skip-verify", Usage: "register even when a check of podecs verify fails (the checks are not made)", Destination: &o.SkipVerify},
		&cli.StringFlag{Name: "scaling-endpoint-url", Usage: "Application Auto Scaling endpoint `URL` (default: --endpoint-url, as an emulator serves every API on one address)", Destination: &o.ScalingEndpointURL},
	}
	return &cli.Command{
		Name:  "register",
		Usage: "register task definitions and create or update services on ECS",
		UsageText: "podecs register -f PATH [-f PATH ...] [--cluster NAME] [--launch-type FARGATE|EC2] [--config FILE]\n" +
			"   [--region R] [--profile P] [--endpoint-url URL] [--dry-run] [--create-cluster] [--skip-verify] [--wait] [--output text|json] [-q|-v]",
		Description: "Converts Kubernetes manifests as `podecs convert` does, or reads ECS JSON (the task definition\n" +
			"and service documents convert writes), compares each task definition with the latest ACTIVE\n" +
			"revision of its family and each service with the live one, and registers or updates only what\n" +
			"differs. A service runs the revision registered or reused for its family. The scaling of a\n" +
			"HorizontalPodAutoscaler (or an N.scaling.json) is registered with Application Auto Scaling after\n" +
			"the services. RunTask inputs and schedules are written by convert, not run or created here.\n" +
			"Running it again changes nothing. Before changing anything it makes the checks of `podecs verify`\n" +
			"and stops when one fails (--skip-verify goes on); --dry-run shows them with the plan. See\n" +
			"docs/register.md for the IAM permissions it needs.",
		Flags: append(append(flags, awsFlags(&o.Region, &o.Profile, &o.EndpointURL, &o.Timeout)...), outputFlags()...),
		Action: func(c *cli.Context) error {
			m, err := outputModeOf(c, s)
			if err != nil {
				return err
			}
			o.Quiet, o.Verbose = m.Quiet, m.Verbose
			o.Files = c.StringSlice("filename")
			if err := requirePaths(o.Files); err != nil {
				return err
			}
			return runRegister(o, s)
		},
	}
}

func runRegister(o registerOptions, s streams) error {
	if o.Output != "text" && o.Output != "json" {
		return cli.Exit(fmt.Sprintf("--output: %q is not text or json", o.Output), exitBadInput)
	}
	cfg, desired, scaling, err := desiredOf(o, s)
	if err != nil {
		return err
	}
	desired.CreateClusters = o.CreateCluster
	s.Err = locked(s.Err) // the checks write --verbose lines concurrently

	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	api, err := ecsapi.NewClient(ctx, ecsapi.Options{Region: cfg.Region, Profile: o.Profile, EndpointURL: o.EndpointURL, Timeout: min(o.Timeout, ecsapi.DefaultRequestTimeout)})
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	client := withVerbose(api, o.Verbose, s.Err)
	plan, err := ecsapi.Plan(ctx, client, desired)
	if err != nil {
		return cli.Exit("cannot plan: "+planError(ctx, err, o, api.Options().Region), exitBadInput)
	}
	stop := preflight(ctx, o, cfg, client, desired, plan, s)
	if o.DryRun {
		splan, err := planScaling(ctx, o, cfg, s.Err, scaling)
		if err != nil {
			return err
		}
		if err := printSteps(s, o, append(plan, splan...), true); err != nil || stop == nil {
			return err
		}
	}
	if stop != nil {
		return stop
	}
	if o.Verbose {
		printPlan(s.Err, plan)
	}
	done := ecsapi.Apply(ctx, client, plan)
	sdone, err := applyScaling(ctx, o, cfg, s.Err, scaling, done...)
	if err != nil {
		_ = printSteps(s, o, done, false)
		return err
	}
	done = append(done, sdone...)
	if err := printSteps(s, o, done, false); err != nil {
		return err
	}
	var failed []ecsapi.Step
	for _, st := range done {
		if st.Err != nil {
			failed = append(failed, st)
			fmt.Fprintf(s.Err, "error: %s: %v%s\n", objectName(st), st.Err, timeoutHint(ctx, st.Err, o.Timeout))
		}
	}
	if len(failed) > 0 {
		return cli.Exit(fmt.Sprintf("%d of %d objects failed (see the errors above); the others are done, and running register again continues from here", len(failed), len(done)), exitBadInput)
	}
	if o.Wait {
		return waitStable(client, done, o, s)
	}
	return nil
}

// desiredOf reads --config and the inputs as register and verify do: Kubernetes manifests are
// converted, ECS JSON is taken as it is; --cluster and --region override the config.
func desiredOf(o registerOptions, s streams) (convert.Config, ecsapi.Desired, []ecsapi.ScalingWant, error) {
	if err := stdinOnce(o.ConfigFile, o.Files...); err != nil {
		return convert.Config{}, ecsapi.Desired{}, nil, err
	}
	cfg, err := loadConfig(o.ConfigFile, o.LaunchType, s)
	if err != nil {
		return cfg, ecsapi.Desired{}, nil, cli.Exit(err.Error(), exitBadInput)
	}
	if o.Cluster != "" {
		cfg.Cluster = o.Cluster
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	desired, scaling, err := readDesired(o, cfg, s)
	return cfg, desired, scaling, err
}

// printPlan writes, for --verbose, what each object of the plan is about to get, e.g.
// "plan: update service web (cluster prod): desiredCount".
func printPlan(w io.Writer, plan []ecsapi.Step) {
	for _, st := range plan {
		line := fmt.Sprintf("plan: %s %s", st.Action, objectName(st))
		var fields []string
		for _, c := range st.Changes {
			fields = append(fields, c.Field)
		}
		if len(fields) > 0 {
			line += ": " + strings.Join(fields, ", ")
		}
		fmt.Fprintln(w, line)
	}
}

// readDesired reads every input: Kubernetes documents go through the converter, ECS documents are
// taken as they are. Nothing is sent to AWS when any document cannot be read or converted.
func readDesired(o registerOptions, cfg convert.Config, s streams) (ecsapi.Desired, []ecsapi.ScalingWant, error) {
	var d ecsapi.Desired
	var scaling []ecsapi.ScalingWant
	var notes []string
	var errs []error
	conv := convert.NewConverter(convert.Options{Config: cfg})
	add := func(doc convert.Document) {
		switch doc.Format {
		case convert.FormatKubernetes:
			conv.Add(doc)
		case convert.FormatTaskDefinition, convert.FormatService:
			td, svc, err := decodeECSInput(doc)
			if err != nil {
				errs = append(errs, err)
				return
			}
			if td != nil {
				d.TaskDefinitions = append(d.TaskDefinitions, td)
			}
			if svc != nil {
				d.Services = append(d.Services, svc)
			}
		case convert.FormatScaling:
			sc, err := convert.DecodeScaling(doc)
			if err != nil {
				errs = append(errs, err)
				return
			}
			scaling = append(scaling, ecsapi.ScalingWant{Target: sc.ScalableTarget, Policies: sc.Policies})
		case convert.FormatRunTask, convert.FormatSchedule, convert.FormatTargetGroup:
			why := notRegistered(doc.Format)
			if o.verifyOnly {
				why = "not checked: verify checks task definitions and services and what they refer to"
			}
			notes = append(notes, fmt.Sprintf("info: %s: %s", doc.DocRef, why))
		default:
			errs = append(errs, &convert.DocError{Doc: doc.DocRef, Err: errors.New("neither a Kubernetes object nor ECS input")})
		}
	}
	onErr := func(e *convert.DocError) { errs = append(errs, e) }
	if o.Verbose {
		for _, p := range o.Files {
			fmt.Fprintf(s.Err, "reading %s\n", inputName(p))
		}
	}
	ro := convert.ReadOptions{Sources: convert.SourceOptions{Files: osFiles{}, Env: lookupEnv(s), Region: cfg.Region, WorkDir: workDir()}}
	if err := readInputs(o.Files, s.In, ro, add, onErr); err != nil {
		return d, nil, cli.Exit(err.Error(), exitBadInput)
	}
	res := conv.Finish()
	printFindings(s.Err, res.Findings, o.Quiet)
	if !o.Quiet {
		for _, n := range notes {
			fmt.Fprintln(s.Err, n)
		}
	}
	errs = append(res.Errors, errs...)
	for _, e := range errs {
		fmt.Fprintln(s.Err, "error:", e)
	}
	if len(errs) > 0 {
		return d, nil, cli.Exit(fmt.Sprintf("%d document(s) could not be read or converted; nothing was sent to AWS", len(errs)), exitBadInput)
	}
	var tds []*ecs.RegisterTaskDefinitionInput
	var svcs []*ecs.CreateServiceInput
	var outScaling []ecsapi.ScalingWant
	for _, out := range res.Outputs {
		tds = append(tds, out.TaskDefinition)
		if out.Service != nil {
			svcs = append(svcs, out.Service)
		}
		if out.Scaling != nil {
			outScaling = append(outScaling, ecsapi.ScalingWant{Target: out.Scaling.ScalableTarget, Policies: out.Scaling.Policies})
		}
		if !o.Quiet && !o.verifyOnly {
			writtenOnly(s.Err, out)
		}
	}
	scaling = append(outScaling, scaling...)
	d.TaskDefinitions = append(tds, d.TaskDefinitions...)
	d.Services = append(svcs, d.Services...)
	for _, svc := range d.Services {
		if o.Cluster != "" {
			svc.Cluster = aws.String(o.Cluster)
		}
	}
	if o.Cluster != "" {
		scaling = withCluster(scaling, o.Cluster)
	}
	if len(d.TaskDefinitions) == 0 && len(d.Services) == 0 && len(scaling) == 0 {
		what := "register"
		if o.verifyOnly {
			what = "verify"
		}
		return d, nil, cli.Exit("nothing to "+what+": the input holds no workload, task definition, service or scaling", exitBadInput)
	}
	return d, scaling, nil
}

// decodeECSInput reads an ECS document: a RegisterTaskDefinition input (as convert writes it), a
// describe-task-definition output or its bare TaskDefinition object, or a CreateService input.
// Unknown members are errors.
func decodeECSInput(doc convert.Document) (*ecs.RegisterTaskDefinitionInput, *ecs.CreateServiceInput, error) {
	var top map[string]json.RawMessage
	_ = json.Unmarshal(doc.JSON, &top)
	if doc.Format == convert.FormatService && top["serviceName"] == nil {
		return nil, nil, &convert.DocError{Doc: doc.DocRef, Err: errors.New("a create-service or describe-services output; register takes the CreateService input (as podecs convert writes it)")}
	}
	ins, err := convert.DecodeECS(doc)
	if err != nil {
		return nil, nil, err
	}
	return ins[0].TaskDefinition, ins[0].Service, nil
}

// planError explains why no plan could be made, with the flag that helps.
func planError(ctx context.Context, err error, o registerOptions, region string) string {
	var mc *ecsapi.MissingClustersError
	if errors.As(err, &mc) {
		return fmt.Sprintf("cluster %s not found in %s: create it, or pass --create-cluster", strings.Join(mc.Names, ", "), region)
	}
	return err.Error() + timeoutHint(ctx, err, o.Timeout)
}

func timeoutHint(ctx context.Context, err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf(" (--timeout %s)", timeout)
	}
	return ""
}

func objectName(st ecsapi.Step) string {
	if st.Kind == ecsapi.KindService {
		return fmt.Sprintf("service %s (cluster %s)", st.Name, st.Cluster)
	}
	return fmt.Sprintf("%s %s", st.Kind, st.Name)
}

// registerEntry is one object in the --output json report.
type registerEntry struct {
	Action         string               `json:"action"`
	Kind           ecsapi.Kind          `json:"kind"`
	Name           string               `json:"name"`
	Cluster        string               `json:"cluster,omitempty"`
	ARN            string               `json:"arn,omitempty"`
	TaskDefinition string               `json:"taskDefinition,omitempty"`
	Changes        []ecsapi.FieldChange `json:"changes,omitempty"`
	Notes          []string             `json:"notes,omitempty"`
	Warnings       []string             `json:"warnings,omitempty"`
	Error          *entryError          `json:"error,omitempty"`
	DryRun         bool                 `json:"dryRun,omitempty"`
}

type entryError struct {
	Operation string `json:"operation,omitempty"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
}

// action is what a line says: the plan's verb in a dry run, the past tense once applied.
func action(st ecsapi.Step, dryRun bool) string {
	switch {
	case dryRun:
		return string(st.Action)
	case st.Err != nil:
		var sk *ecsapi.SkippedError
		if errors.As(st.Err, &sk) {
			return "skipped"
		}
		return "failed"
	}
	return st.Action.Done()
}

func entryOf(st ecsapi.Step, dryRun bool) registerEntry {
	e := registerEntry{Action: action(st, dryRun), Kind: st.Kind, Name: st.Name, Cluster: st.Cluster, ARN: st.ARN,
		Changes: st.Changes, Notes: st.Notes, Warnings: st.Warnings, DryRun: dryRun}
	if st.Kind != ecsapi.KindCluster && st.Ref.Revision != 0 {
		e.TaskDefinition = st.Ref.String()
	}
	if st.Err != nil {
		e.Error = &entryError{Message: st.Err.Error()}
		var oe *ecsapi.OpError
		if errors.As(st.Err, &oe) {
			e.Error.Operation, e.Error.Code = oe.Operation, oe.Code
		}
	}
	return e
}

// printSteps writes one line per object (with its field-level reasons indented below) or, with
// --output json, a JSON array. Warnings go to standard error, unless --quiet.
func printSteps(s streams, o registerOptions, steps []ecsapi.Step, dryRun bool) error {
	for _, st := range steps {
		for _, w := range st.Warnings {
			if !o.Quiet {
				fmt.Fprintf(s.Err, "warning: %s: %s\n", objectName(st), w)
			}
		}
	}
	if o.Output == "json" {
		entries := make([]registerEntry, 0, len(steps))
		for _, st := range steps {
			entries = append(entries, entryOf(st, dryRun))
		}
		b, err := json.MarshalIndent(entries, "", "  ")
		if err != nil {
			return cli.Exit(err.Error(), exitBadInput)
		}
		_, err = s.Out.Write(append(b, '\n'))
		return err
	}
	if dryRun {
		fmt.Fprintln(s.Out, "dry run: nothing was changed; the plan:")
	}
	printTable(s.Out, steps, dryRun)
	return nil
}

func printTable(w io.Writer, steps []ecsapi.Step, dryRun bool) {
	widths := [3]int{}
	rows := make([][4]string, len(steps))
	for i, st := range steps {
		arn := st.ARN
		if arn == "" {
			arn = "-"
		}
		rows[i] = [4]string{action(st, dryRun), string(st.Kind), st.Name, arn}
		for j := range widths {
			widths[j] = max(widths[j], len(rows[i][j]))
		}
	}
	for i, st := range steps {
		r := rows[i]
		fmt.Fprintf(w, "%-*s  %-*s  %-*s  %s\n", widths[0], r[0], widths[1], r[1], widths[2], r[2], r[3])
		if dryRun {
			for _, n := range st.Notes {
				fmt.Fprintf(w, "    (%s)\n", n)
			}
		}
		for _, c := range st.Changes {
			fmt.Fprintf(w, "    %s\n", c)
		}
	}
}

// waitStable waits for the services with the SDK waiter, reporting progress on standard error
// (unless --quiet).
func waitStable(api ecsapi.ECS, steps []ecsapi.Step, o registerOptions, s streams) error {
	timeout := o.WaitTimeout
	n := 0
	for _, st := range steps {
		if st.Kind == ecsapi.KindService {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	if !o.Quiet {
		fmt.Fprintf(s.Err, "waiting up to %s for %d service(s) to become stable\n", timeout, n)
	}
	if err := ecsapi.WaitStable(context.Background(), api, steps, timeout); err != nil {
		return cli.Exit(fmt.Sprintf("--wait: %v (--wait-timeout %s)", err, timeout), exitBadInput)
	}
	if !o.Quiet {
		fmt.Fprintf(s.Err, "%d service(s) stable\n", n)
	}
	return nil
}
