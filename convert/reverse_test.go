package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

// rvConvertString runs the converter over one input document stream.
func rvConvertString(t *testing.T, in string, opts Options) Result {
	t.Helper()
	conv := NewConverter(opts)
	require.NoError(t, ReadDocuments(strings.NewReader(in), "in.json", ReadOptions{}, conv.Add, func(e *DocError) { conv.AddError(e) }))
	return conv.Finish()
}

func TestDecodeECSForms(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantTDs   int
		wantSvcs  int
		wantPath  string // path of the read-only finding, if any
		wantNames []string
	}{
		{"register input", `{"family":"web","containerDefinitions":[{"name":"a","image":"i"}]}`, 1, 0, "", nil},
		{"describe-task-definition", `{"taskDefinition":{"family":"web","revision":3,"status":"ACTIVE","compatibilities":["EC2"],"containerDefinitions":[{"name":"a","image":"i"}]},"tags":[{"key":"k","value":"v"}]}`,
			1, 0, "taskDefinition", []string{"compatibilities", "revision", "status"}},
		{"create-service input", `{"serviceName":"web","taskDefinition":"web:3"}`, 0, 1, "", nil},
		{"describe-services", `{"services":[{"serviceName":"a","taskDefinition":"a","runningCount":2},{"serviceName":"b","taskDefinition":"b"}],"failures":[]}`,
			0, 2, "services[0]", []string{"runningCount"}},
		{"create-service output", `{"service":{"serviceName":"a","taskDefinition":"a","status":"ACTIVE","clusterArn":"arn:aws:ecs:eu-west-1:1:cluster/x"}}`,
			0, 1, "service", []string{"status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs []Document
			require.NoError(t, ReadDocuments(strings.NewReader(tt.in), "x.json", ReadOptions{}, func(d Document) { docs = append(docs, d) }, func(e *DocError) { t.Fatal(e) }))
			require.Len(t, docs, 1)
			tds, svcs, err := decodeECS(docs[0])
			require.NoError(t, err)
			assert.Len(t, tds, tt.wantTDs)
			assert.Len(t, svcs, tt.wantSvcs)
			var fs mapping.Findings
			for _, d := range tds {
				fs = append(fs, d.fs...)
			}
			for _, s := range svcs {
				fs = append(fs, s.fs...)
			}
			if tt.wantPath == "" {
				assert.Empty(t, fs)
				return
			}
			require.Len(t, fs, 1)
			assert.Equal(t, tt.wantPath, fs[0].Path)
			assert.Equal(t, mapping.Info, fs[0].Level)
			for _, n := range tt.wantNames {
				assert.Contains(t, fs[0].Message, n)
			}
		})
	}
}

func TestDecodeECSDescribedDetails(t *testing.T) {
	in := `{"services":[{"serviceName":"a","taskDefinition":"a","desiredCount":0,"clusterArn":"arn:aws:ecs:eu-west-1:1:cluster/x","roleArn":"arn:aws:iam::1:role/r",
	"deployments":[{"status":"ACTIVE","serviceConnectConfiguration":{"enabled":false}},{"status":"PRIMARY","serviceConnectConfiguration":{"enabled":true,"namespace":"ns"}}]}]}`
	var docs []Document
	require.NoError(t, ReadDocuments(strings.NewReader(in), "x.json", ReadOptions{}, func(d Document) { docs = append(docs, d) }, func(e *DocError) { t.Fatal(e) }))
	_, svcs, err := decodeECS(docs[0])
	require.NoError(t, err)
	require.Len(t, svcs, 1)
	svc := svcs[0].svc
	assert.Equal(t, int32(0), aws.ToInt32(svc.DesiredCount), "a described desiredCount of 0 is kept")
	require.NotNil(t, svc.DesiredCount)
	assert.Equal(t, "arn:aws:ecs:eu-west-1:1:cluster/x", aws.ToString(svc.Cluster))
	assert.Equal(t, "arn:aws:iam::1:role/r", aws.ToString(svc.Role))
	require.NotNil(t, svc.ServiceConnectConfiguration)
	assert.True(t, svc.ServiceConnectConfiguration.Enabled, "taken from the PRIMARY deployment")
	assert.NotContains(t, svcs[0].fs[0].Message, "clusterArn")
}

