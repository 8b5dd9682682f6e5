// Package ecsapi talks to the Amazon ECS API for podecs: it builds the SDK client from the standard
// AWS settings, compares what podecs wants with what runs (ignoring what the API fills in or
// reports on its own), and plans and applies the few calls that make them equal. The other AWS
// services podecs calls (verify's reads, Application Auto Scaling) go through the small client of
// awsclient.go on the same AWS settings.
package ecsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// ECS holds the calls podecs makes. *ecs.Client satisfies it; tests use the real client against
// an emulator.
type ECS interface {
	ListTaskDefinitions(ctx context.Context, in *ecs.ListTaskDefinitionsInput, optFns ...func(*ecs.Options)) (*ecs.ListTaskDefinitionsOutput, error)
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
	RegisterTaskDefinition(ctx context.Context, in *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	DescribeClusters(ctx context.Context, in *ecs.DescribeClustersInput, optFns ...func(*ecs.Options)) (*ecs.DescribeClustersOutput, error)
	CreateCluster(ctx context.Context, in *ecs.CreateClusterInput, optFns ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error)
	ListServices(ctx context.Context, in *ecs.ListServicesInput, optFns ...func(*ecs.Options)) (*ecs.ListServicesOutput, error)
	DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	CreateService(ctx context.Context, in *ecs.CreateServiceInput, optFns ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error)
	UpdateService(ctx context.Context, in *ecs.UpdateServiceInput, optFns ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
}

var _ ECS = (*ecs.Client)(nil)

// Options select the account, region and endpoint. Empty fields fall back to the standard AWS
// settings: environment variables, the shared config and credentials files, then the instance or
// container role.
type Options struct {
	// Region overrides AWS_REGION and the profile's region.
	Region string
	// Profile is the shared config profile (AWS_PROFILE otherwise).
	Profile string
	// EndpointURL replaces the ECS endpoint (an emulator, a VPC endpoint); AWS_ENDPOINT_URL and
	// AWS_ENDPOINT_URL_ECS are honoured when it is empty.
	EndpointURL string
	// Timeout bounds each HTTP attempt (DefaultRequestTimeout when zero).
	Timeout time.Duration
}

// Retry and timeout bounds. Throttling and transient errors are retried by the SDK's standard
// retryer with jittered exponential backoff; the bounds keep an unreachable endpoint from holding a
// run for minutes (at most MaxAttempts × DefaultRequestTimeout plus MaxBackoff between attempts).
const (
	DefaultRequestTimeout = 30 * time.Second
	MaxAttempts           = 4
	MaxBackoff            = 4 * time.Second
	// dialTimeout bounds a TCP connect to an endpoint that drops packets.
	dialTimeout = 10 * time.Second
)

// NewClient builds an ECS client from the standard AWS configuration chain and o.
func NewClient(ctx context.Context, o Options) (*ecs.Client, error) {
	cfg, err := awsConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	return ecs.NewFromConfig(cfg, func(eo *ecs.Options) {
		if o.EndpointURL != "" {
			eo.BaseEndpoint = aws.String(o.EndpointURL)
		}
	}), nil
}

// awsConfig loads the standard AWS configuration with podecs' timeouts and retries, and o's
// region and profile; the region is required.
func awsConfig(ctx context.Context, o Options) (aws.Config, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	httpClient := awshttp.NewBuildableClient().
		WithTimeout(timeout).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = min(timeout, dialTimeout) })
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(httpClient),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = MaxAttempts
				so.MaxBackoff = MaxBackoff
			})
		}),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: use --region, set AWS_REGION, or give the profile a region")
	}
	return cfg, nil
}
