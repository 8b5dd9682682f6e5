package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/podecs/podecs/mapping"
)

// explainWidth is the column at which explain wraps rule texts.
const explainWidth = 100

// explainOptions are the flags and argument of `podecs explain`.
type explainOptions struct {
	Paths  []string
	Output string
}

func explainCommand(s streams) *cli.Command {
	var o explainOptions
	return &cli.Command{
		Name:      "explain",
		Usage:     "show how a Kubernetes or ECS field is converted",
		UsageText: "podecs explain [PATH] [--output text|json]",
		Description: "PATH is a Kubernetes field (spec.containers.livenessProbe, spec.template.spec.containers[0].livenessProbe,\n" +
			"containers.livenessProbe, Deployment.spec.replicas, CronJob.spec.schedule, spec.metrics), an ECS field\n" +
			"(containerDefinitions.healthCheck, healthCheck, stopTimeout, loadBalancers), a --config setting (network)\n" +
			"or a kind (Deployment, Job, CronJob, Service, HorizontalPodAutoscaler). podecs prints the field(s) on\n" +
			"the other side, what the rule applies to (the kind, or the ECS object for the way back), the\n" +
			"treatment, the rule (units, rounding, ranges, launch-type conditions) and the level of the finding it\n" +
			"can raise, from the rule tables the converter uses. A field without a rule of its own is explained by\n" +
			"its nearest parent that has one. Without PATH, every rule is listed, one per line, grouped by table.\n" +
			"A PATH that matches no rule exits with code 2.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Value: "text", Usage: "output `FORMAT`: text or json", Destination: &o.Output},
		}, outputFlags()...),
		BashComplete: func(c *cli.Context) {
			for _, p := range explainCompletions() {
				fmt.Fprintln(c.App.Writer, p)
			}
		},
		Action: func(c *cli.Context) error {
			paths, err := trailingFlags(c)
			if err != nil {
				return cli.Exit(err.Error(), exitBadInput)
			}
			if _, err := outputModeOf(c, s); err != nil {
				return err
			}
			o.Paths = paths
			return runExplain(o, s)
		},
	}
}

func runExplain(o explainOptions, s streams) error {
	if o.Output != "text" && o.Output != "json" {
		return cli.Exit(fmt.Sprintf("--output %q: use text or json", o.Output), exitBadInput)
	}
	if len(o.Paths) > 1 {
		return cli.Exit(fmt.Sprintf("explain takes one PATH, got %d: %s", len(o.Paths), strings.Join(o.Paths, " ")), exitBadInput)
	}
	var err error
	if len(o.Paths) == 0 {
		entries := mapping.Entries()
		if o.Output == "json" {
			err = writeJSON(s.Out, entries)
		} else {
			err = mapping.WriteList(s.Out, entries)
		}
		return exitOnWriteError(err)
	}
	path := o.Paths[0]
	x := mapping.Explain(path)
	if len(x.Entries) == 0 {
		return cli.Exit(noRuleMessage(path), exitBadInput)
	}
	if o.Output == "json" {
		return exitOnWriteError(writeJSON(s.Out, x.Entries))
	}
	return exitOnWriteError(writeExplanation(s.Out, path, x))
}

func writeExplanation(w io.Writer, path string, x mapping.Explanation) error {
	switch {
	case x.Parent:
		if _, err := fmt.Fprintf(w, "%s has no rule of its own; it is covered by %s:\n\n", path, x.Path); err != nil {
			return err
		}
	case x.Below:
		if _, err := fmt.Fprintf(w, "%s has no rule of its own; the rules of the fields under it:\n\n", path); err != nil {
			return err
		}
	}
	for i, e := range x.Entries {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := mapping.WriteEntry(w, e, explainWidth); err != nil {
			return err
		}
	}
	return nil
}

// noRuleMessage says that nothing matched and lists close paths.
func noRuleMessage(path string) string {
	msg := fmt.Sprintf("no rule for %q", path)
	if near := mapping.Suggest(path, 8); len(near) > 0 {
		msg += "; did you mean:\n  " + strings.Join(near, "\n  ")
	}
	return msg + "\n(podecs explain without PATH lists every rule)"
}

// writeJSON writes v as indented JSON ending in a newline, with <, > and & left as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func exitOnWriteError(err error) error {
	if err != nil {
		return cli.Exit(err.Error(), exitBadInput)
	}
	return nil
}

// explainCompletions are the words shell completion offers after `podecs explain`: every field
// path of the rule tables, sorted.
func explainCompletions() []string { return mapping.Paths() }