func TestDecodeECSStrictErrors(t *testing.T) {
	tests := []struct {
		name, in, wantPath string
	}{
		{"unknown container member", `{"family":"web","containerDefinitions":[{"name":"a","imag":"i"}]}`, "containerDefinitions[0].imag"},
		{"wrong type", `{"family":"web","containerDefinitions":[{"name":"a","image":"i","cpu":"x"}]}`, "containerDefinitions[0].cpu"},
		{"unknown enum", `{"family":"web","networkMode":"overlay","containerDefinitions":[]}`, "networkMode"},
		{"unknown member in describe output", `{"taskDefinition":{"family":"web","containerDefinitions":[],"bogus":1}}`, "taskDefinition.bogus"},
		{"unknown wrapper member", `{"taskDefinition":{"family":"web","containerDefinitions":[]},"extra":1}`, "extra"},
		{"unknown service member", `{"serviceName":"s","taskDefinition":"t","desiredcount":1}`, "desiredcount"},
		{"unknown member in describe-services", `{"services":[{"serviceName":"s","foo":1}]}`, "services[0].foo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := rvConvertString(t, tt.in, Options{})
			require.Len(t, res.Errors, 1)
			var de *DocError
			require.True(t, errors.As(res.Errors[0], &de))
			assert.Equal(t, tt.wantPath, de.Path)
			assert.Equal(t, "in.json", de.Doc.Source)
			assert.Equal(t, 1, de.Doc.Index)
			assert.Contains(t, res.Errors[0].Error(), "in.json: doc 1")
			assert.Empty(t, res.Manifests)
		})
	}
}

func TestMatchTaskDefinition(t *testing.T) {
	td := func(family string, rev int32, arn string) *ecsInputTD {
		return &ecsInputTD{td: &ecs.RegisterTaskDefinitionInput{Family: aws.String(family)}, revision: rev, arn: arn}
	}
	const arn5 = "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:5"
	tds := []*ecsInputTD{td("web", 4, ""), td("web", 5, arn5), td("api", 0, ""), td("api", 0, "")}
	tests := []struct {
		ref     string
		want    *ecsInputTD
		wantErr string
	}{
		{"web", tds[1], ""},
		{"web:4", tds[0], ""},
		{arn5, tds[1], ""},
		{"arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4", tds[0], ""},
		{"api", tds[3], ""},
		{"api:9", tds[3], ""},
		{"web:9", nil, "no task definition"},
		{"db", nil, `family "db"`},
		{"", nil, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := matchTaskDefinition(tt.ref, tds)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Same(t, tt.want, got)
		})
	}
}

func TestServiceWithoutTaskDefinitionIsAnError(t *testing.T) {
	res := rvConvertString(t, `{"serviceName":"web","taskDefinition":"web:3"}`, Options{})
	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error(), "taskDefinition")
	assert.Contains(t, res.Errors[0].Error(), `no task definition of family "web"`)
}

// rvContainer builds a container definition for the classification tests.
func rvContainer(name string, essential *bool, deps ...types.ContainerDependency) types.ContainerDefinition {
	return types.ContainerDefinition{Name: aws.String(name), Image: aws.String("img"), Essential: essential, DependsOn: deps}
}

func rvDep(name string, c types.ContainerCondition) types.ContainerDependency {
	return types.ContainerDependency{ContainerName: aws.String(name), Condition: c}
}

func rvReverse(t *testing.T, td *ecs.RegisterTaskDefinitionInput, svc *ecs.CreateServiceInput, opts ReverseOptions) (*Manifest, []Finding) {
	t.Helper()
	m, fs := Reverse(ReverseInput{TaskDefinition: td, Service: svc}, opts)
	require.NotNil(t, m)
	for _, f := range fs {
		require.NotContains(t, f.Message, "does not give this field back", f.String())
	}
	return m, fs
}

func rvPodSpec(t *testing.T, m *Manifest) corev1.PodSpec {
	t.Helper()
	for _, o := range m.Objects {
		switch x := o.(type) {
		case *corev1.Pod:
			return x.Spec
		case *appsv1.Deployment:
			return x.Spec.Template.Spec
		case *appsv1.DaemonSet:
			return x.Spec.Template.Spec
		}
	}
	t.Fatal("no workload")
	return corev1.PodSpec{}
}

