package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/ecsapi"
)

// exportOptions are the flags of `podecs export`.
type exportOptions struct {
	Cluster         string
	Services        []string
	All             bool
	TaskDefinitions []string
	OutDir          string
	Kind            string
	ExternalSecrets bool
	// Quiet prints errors only; Verbose also each ECS API call and each file written.
	Quiet       bool
	Verbose     bool
	Region      string
	Profile     string
	EndpointURL string
	Timeout     time.Duration
}

func exportCommand(s streams) *cli.Command {
	var o exportOptions
	flags := []cli.Flag{
		&cli.StringFlag{Name: "cluster", Usage: "ECS cluster `NAME` of the services", Value: "default", Destination: &o.Cluster},
		&cli.StringSliceFlag{Name: "service", Usage: "service `NAME` to export (repeatable)"},
		&cli.BoolFlag{Name: "all", Usage: "export every service of the cluster", Destination: &o.All},
		&cli.StringSliceFlag{Name: "task-definition", Usage: "task definition `FAMILY[:REV]` or ARN to export on its own (repeatable)"},
		&cli.StringFlag{Name: "output-dir", Aliases: []string{"o"}, Usage: "write one NAME.yaml per workload into `DIR` instead of standard output", Destination: &o.OutDir},
		&cli.StringFlag{Name: "kind", Usage: "what a task definition without a service becomes: pod or deployment", Value: convert.KindPod, Destination: &o.Kind},
		&cli.BoolFlag{Name: "external-secrets", Usage: "add External Secrets Operator ExternalSecrets that fill the Secrets from AWS", Destination: &o.ExternalSecrets},
	}
	return &cli.Command{
		Name:  "export",
		Usage: "write Kubernetes manifests for services and task definitions running on ECS",
		UsageText: "podecs export --cluster NAME (--service NAME ... | --all | --task-definition FAMILY[:REV] ...) [-o DIR]\n" +
			"   [--kind pod|deployment] [--external-secrets] [--region R] [--profile P] [--endpoint-url URL] [-q|-v]",
		Description: "Reads the live services (DescribeServices with tags; ListServices for --all) and the task\n" +
			"definitions they run (DescribeTaskDefinition with tags), and converts them with the ECS → Kubernetes\n" +
			"rules of `podecs convert`: a service becomes a Deployment (a DAEMON service a DaemonSet), a task\n" +
			"definition on its own a Pod or Deployment (--kind). Each workload is written as NAME.yaml with its\n" +
			"supporting objects. It calls only read operations; see docs/register.md for the IAM policy.",
		Flags: append(append(flags, awsFlags(&o.Region, &o.Profile, &o.EndpointURL, &o.Timeout)...), outputFlags()...),
		Action: func(c *cli.Context) error {
			m, err := outputModeOf(c, s)
			if err != nil {
				return err
			}
			o.Quiet, o.Verbose = m.Quiet, m.Verbose
			o.Services, o.TaskDefinitions = c.StringSlice("service"), c.StringSlice("task-definition")
			return runExport(o, s)
		},
	}
}

func runExport(o exportOptions, s streams) error {
	if len(o.Services) == 0 && !o.All && len(o.TaskDefinitions) == 0 {
		return cli.Exit("export: name what to export: --service NAME, --all or --task-definition FAMILY[:REV]", exitBadInput)
	}
	o.Kind = strings.ToLower(o.Kind)
	if o.Kind != convert.KindPod && o.Kind != convert.KindDeployment {
		return cli.Exit(fmt.Sprintf("--kind: %q is not pod or deployment", o.Kind), exitBadInput)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	api, err := ecsapi.NewClient(ctx, ecsapi.Options{Region: o.Region, Profile: o.Profile, EndpointURL: o.EndpointURL, Timeout: min(o.Timeout, ecsapi.DefaultRequestTimeout)})
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	live, err := ecsapi.Read(ctx, withVerbose(api, o.Verbose, s.Err), ecsapi.Selection{Cluster: o.Cluster, Services: o.Services, AllServices: o.All, TaskDefinitions: o.TaskDefinitions})
	if err != nil {
		return cli.Exit("export: "+err.Error()+timeoutHint(ctx, err, o.Timeout), exitBadInput)
	}
	if len(live.Services) == 0 && len(live.TaskDefinitions) == 0 {
		if !o.Quiet {
			fmt.Fprintf(s.Err, "export: cluster %s has no services\n", o.Cluster)
		}
		return nil
	}
	conv := convert.NewConverter(convert.Options{Reverse: convert.ReverseOptions{Kind: o.Kind, ExternalSecrets: o.ExternalSecrets}})
	if err := addLive(conv, live); err != nil {
		return cli.Exit("export: "+err.Error(), exitBadInput)
	}
	res := conv.Finish()
	printFindings(s.Err, res.Findings, o.Quiet)
	for _, e := range res.Errors {
		fmt.Fprintln(s.Err, "error:", e)
	}
	var wrote io.Writer
	if o.Verbose {
		wrote = s.Err
	}
	if err := writeManifests(o.OutDir, res.Manifests, s.Out, wrote); err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	if len(res.Errors) > 0 {
		return cli.Exit(fmt.Sprintf("%d object(s) could not be converted", len(res.Errors)), exitBadInput)
	}
	return nil
}

// addLive gives the converter the live objects as the describe outputs `aws ecs` prints, so that
// they are read exactly as such files would be. Findings name them "ecs:service/CLUSTER/NAME" and
// "ecs:task-definition/FAMILY:REVISION".
func addLive(conv *convert.Converter, live *ecsapi.Live) error {
	add := func(source string, v any) error {
		data, err := ecsjson.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		return convert.ReadDocuments(bytes.NewReader(data), source, convert.ReadOptions{}, conv.Add, func(e *convert.DocError) { conv.AddError(e) })
	}
	for _, svc := range live.Services {
		source := fmt.Sprintf("ecs:service/%s/%s", lastPart(aws.ToString(svc.ClusterArn)), aws.ToString(svc.ServiceName))
		if err := add(source, &ecs.DescribeServicesOutput{Services: []types.Service{svc}}); err != nil {
			return err
		}
	}
	for _, d := range live.TaskDefinitions {
		source := fmt.Sprintf("ecs:task-definition/%s:%d", aws.ToString(d.TaskDefinition.Family), d.TaskDefinition.Revision)
		if err := add(source, &ecs.DescribeTaskDefinitionOutput{TaskDefinition: d.TaskDefinition, Tags: d.Tags}); err != nil {
			return err
		}
	}
	return nil
}

func lastPart(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// writeManifests writes DIR/NAME.yaml per workload (atomically), or the YAML of all of them to w,
// separated by "---". With a log writer (--verbose), each file written is named there.
func writeManifests(dir string, ms []convert.Manifest, w, log io.Writer) error {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("output directory: %w", err)
		}
	}
	for i, m := range ms {
		files, err := m.Files()
		if err != nil {
			return fmt.Errorf("%s: %w", m.Doc, err)
		}
		y := files[0].Data
		if dir != "" {
			path := filepath.Join(dir, files[0].Name)
			if err := writeAtomic(path, y); err != nil {
				return err
			}
			if log != nil {
				fmt.Fprintf(log, "wrote %s (%s)\n", path, m.Doc)
			}
			continue
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(y); err != nil {
			return err
		}
	}
	return nil
}
