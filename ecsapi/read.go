package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// Selection names the live objects to read.
type Selection struct {
	// Cluster holds the services (default "default").
	Cluster string
	// Services are service names or ARNs in Cluster.
	Services []string
	// AllServices reads every service of Cluster.
	AllServices bool
	// TaskDefinitions are "family", "family:revision" or ARNs, read on their own.
	TaskDefinitions []string
}

// Described is a task definition as DescribeTaskDefinition gives it, with its tags.
type Described struct {
	TaskDefinition *types.TaskDefinition
	Tags           []types.Tag
}

// Live is what runs on ECS: services with their tags, and the task definitions they run (each
// once) followed by those asked for on their own.
type Live struct {
	Services        []types.Service
	TaskDefinitions []Described
}

// Read reads the selected services (ListServices, paginated, for AllServices; DescribeServices
// with tags) and their task definitions and the selected ones (DescribeTaskDefinition with tags).
// A service or task definition that does not exist is an error naming it.
func Read(ctx context.Context, api ECS, sel Selection) (*Live, error) {
	cluster := sel.Cluster
	if cluster == "" {
		cluster = "default"
	}
	names := sel.Services
	if sel.AllServices {
		all, err := listServices(ctx, api, cluster)
		if err != nil {
			return nil, err
		}
		names = append(append([]string(nil), names...), all...)
	}
	live := &Live{}
	for start := 0; start < len(names); start += 10 {
		out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{
			Cluster: aws.String(cluster), Services: names[start:min(start+10, len(names))],
			Include: []types.ServiceField{types.ServiceFieldTags},
		})
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", cluster, opError("DescribeServices", err))
		}
		if len(out.Failures) > 0 {
			var missing []string
			for _, f := range out.Failures {
				missing = append(missing, fmt.Sprintf("%s (%s)", serviceName(aws.ToString(f.Arn)), aws.ToString(f.Reason)))
			}
			return nil, fmt.Errorf("cluster %s: service %s not found", cluster, strings.Join(missing, ", "))
		}
		live.Services = append(live.Services, out.Services...)
	}
	seen := map[string]bool{}
	add := func(name string) error {
		out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(name), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
		if err != nil {
			return fmt.Errorf("task definition %s: %w", name, opError("DescribeTaskDefinition", err))
		}
		if out.TaskDefinition == nil {
			return fmt.Errorf("task definition %s: %w", name, errors.New("DescribeTaskDefinition returned none"))
		}
		if arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn); !seen[arn] {
			seen[arn] = true
			live.TaskDefinitions = append(live.TaskDefinitions, Described{TaskDefinition: out.TaskDefinition, Tags: out.Tags})
		}
		return nil
	}
	for _, s := range live.Services {
		if err := add(aws.ToString(s.TaskDefinition)); err != nil {
			return nil, fmt.Errorf("service %s: %w", aws.ToString(s.ServiceName), err)
		}
	}
	for _, td := range sel.TaskDefinitions {
		if err := add(td); err != nil {
			return nil, err
		}
	}
	return live, nil
}

func listServices(ctx context.Context, api ECS, cluster string) ([]string, error) {
	var names []string
	p := ecs.NewListServicesPaginator(api, &ecs.ListServicesInput{Cluster: aws.String(cluster)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", cluster, opError("ListServices", err))
		}
		names = append(names, out.ServiceArns...)
	}
	return names, nil
}

// serviceName is the last part of a service ARN (arn:…:service/cluster/name or service/name).
func serviceName(arn string) string {
	return arn[strings.LastIndex(arn, "/")+1:]
}