func rvNames(cs []corev1.Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func rvHasFinding(fs []Finding, path, substr string) bool {
	for _, f := range fs {
		if f.Path == path && strings.Contains(f.Message, substr) {
			return true
		}
	}
	return false
}

func TestReverseContainerRoles(t *testing.T) {
	no, yes := aws.Bool(false), aws.Bool(true)
	sidecar := func(name string) types.ContainerDefinition {
		c := rvContainer(name, no)
		c.RestartPolicy = &types.ContainerRestartPolicy{Enabled: yes}
		return c
	}
	tests := []struct {
		name               string
		defs               []types.ContainerDefinition
		wantInit, wantApps []string
		wantSidecars       []string
		wantFinding        string // path
	}{
		{
			name: "init chain in dependency order, not task definition order",
			defs: []types.ContainerDefinition{
				rvContainer("app", nil, rvDep("migrate", types.ContainerConditionSuccess)),
				rvContainer("migrate", no, rvDep("wait", types.ContainerConditionSuccess)),
				rvContainer("wait", no),
			},
			wantInit: []string{"wait", "migrate"}, wantApps: []string{"app"},
		},
		{
			name: "sidecar needs restart policy; HEALTHY gives a startup probe",
			defs: []types.ContainerDefinition{
				rvContainer("app", yes, rvDep("proxy", types.ContainerConditionHealthy), rvDep("plain", types.ContainerConditionStart)),
				sidecar("proxy"),
				rvContainer("plain", no),
			},
			wantInit: []string{"proxy"}, wantSidecars: []string{"proxy"}, wantApps: []string{"app", "plain"},
			wantFinding: "containerDefinitions[2].essential",
		},
		{
			name: "an essential container others wait for stays an app container",
			defs: []types.ContainerDefinition{
				rvContainer("web", yes, rvDep("php", types.ContainerConditionStart)),
				rvContainer("php", yes),
			},
			wantApps: []string{"web", "php"}, wantFinding: "containerDefinitions[0].dependsOn[0]",
		},
		{
			name: "COMPLETE is reported",
			defs: []types.ContainerDefinition{
				rvContainer("app", nil, rvDep("seed", types.ContainerConditionComplete)),
				rvContainer("seed", no),
			},
			wantInit: []string{"seed"}, wantApps: []string{"app"}, wantFinding: "containerDefinitions[0].dependsOn[0]",
		},
		{
			name: "a cycle keeps the task definition order",
			defs: []types.ContainerDefinition{
				rvContainer("app", nil, rvDep("a", types.ContainerConditionSuccess)),
				rvContainer("b", no, rvDep("a", types.ContainerConditionSuccess)),
				rvContainer("a", no, rvDep("b", types.ContainerConditionSuccess)),
			},
			wantInit: []string{"b", "a"}, wantApps: []string{"app"}, wantFinding: "containerDefinitions",
		},
		{
			name: "an unknown dependency is dropped",
			defs: []types.ContainerDefinition{
				rvContainer("app", nil, rvDep("ghost", types.ContainerConditionSuccess)),
			},
			wantApps: []string{"app"}, wantFinding: "containerDefinitions[0].dependsOn[0]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: tt.defs}
			m, fs := rvReverse(t, td, nil, ReverseOptions{})
			spec := rvPodSpec(t, m)
			assert.Equal(t, tt.wantInit, rvNames(spec.InitContainers))
			assert.Equal(t, tt.wantApps, rvNames(spec.Containers))
			var sidecars []string
			for _, c := range spec.InitContainers {
				if isSidecar(&c) {
					sidecars = append(sidecars, c.Name)
				}
			}
			assert.Equal(t, tt.wantSidecars, sidecars)
			if tt.wantFinding != "" {
				found := false
				for _, f := range fs {
					found = found || (f.Path == tt.wantFinding && f.Level == mapping.Lossy)
				}
				assert.True(t, found, "a lossy finding at %s in %v", tt.wantFinding, fs)
			}
		})
	}
}

