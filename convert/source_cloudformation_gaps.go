package convert

import (
	"encoding/json"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/podecs/podecs/mapping"
)

// CloudFormation has properties that goformation v7.14.9 predates (the output format writes the
// same ones by name). The reader takes them out of the resolved properties before the typed
// decoding, checks and coerces them against the structs below as it does the typed ones, and
// copies them to the API input after the typed copy. The structs' fields have the names of their
// API members, so that cfnCopy and TestCloudFormationCoverage treat them as the library's own.

type cfnContainerRestartPolicy struct {
	Enabled              *bool `json:"Enabled,omitempty"`
	IgnoredExitCodes     []int `json:"IgnoredExitCodes,omitempty"`
	RestartAttemptPeriod *int  `json:"RestartAttemptPeriod,omitempty"`
}

type cfnContainerGaps struct {
	RestartPolicy      *cfnContainerRestartPolicy `json:"RestartPolicy,omitempty"`
	VersionConsistency *string                    `json:"VersionConsistency,omitempty"`
}

type cfnTaskDefinitionGaps struct {
	EnableFaultInjection *bool `json:"EnableFaultInjection,omitempty"`
}

type cfnServiceGaps struct {
	AvailabilityZoneRebalancing *string `json:"AvailabilityZoneRebalancing,omitempty"`
}

// cfnGaps are the library-gap properties of one resource.
type cfnGaps struct {
	top        any         // *cfnTaskDefinitionGaps or *cfnServiceGaps
	containers map[int]any // *cfnContainerGaps by index of ContainerDefinitions
}

// takeGaps removes the library-gap properties from resolved properties and returns them checked
// and decoded.
func (t *cfnTemplate) takeGaps(props any, typ, path, base string) (*cfnGaps, error) {
	m, ok := props.(map[string]any)
	if !ok {
		return nil, nil // typed() reports the shape
	}
	g := &cfnGaps{containers: map[int]any{}}
	switch typ {
	case cfnTaskDefinition:
		top := &cfnTaskDefinitionGaps{}
		if err := t.takeInto(m, top, path, base); err != nil {
			return nil, err
		}
		g.top = top
		cds, _ := m["ContainerDefinitions"].([]any)
		for i, cd := range cds {
			cm, ok := cd.(map[string]any)
			if !ok {
				continue
			}
			c := &cfnContainerGaps{}
			if err := t.takeInto(cm, c, mapping.Index(mapping.Join(path, "ContainerDefinitions"), i), base); err != nil {
				return nil, err
			}
			g.containers[i] = c
		}
	case cfnService:
		top := &cfnServiceGaps{}
		if err := t.takeInto(m, top, path, base); err != nil {
			return nil, err
		}
		g.top = top
	}
	return g, nil
}

// takeInto moves the members of m that are fields of target's struct into target.
func (t *cfnTemplate) takeInto(m map[string]any, target any, path, base string) error {
	typ := reflect.TypeOf(target).Elem()
	part := map[string]any{}
	for name := range cfnFields(typ) {
		if v, ok := m[name]; ok {
			part[name] = v
			delete(m, name)
		}
	}
	if len(part) == 0 {
		return nil
	}
	coerced, err := t.coerce(part, typ, path, base)
	if err != nil {
		return err
	}
	js, err := json.Marshal(coerced)
	if err != nil {
		return err
	}
	return json.Unmarshal(js, target)
}

// apply copies the library-gap properties to the API input.
func (g *cfnGaps) apply(in any, fs *mapping.Findings) error {
	if g == nil {
		return nil
	}
	if g.top != nil {
		if err := cfnCopy(reflect.ValueOf(g.top).Elem(), reflect.ValueOf(in).Elem(), "", fs); err != nil {
			return err
		}
	}
	td, ok := in.(*ecs.RegisterTaskDefinitionInput)
	if !ok {
		return nil
	}
	for i, c := range g.containers {
		if i >= len(td.ContainerDefinitions) {
			continue
		}
		if err := cfnCopy(reflect.ValueOf(c).Elem(), reflect.ValueOf(&td.ContainerDefinitions[i]).Elem(), mapping.Index("containerDefinitions", i), fs); err != nil {
			return err
		}
	}
	return nil
}
