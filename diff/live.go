package diff

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"

	"github.com/podecs/podecs/mapping"
)

// ECSClient is the part of the ECS API a live comparison calls. *ecs.Client implements it.
type ECSClient interface {
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// LiveQuery says what to read from a cluster.
type LiveQuery struct {
	Cluster string
	// Services are the names of the services to read. Those ECS does not know, or knows only as
	// INACTIVE (deleted), are not in the side.
	Services []string
	// Families are task definition families to read without a service: the latest ACTIVE
	// revision of each. Families ECS does not know are not in the side.
	Families []string
}

// describeServicesBatch is the most services one DescribeServices call takes.
const describeServicesBatch = 10

// Live reads the services and task definitions of q from ECS and returns them as a side, labelled
// "ecs cluster NAME". Each service comes with the task definition revision it runs, tags included.
func Live(ctx context.Context, client ECSClient, q LiveQuery) (Side, error) {
	side := Side{Label: "ecs cluster " + q.Cluster}
	for start := 0; start < len(q.Services); start += describeServicesBatch {
		batch := q.Services[start:min(start+describeServicesBatch, len(q.Services))]
		out, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{
			Cluster:  aws.String(q.Cluster),
			Services: batch,
			Include:  []types.ServiceField{types.ServiceFieldTags},
		})
		if err != nil {
			return side, fmt.Errorf("describe services %v in cluster %s: %w", batch, q.Cluster, err)
		}
		for i := range out.Services {
			s := &out.Services[i]
			if aws.ToString(s.Status) == "INACTIVE" {
				continue
			}
			w, err := liveService(ctx, client, s)
			if err != nil {
				return side, err
			}
			side.Workloads = append(side.Workloads, w)
		}
	}
	for _, fam := range q.Families {
		td, tags, found, err := describeTaskDefinition(ctx, client, fam)
		if err != nil {
			return side, err
		}
		if !found {
			continue
		}
		in, err := taskDefinitionFromDescribe(td, tags)
		if err != nil {
			return side, fmt.Errorf("task definition %s: %w", aws.ToString(td.TaskDefinitionArn), err)
		}
		name, _ := mapping.ECSName(aws.ToString(td.Family))
		side.Workloads = append(side.Workloads, Workload{Name: name, Sources: []string{aws.ToString(td.TaskDefinitionArn)}, TaskDefinition: in})
	}
	return side, nil
}

func liveService(ctx context.Context, client ECSClient, s *types.Service) (Workload, error) {
	svc, err := serviceFromDescribe(s)
	if err != nil {
		return Workload{}, fmt.Errorf("service %s: %w", aws.ToString(s.ServiceArn), err)
	}
	td, tags, found, err := describeTaskDefinition(ctx, client, aws.ToString(s.TaskDefinition))
	if err != nil {
		return Workload{}, err
	}
	if !found {
		return Workload{}, fmt.Errorf("service %s runs task definition %s, which ECS cannot describe", aws.ToString(s.ServiceArn), aws.ToString(s.TaskDefinition))
	}
	in, err := taskDefinitionFromDescribe(td, tags)
	if err != nil {
		return Workload{}, fmt.Errorf("task definition %s: %w", aws.ToString(td.TaskDefinitionArn), err)
	}
	name, _ := mapping.ECSName(aws.ToString(s.ServiceName))
	return Workload{
		Name:           name,
		Sources:        []string{aws.ToString(s.ServiceArn), aws.ToString(td.TaskDefinitionArn)},
		TaskDefinition: in,
		Service:        svc,
	}, nil
}

// describeTaskDefinition reads a task definition with its tags. ECS answers ClientException for a
// family or revision it does not know; found is false then.
func describeTaskDefinition(ctx context.Context, client ECSClient, ref string) (td *types.TaskDefinition, tags []types.Tag, found bool, err error) {
	out, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: aws.String(ref),
		Include:        []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "ClientException" {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("describe task definition %s: %w", ref, err)
	}
	if out.TaskDefinition == nil {
		return nil, nil, false, nil
	}
	return out.TaskDefinition, out.Tags, true, nil
}