func TestReverseHealthySidecarGetsStartupProbe(t *testing.T) {
	proxy := rvContainer("proxy", aws.Bool(false))
	proxy.RestartPolicy = &types.ContainerRestartPolicy{Enabled: aws.Bool(true)}
	proxy.HealthCheck = &types.HealthCheck{Command: []string{"CMD-SHELL", "curl -fsS http://localhost:9901/ready || exit 1"}}
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []types.ContainerDefinition{
		rvContainer("app", nil, rvDep("proxy", types.ContainerConditionHealthy)), proxy,
	}}
	m, _ := rvReverse(t, td, nil, ReverseOptions{})
	spec := rvPodSpec(t, m)
	require.Len(t, spec.InitContainers, 1)
	c := spec.InitContainers[0]
	assert.Nil(t, c.LivenessProbe)
	require.NotNil(t, c.StartupProbe)
	require.NotNil(t, c.StartupProbe.HTTPGet)
	assert.Equal(t, "/ready", c.StartupProbe.HTTPGet.Path)
	assert.Equal(t, int32(30), c.StartupProbe.PeriodSeconds, "ECS default interval")
}

func TestReverseNamesAndReferences(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{
		Family: aws.String("My_App"),
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("App_Main"), Image: aws.String("i"), MountPoints: []types.MountPoint{{SourceVolume: aws.String("Data_Vol"), ContainerPath: aws.String("/d")}},
				DependsOn: []types.ContainerDependency{rvDep("app-main", types.ContainerConditionSuccess)}},
			{Name: aws.String("app-main"), Image: aws.String("i"), Essential: aws.Bool(false)},
		},
		Volumes: []types.Volume{{Name: aws.String("Data_Vol")}},
	}
	m, fs := rvReverse(t, td, nil, ReverseOptions{})
	assert.Equal(t, "my-app", m.Name)
	spec := rvPodSpec(t, m)
	assert.Equal(t, []string{"app-main-2"}, rvNames(spec.InitContainers), "a colliding name gets a suffix")
	assert.Equal(t, []string{"app-main"}, rvNames(spec.Containers))
	require.Len(t, spec.Volumes, 1)
	assert.Equal(t, "data-vol", spec.Volumes[0].Name)
	assert.Equal(t, "data-vol", spec.Containers[0].VolumeMounts[0].Name, "mounts follow the volume rename")
	assert.True(t, rvHasFinding(fs, "containerDefinitions[0].name", `renamed "app-main"`))
	assert.True(t, rvHasFinding(fs, "family", `"my-app"`))
}

func TestReverseServiceNameStartsWithLetter(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("2048"), ContainerDefinitions: []types.ContainerDefinition{
		{Name: aws.String("game"), Image: aws.String("i"), PortMappings: []types.PortMapping{{ContainerPort: aws.Int32(80)}}},
	}}
	svc := &ecs.CreateServiceInput{ServiceName: aws.String("2048"), TaskDefinition: aws.String("2048"), DesiredCount: aws.Int32(2)}
	m, _ := rvReverse(t, td, svc, ReverseOptions{})
	s := rvFindObject[*corev1.Service](t, m.Objects)
	assert.Equal(t, "svc-2048", s.Name)
	assert.Equal(t, "2048", rvFindObject[*appsv1.Deployment](t, m.Objects).Name)
}

func TestReverseKinds(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("w"), Image: aws.String("i")}}}
	tests := []struct {
		name string
		svc  *ecs.CreateServiceInput
		opts ReverseOptions
		want string
	}{
		{"task definition alone", nil, ReverseOptions{}, "Pod"},
		{"--kind deployment", nil, ReverseOptions{Kind: KindDeployment}, "Deployment"},
		{"REPLICA service", &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web")}, ReverseOptions{}, "Deployment"},
		{"DAEMON service", &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"), SchedulingStrategy: types.SchedulingStrategyDaemon}, ReverseOptions{Kind: KindDeployment}, "DaemonSet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := rvReverse(t, td, tt.svc, tt.opts)
			var kinds []string
			for _, o := range m.Objects {
				kinds = append(kinds, o.GetObjectKind().GroupVersionKind().Kind)
			}
			assert.Equal(t, []string{tt.want}, kinds, "no ports: no Service")
		})
	}
}

