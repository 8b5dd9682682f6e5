package convert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/podecs/podecs/convert/ecsjson"
)

// File is one output file: its name within the output directory and its bytes.
type File struct {
	Name string
	Data []byte
	// YAML marks Kubernetes YAML, which is separated from what precedes it by "---" on stdout.
	YAML bool
}

// Files renders everything one workload becomes on ECS, in a fixed order: N.taskdef.json
// (RegisterTaskDefinition input), N.service.json (CreateService input), N.runtask.json (RunTask
// input), N.schedule.json (Scheduler CreateSchedule input; N-2.schedule.json for a second one),
// N.scaling.json (Application Auto Scaling inputs) and N.targetgroup.json (target group health
// check), each when present. Each file is indented JSON ending in a newline.
func (o Output) Files() ([]File, error) {
	var files []File
	add := func(suffix string, v any) error {
		data, err := ecsjson.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", o.Doc, suffix, err)
		}
		files = append(files, File{Name: FileStem(o.Name) + suffix, Data: data})
		return nil
	}
	if err := add(".taskdef.json", o.TaskDefinition); err != nil {
		return nil, err
	}
	if o.Service != nil {
		if err := add(".service.json", o.Service); err != nil {
			return nil, err
		}
	}
	if o.RunTask != nil {
		if err := add(".runtask.json", o.RunTask); err != nil {
			return nil, err
		}
	}
	// The Scheduler, Application Auto Scaling and ELB inputs are plain structs with the member
	// names of their service models, so encoding/json writes them.
	type entry struct {
		suffix string
		v      any
		set    bool
	}
	entries := []entry{{".schedule.json", o.Schedule, o.Schedule != nil}}
	for i, s := range o.ExtraSchedules {
		entries = append(entries, entry{fmt.Sprintf("-%d.schedule.json", i+2), s, s != nil})
	}
	entries = append(entries, entry{".scaling.json", o.Scaling, o.Scaling != nil}, entry{".targetgroup.json", o.TargetGroup, o.TargetGroup != nil})
	for _, x := range entries {
		if !x.set {
			continue
		}
		data, err := json.MarshalIndent(x.v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", o.Doc, x.suffix, err)
		}
		files = append(files, File{Name: FileStem(o.Name) + x.suffix, Data: append(data, '\n')})
	}
	return files, nil
}

// Files renders the Kubernetes manifests of one ECS workload: N.yaml, one multi-document file.
func (m Manifest) Files() ([]File, error) {
	y, err := m.YAML()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", m.Doc, err)
	}
	return []File{{Name: FileStem(m.Name) + ".yaml", Data: y, YAML: true}}, nil
}

// MaxFileStem is the longest name an output file starts with. File systems take names of at most
// 255 bytes; the longest suffix (".targetgroup.json") and the temporary file a write goes through
// ("." + name + ".tmp" and up to 10 digits) must fit too.
const MaxFileStem = 255 - len(".targetgroup.json") - len("..tmp") - 10

// FileStem is the start of the output file names of a workload or manifest: its name, or for a
// name longer than MaxFileStem (ECS names reach 255 characters) the name cut short and ended with
// a hash of the whole name, so that long names stay distinct.
func FileStem(name string) string {
	if len(name) <= MaxFileStem {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return name[:MaxFileStem-9] + "-" + hex.EncodeToString(sum[:4])
}
