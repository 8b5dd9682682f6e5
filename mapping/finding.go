// Package mapping holds the small, pure rules that translate single Kubernetes fields to Amazon ECS
// fields and back: quantities, probes, rollout percentages, names, sizes. Each rule lives next to
// its inverse so that round trips stay easy to test. Nothing here does I/O.
//
// Rules that can lose information take the JSON path of their source field and return
// [Findings]: the path of each field concerned, a [Level] ([Info], [Lossy], [Unsupported],
// [Error]) and a sentence a user understands. Callers collect them and decide what to do;
// [Findings.HasErrors] says whether the object can be converted at all.
//
// The rule tables [PodRules], [ServiceRules], [TaskDefinitionRules] and [ECSServiceRules] describe
// every field in both directions. They report the fields no rule maps ([ReportDropped]), the
// tables of docs/mapping.md and docs/reverse.md are generated from them, and [Explain] looks
// them up.
package mapping

import "fmt"

// Level says how much of a source field survived a conversion.
type Level string

// The finding levels, from harmless to fatal.
const (
	// Info: mapped, but worth knowing (a default chosen, a value rounded to a valid one).
	Info Level = "info"
	// Lossy: mapped approximately; part of the meaning is lost.
	Lossy Level = "lossy"
	// Unsupported: the target platform has no equivalent; the field was dropped.
	Unsupported Level = "unsupported"
	// Error: the document cannot be converted.
	Error Level = "error"
)

// Finding records what happened to one source field during a conversion.
type Finding struct {
	// Path is the JSON path of the source field, e.g. spec.containers[1].lifecycle.preStop.
	Path    string `json:"path"`
	Level   Level  `json:"level"`
	Message string `json:"message"`
}

// String renders the finding as "level: path: message".
func (f Finding) String() string { return fmt.Sprintf("%s: %s: %s", f.Level, f.Path, f.Message) }

// Findings collects findings in the order they were raised.
type Findings []Finding

// Add appends a finding with a formatted message.
func (fs *Findings) Add(path string, level Level, format string, args ...any) {
	*fs = append(*fs, Finding{Path: path, Level: level, Message: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any finding is at the Error level.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Level == Error {
			return true
		}
	}
	return false
}

// Join builds a field path from a base path and a child, e.g. Join("spec", "containers[0]").
func Join(base, child string) string {
	if base == "" {
		return child
	}
	if child == "" {
		return base
	}
	return base + "." + child
}

// Index builds the path of a list element, e.g. Index("spec.containers", 2).
func Index(base string, i int) string { return fmt.Sprintf("%s[%d]", base, i) }