func TestReverseRollout(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{Name: aws.String("w"), Image: aws.String("i")}}}
	tests := []struct {
		name           string
		desired        *int32
		maxPct, minPct *int32
		wantType       appsv1.DeploymentStrategyType
		surge, unavail string
		wantLossy      bool
	}{
		{"ECS defaults", aws.Int32(4), nil, nil, appsv1.RollingUpdateDeploymentStrategyType, "4", "0", false},
		{"150/50 of 4", aws.Int32(4), aws.Int32(150), aws.Int32(50), appsv1.RollingUpdateDeploymentStrategyType, "2", "2", false},
		{"100/0 is Recreate", aws.Int32(3), aws.Int32(100), aws.Int32(0), appsv1.RecreateDeploymentStrategyType, "", "", false},
		{"100/100 has no room", aws.Int32(3), aws.Int32(100), aws.Int32(100), appsv1.RollingUpdateDeploymentStrategyType, "0", "1", true},
		{"no desired count", nil, aws.Int32(200), aws.Int32(50), appsv1.RollingUpdateDeploymentStrategyType, "1", "0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := &ecs.CreateServiceInput{ServiceName: aws.String("web"), TaskDefinition: aws.String("web"), DesiredCount: tt.desired}
			if tt.maxPct != nil {
				svc.DeploymentConfiguration = &types.DeploymentConfiguration{MaximumPercent: tt.maxPct, MinimumHealthyPercent: tt.minPct}
			}
			m, fs := rvReverse(t, td, svc, ReverseOptions{})
			d := rvFindObject[*appsv1.Deployment](t, m.Objects)
			assert.Equal(t, tt.desired, d.Spec.Replicas)
			assert.Equal(t, tt.wantType, d.Spec.Strategy.Type)
			if tt.surge != "" {
				require.NotNil(t, d.Spec.Strategy.RollingUpdate)
				assert.Equal(t, tt.surge, d.Spec.Strategy.RollingUpdate.MaxSurge.String())
				assert.Equal(t, tt.unavail, d.Spec.Strategy.RollingUpdate.MaxUnavailable.String())
			}
			assert.Equal(t, tt.wantLossy, rvHasFinding(fs, "deploymentConfiguration", "no room"))
		})
	}
}

func TestReverseSecretsAndExternalSecrets(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("app"), ContainerDefinitions: []types.ContainerDefinition{{
		Name: aws.String("app"), Image: aws.String("i"),
		Secrets: []types.Secret{
			{Name: aws.String("PW"), ValueFrom: aws.String("arn:aws:secretsmanager:eu-west-1:1:secret:prod/db-AbCdEf:password:AWSCURRENT:")},
			{Name: aws.String("USER"), ValueFrom: aws.String("arn:aws:secretsmanager:eu-west-1:1:secret:prod/db-AbCdEf:username::")},
			{Name: aws.String("OLD_PW"), ValueFrom: aws.String("arn:aws:secretsmanager:eu-west-1:1:secret:prod/db-AbCdEf:password::v-1")},
			{Name: aws.String("TOKEN"), ValueFrom: aws.String("/prod/token")},
			{Name: aws.String("OTHER_REGION"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf")},
		},
	}}}
	m, fs := rvReverse(t, td, nil, ReverseOptions{ExternalSecrets: true})
	env := map[string]string{}
	for _, e := range rvPodSpec(t, m).Containers[0].Env {
		env[e.Name] = e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
	}
	assert.Equal(t, map[string]string{
		"PW": "prod-db-abcdef/password", "USER": "prod-db-abcdef/username", "OLD_PW": "prod-db-abcdef/password-2",
		"TOKEN": "prod-token/TOKEN", "OTHER_REGION": "prod-db-abcdef-2/OTHER_REGION",
	}, env)
	var es []*ExternalSecret
	for _, o := range m.Objects {
		if x, ok := o.(*ExternalSecret); ok {
			es = append(es, x)
		}
	}
	require.Len(t, es, 3)
	assert.Equal(t, "prod-db-abcdef", es[0].Name)
	assert.Equal(t, StoreSecretsManager, es[0].Spec.SecretStoreRef.Name)
	assert.Equal(t, []ExternalSecretData{
		{SecretKey: "password", RemoteRef: RemoteRef{Key: "arn:aws:secretsmanager:eu-west-1:1:secret:prod/db-AbCdEf", Property: "password", Version: "AWSCURRENT"}},
		{SecretKey: "password-2", RemoteRef: RemoteRef{Key: "arn:aws:secretsmanager:eu-west-1:1:secret:prod/db-AbCdEf", Property: "password", Version: "uuid/v-1"}},
		{SecretKey: "username", RemoteRef: RemoteRef{Key: "arn:aws:secretsmanager:eu-west-1:1:secret:prod/db-AbCdEf", Property: "username"}},
	}, es[0].Spec.Data)
	assert.Equal(t, "prod-db-abcdef-2", es[1].Name, "another region is another secret")
	assert.Equal(t, StoreParameterStore, es[2].Spec.SecretStoreRef.Name)
	assert.Equal(t, "/prod/token", es[2].Spec.Data[0].RemoteRef.Key)
	for _, f := range fs {
		if strings.Contains(f.Path, ".secrets[") {
			assert.Equal(t, mapping.Info, f.Level, "with --external-secrets the Secret is filled: %s", f)
		}
	}
	_, fs = rvReverse(t, td, nil, ReverseOptions{})
	assert.True(t, rvHasFinding(fs, "containerDefinitions[0].secrets[3].valueFrom", `SSM parameter "/prod/token"`))
}

func TestReverseTaskSizeOnEssentialContainer(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("job"), Cpu: aws.String("0.5 vCPU"), Memory: aws.String("2GB"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate}, NetworkMode: types.NetworkModeAwsvpc,
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("helper"), Image: aws.String("i"), Essential: aws.Bool(false)},
			{Name: aws.String("main"), Image: aws.String("i")},
		}}
	m, fs := rvReverse(t, td, nil, ReverseOptions{})
	spec := rvPodSpec(t, m)
	assert.Empty(t, spec.Containers[0].Resources.Limits, "helper is not essential")
	lim := spec.Containers[1].Resources.Limits
	assert.Equal(t, "500m", lim.Cpu().String())
	assert.Equal(t, "2Gi", lim.Memory().String())
	assert.True(t, rvHasFinding(fs, "cpu", "becomes the cpu limit of container main"))
	assert.True(t, rvHasFinding(fs, "memory", "becomes the memory limit of container main"))
}

func TestReversePodLevelSettings(t *testing.T) {
	sc := []types.SystemControl{{Namespace: aws.String("net.core.somaxconn"), Value: aws.String("1024")}}
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), NetworkMode: types.NetworkModeHost, PidMode: types.PidModeHost, IpcMode: types.IpcModeHost,
		ContainerDefinitions: []types.ContainerDefinition{
			{Name: aws.String("a"), Image: aws.String("i"), StopTimeout: aws.Int32(10), SystemControls: sc, DnsServers: []string{"10.0.0.2"}},
			{Name: aws.String("b"), Image: aws.String("i"), StopTimeout: aws.Int32(90), SystemControls: sc, DnsServers: []string{"10.0.0.3"}},
		}}
	m, fs := rvReverse(t, td, nil, ReverseOptions{})
	spec := rvPodSpec(t, m)
	assert.True(t, spec.HostNetwork)
	assert.True(t, spec.HostPID)
	assert.True(t, spec.HostIPC)
	assert.Equal(t, int64(90), *spec.TerminationGracePeriodSeconds, "the largest stopTimeout")
	assert.True(t, rvHasFinding(fs, "containerDefinitions", "different stopTimeout"))
	assert.Nil(t, spec.SecurityContext, "net.* sysctls cannot be set with host networking")
	assert.Nil(t, spec.DNSConfig, "the containers' DNS servers differ")
	assert.Equal(t, LaunchEC2, m.Objects[0].GetAnnotations()[AnnotationLaunchType])
}

func TestReverseTmpfsAndMounts(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), Volumes: []types.Volume{{Name: aws.String("data")}},
		ContainerDefinitions: []types.ContainerDefinition{{
			Name: aws.String("a"), Image: aws.String("i"),
			MountPoints: []types.MountPoint{
				{SourceVolume: aws.String("data"), ContainerPath: aws.String("/d"), ReadOnly: aws.Bool(true)},
				{SourceVolume: aws.String("data"), ContainerPath: aws.String("/d")},
				{SourceVolume: aws.String("nope"), ContainerPath: aws.String("/n")},
			},
			LinuxParameters: &types.LinuxParameters{Tmpfs: []types.Tmpfs{{ContainerPath: aws.String("/run"), Size: 64, MountOptions: []string{"ro", "noexec"}}}},
		}}}
	m, fs := rvReverse(t, td, nil, ReverseOptions{})
	spec := rvPodSpec(t, m)
	require.Len(t, spec.Volumes, 2)
	assert.Equal(t, corev1.StorageMediumMemory, spec.Volumes[1].EmptyDir.Medium)
	assert.Equal(t, "64Mi", spec.Volumes[1].EmptyDir.SizeLimit.String())
	assert.Equal(t, []corev1.VolumeMount{
		{Name: "data", MountPath: "/d", ReadOnly: true},
		{Name: "a-tmpfs-0", MountPath: "/run", ReadOnly: true},
	}, spec.Containers[0].VolumeMounts)
	assert.True(t, rvHasFinding(fs, "containerDefinitions[0].mountPoints[1]", "second mount"))
	assert.True(t, rvHasFinding(fs, "containerDefinitions[0].mountPoints[2]", `no volume named "nope"`))
	assert.True(t, rvHasFinding(fs, "containerDefinitions[0].linuxParameters.tmpfs[0].mountOptions", "noexec"))
}

func TestReverseEscapesExpansion(t *testing.T) {
	td := &ecs.RegisterTaskDefinitionInput{Family: aws.String("x"), ContainerDefinitions: []types.ContainerDefinition{{
		Name: aws.String("a"), Image: aws.String("i"), EntryPoint: []string{"sh", "-c"}, Command: []string{"echo $(date) $$ $HOME"},
		Environment: []types.KeyValuePair{{Name: aws.String("P"), Value: aws.String("a$$(b)")}},
	}}}
	m, _ := rvReverse(t, td, nil, ReverseOptions{})
	c := rvPodSpec(t, m).Containers[0]
	assert.Equal(t, []string{"echo $$(date) $$$ $HOME"}, c.Args, "$ before ( or $ is doubled, others kept")
	assert.Equal(t, "a$$$$(b)", c.Env[0].Value)
}

func TestRestoreLeavesPlainKubernetesAlone(t *testing.T) {
	in := `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
`
	res := rvConvertString(t, in, Options{})
	require.Len(t, res.Outputs, 1)
	assert.Equal(t, "web", aws.ToString(res.Outputs[0].TaskDefinition.Family))
	require.NotNil(t, res.Outputs[0].TaskDefinition.ContainerDefinitions[0].LogConfiguration, "the forward defaults stay")
	for _, f := range res.Findings {
		assert.NotContains(t, f.Message, "restored")
	}
}

func TestPatchSetApply(t *testing.T) {
	raw := map[string]any{"family": "web", "cpu": "256", containersKey: []any{
		map[string]any{"name": "a", "essential": true, "secrets": []any{map[string]any{"name": "S", "valueFrom": "placeholder"}}},
		map[string]any{"name": "b"},
	}}
	clone := func() map[string]any {
		var m map[string]any
		b, _ := json.Marshal(raw)
		require.NoError(t, decodeNumbers(b, &m))
		return m
	}
	ps := patchSet{
		orderPath:                            {ECS: rawJSON([]any{"b", "a"}), K8s: digest([]any{"a", "b"})},
		"family":                             {ECS: rawJSON("Web_App"), K8s: digest("web")},
		"cpu":                                {ECS: rawJSON("512"), K8s: digest("1024")}, // stale: the spec changed
		"executionRoleArn":                   {ECS: rawJSON("arn:role")},                 // unconditional
		"containerDefinitions[a].essential":  {ECS: rawJSON(nil), K8s: digest(true)},
		"containerDefinitions[a].name":       {ECS: rawJSON("A_x"), K8s: digest("a")},
		"containerDefinitions[a].secrets[S]": {ECS: rawJSON("arn:secret"), K8s: digest("placeholder")},
		"containerDefinitions[b].linuxParameters.initProcessEnabled": {ECS: rawJSON(true), K8s: digest(nil)},
		"containerDefinitions[gone].image":                           {ECS: rawJSON("x"), K8s: digest(nil)},
	}
	res := clone()
	r, err := ps.apply(raw, res, nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"cpu", "containerDefinitions[gone].image"}, r.stale)
	assert.Equal(t, "Web_App", res["family"])
	assert.Equal(t, "256", res["cpu"], "a stale patch leaves the Kubernetes value")
	assert.Equal(t, "arn:role", res["executionRoleArn"])
	cs := res[containersKey].([]any)
	b, a := cs[0].(map[string]any), cs[1].(map[string]any)
	assert.Equal(t, "b", b["name"], "reordered")
	assert.Equal(t, map[string]any{"initProcessEnabled": true}, b["linuxParameters"])
	assert.Equal(t, "A_x", a["name"], "renamed after the other patches found it")
	assert.NotContains(t, a, "essential")
	assert.Equal(t, "arn:secret", a["secrets"].([]any)[0].(map[string]any)["valueFrom"])
}

func TestDiffTaskDefinitionIgnoresOrderOfUnorderedLists(t *testing.T) {
	o := map[string]any{"tags": []any{map[string]any{"key": "b"}, map[string]any{"key": "a"}}, containersKey: []any{
		map[string]any{"name": "x", "environment": []any{map[string]any{"name": "B"}, map[string]any{"name": "A"}}},
	}}
	f := map[string]any{"tags": []any{map[string]any{"key": "a"}, map[string]any{"key": "b"}}, containersKey: []any{
		map[string]any{"name": "x", "environment": []any{map[string]any{"name": "A"}, map[string]any{"name": "B"}}, "placementConstraints": []any{}},
	}}
	assert.Empty(t, diffTaskDefinition(o, f, []string{"x"}, nil))
}

// TestReverseRulesCoverECSMembers checks that every member of the ECS types the reverse direction
// reads has a rule, so a new SDK field cannot pass unreported.
func TestReverseRulesCoverECSMembers(t *testing.T) {
	check := func(table []mapping.ECSRule, prefix string, v any, skip ...string) {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			name := ecsjson.MemberName(f.Name)
			if !f.IsExported() || f.Name == "ResultMetadata" || containsString(skip, name) {
				continue
			}
			_, ok := mapping.LookupECSRule(table, prefix+name)
			if !ok {
				_, ok = mapping.LookupECSRule(table, prefix+name+"[]")
			}
			assert.True(t, ok, "no rule for %s%s", prefix, name)
		}
	}
	check(mapping.TaskDefinitionRules, "", ecs.RegisterTaskDefinitionInput{})
	check(mapping.TaskDefinitionRules, "containerDefinitions[].", types.ContainerDefinition{})
	check(mapping.TaskDefinitionRules, "containerDefinitions[].linuxParameters.", types.LinuxParameters{})
	check(mapping.TaskDefinitionRules, "volumes[].", types.Volume{})
	check(mapping.ECSServiceRules, "", ecs.CreateServiceInput{})
	check(mapping.ECSServiceRules, "deploymentConfiguration.", types.DeploymentConfiguration{})
}

// TestReverseDocs keeps the field tables of docs/reverse.md in step with the rule tables;
// -update rewrites them.
func TestReverseDocs(t *testing.T) {
	const path, begin, end = "../docs/reverse.md", "<!-- begin generated tables -->\n", "<!-- end generated tables -->"
	var tables bytes.Buffer
	require.NoError(t, mapping.RenderReverseMarkdown(&tables))
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(doc)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	require.True(t, i >= 0 && j > i, "docs/reverse.md needs the generated-table markers")
	want := s[:i+len(begin)] + tables.String() + s[j:]
	if rvUpdate() {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		return
	}
	assert.Equal(t, want, s, "run go test ./convert -run TestReverseDocs -update")
}
