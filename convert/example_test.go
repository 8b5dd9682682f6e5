package convert_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podecs/podecs/convert"
	"github.com/podecs/podecs/convert/ecsjson"
	"github.com/podecs/podecs/mapping"
)

const deploymentYAML = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests: {cpu: 250m, memory: 256Mi}
          limits: {memory: 512Mi}
`

// Convert a Deployment to the ECS task definition and service that run it: read the documents,
// add them to a Converter, and Finish. Each Output renders to the JSON files the ECS API takes
// (aws ecs register-task-definition --cli-input-json, aws ecs create-service --cli-input-json).
func Example() {
	conv := convert.NewConverter(convert.Options{Config: convert.DefaultConfig()})
	err := convert.ReadDocuments(strings.NewReader(deploymentYAML), "web.yaml", convert.ReadOptions{},
		conv.Add, func(e *convert.DocError) { conv.AddError(e) })
	if err != nil {
		log.Fatal(err)
	}
	res := conv.Finish()
	if len(res.Errors) > 0 {
		log.Fatal(errors.Join(res.Errors...))
	}
	for _, out := range res.Outputs {
		files, err := out.Files()
		if err != nil {
			log.Fatal(err)
		}
		for _, f := range files {
			fmt.Println("==>", f.Name)
		}
		fmt.Print(string(files[0].Data))
	}
	// Output:
	// ==> web.taskdef.json
	// ==> web.service.json
	// {
	//   "containerDefinitions": [
	//     {
	//       "cpu": 256,
	//       "essential": true,
	//       "image": "nginx:1.27",
	//       "logConfiguration": {
	//         "logDriver": "awslogs",
	//         "options": {
	//           "awslogs-group": "/ecs/web",
	//           "awslogs-stream-prefix": "ecs"
	//         }
	//       },
	//       "memory": 512,
	//       "memoryReservation": 256,
	//       "name": "web",
	//       "portMappings": [
	//         {
	//           "containerPort": 80,
	//           "protocol": "tcp"
	//         }
	//       ]
	//     }
	//   ],
	//   "family": "web",
	//   "cpu": "256",
	//   "memory": "512",
	//   "networkMode": "awsvpc",
	//   "requiresCompatibilities": [
	//     "FARGATE"
	//   ]
	// }
}

// Each Output holds the typed aws-sdk-go-v2 inputs, ready for an ECS client
// (client.RegisterTaskDefinition, client.CreateService) or for ecsjson to render. The Config, here
// parsed from the YAML a --config file holds, supplies what the manifests cannot know.
func ExampleOutput() {
	cfg, err := convert.ParseConfig([]byte(`
cluster: shop
executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
network:
  subnets: [subnet-0a1b2c3d4e5f60001]
  securityGroups: [sg-0123456789abcdef0]
`))
	if err != nil {
		log.Fatal(err)
	}
	conv := convert.NewConverter(convert.Options{Config: cfg})
	err = convert.ReadDocuments(strings.NewReader(deploymentYAML), "web.yaml", convert.ReadOptions{},
		conv.Add, func(e *convert.DocError) { conv.AddError(e) })
	if err != nil {
		log.Fatal(err)
	}
	res := conv.Finish()
	out := res.Outputs[0]

	td := out.TaskDefinition
	c := td.ContainerDefinitions[0]
	fmt.Println("family:", aws.ToString(td.Family), "execution role:", aws.ToString(td.ExecutionRoleArn))
	fmt.Println("task cpu/memory:", aws.ToString(td.Cpu), aws.ToString(td.Memory))
	fmt.Println("container cpu/memory/reservation:", c.Cpu, aws.ToInt32(c.Memory), aws.ToInt32(c.MemoryReservation))
	fmt.Println("findings:", len(res.Findings))

	svc, err := ecsjson.Marshal(out.Service)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(svc))
	// Output:
	// family: web execution role: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
	// task cpu/memory: 256 512
	// container cpu/memory/reservation: 256 512 256
	// findings: 0
	// {
	//   "serviceName": "web",
	//   "cluster": "shop",
	//   "deploymentConfiguration": {
	//     "deploymentCircuitBreaker": {
	//       "enable": true,
	//       "rollback": false
	//     },
	//     "maximumPercent": 150,
	//     "minimumHealthyPercent": 100
	//   },
	//   "deploymentController": {
	//     "type": "ECS"
	//   },
	//   "desiredCount": 2,
	//   "enableECSManagedTags": true,
	//   "launchType": "FARGATE",
	//   "networkConfiguration": {
	//     "awsvpcConfiguration": {
	//       "subnets": [
	//         "subnet-0a1b2c3d4e5f60001"
	//       ],
	//       "assignPublicIp": "DISABLED",
	//       "securityGroups": [
	//         "sg-0123456789abcdef0"
	//       ]
	//     }
	//   },
	//   "propagateTags": "TASK_DEFINITION",
	//   "schedulingStrategy": "REPLICA",
	//   "taskDefinition": "web"
	// }
}

// Findings say what could not be carried exactly, with the document and the JSON path of the
// source field. Errors are the documents that could not be converted at all; the others are
// still converted.
func ExampleResult_findings() {
	const manifests = `
apiVersion: v1
kind: Pod
metadata:
  name: worker
spec:
  containers:
  - name: worker
    image: busybox:1.36
    command: ["sh", "-c", "sleep 3600"]
    lifecycle:
      preStop:
        exec: {command: ["sleep", "5"]}
    readinessProbe:
      exec: {command: ["test", "-f", "/tmp/ready"]}
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers:
  - name: app
    image: busybox:1.36
    resources:
      limits: {memory: 12Qi}
`
	conv := convert.NewConverter(convert.Options{Config: convert.DefaultConfig()})
	err := convert.ReadDocuments(strings.NewReader(manifests), "pods.yaml", convert.ReadOptions{},
		conv.Add, func(e *convert.DocError) { conv.AddError(e) })
	if err != nil {
		log.Fatal(err)
	}
	res := conv.Finish()
	for _, f := range res.Findings {
		if f.Level == mapping.Lossy || f.Level == mapping.Unsupported {
			fmt.Printf("%s %s/%s %s: %s\n", f.Level, f.Doc.Kind, f.Doc.Name, f.Path, f.Message)
		}
	}
	for _, err := range res.Errors {
		fmt.Println(err)
	}
	fmt.Println("converted:", len(res.Outputs))
	// Output:
	// lossy Pod/worker spec.containers[0].readinessProbe: used as the ECS health check: a failing check replaces the task, while a failing readiness probe only stops traffic; gate traffic with the load balancer target group health check
	// lossy Pod/worker config.executionRoleArn: no executionRoleArn in --config, but the task uses awslogs on Fargate, which need one
	// unsupported Pod/worker spec.containers[0].lifecycle.preStop: ECS has no pre-stop hook; containers get SIGTERM, then SIGKILL after stopTimeout
	// pods.yaml: doc 2 Pod/broken: spec.containers[0].resources.limits.memory: "12Qi" is not a quantity (e.g. 500m, 1.5, 512Mi, 1G)
	// converted: 1
}

// A Finding prints as the CLI prints it.
func ExampleFinding() {
	f := convert.Finding{
		Doc:     convert.DocRef{Source: "app.yaml", Index: 2, Kind: "Deployment", Name: "web"},
		Finding: mapping.Finding{Path: "spec.template.spec.containers[0].lifecycle.preStop", Level: mapping.Unsupported, Message: "ECS has no pre-stop hook"},
	}
	fmt.Println(f)
	// Output:
	// warning: app.yaml: doc 2 Deployment/web: spec.template.spec.containers[0].lifecycle.preStop: ECS has no pre-stop hook
}

const taskDefinitionJSON = `{
  "family": "billing",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "512",
  "memory": "1024",
  "containerDefinitions": [{
    "name": "api",
    "image": "ghcr.io/example/billing:2.0.1",
    "essential": true,
    "cpu": 256,
    "memory": 512,
    "portMappings": [{"name": "http", "containerPort": 8080}],
    "environment": [{"name": "MODE", "value": "live"}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-AbCdEf:password::"}]
  }]
}`

// ECS JSON goes through the same Converter: task definitions and services (register inputs or
// describe outputs) become Kubernetes manifests in Result.Manifests. What Kubernetes cannot say
// is kept in podecs.io/ annotations, so that converting the YAML back gives the same task
// definition.
func ExampleConverter_ecsToKubernetes() {
	conv := convert.NewConverter(convert.Options{Reverse: convert.ReverseOptions{Kind: convert.KindDeployment}})
	err := convert.ReadDocuments(strings.NewReader(taskDefinitionJSON), "billing.json", convert.ReadOptions{},
		conv.Add, func(e *convert.DocError) { conv.AddError(e) })
	if err != nil {
		log.Fatal(err)
	}
	res := conv.Finish()
	for _, m := range res.Manifests {
		y, err := m.YAML()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(string(y))
	}
	for _, f := range res.Findings {
		fmt.Println(f)
	}
	// Output:
	// apiVersion: apps/v1
	// kind: Deployment
	// metadata:
	//   name: billing
	// spec:
	//   selector:
	//     matchLabels:
	//       app.kubernetes.io/name: billing
	//   template:
	//     metadata:
	//       annotations:
	//         podecs.io/task-definition: '{"containerDefinitions[api].logConfiguration":{"ecs":null},"containerDefinitions[api].portMappings":{"ecs":[{"containerPort":8080,"name":"http"}],"k8s":"5c3bd7b348a8"},"containerDefinitions[api].secrets[DB_PASSWORD]":{"ecs":"arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-AbCdEf:password::","k8s":"dc373b6a0b9f"},"cpu":{"ecs":"512","k8s":"2209c12466a4"},"memory":{"ecs":"1024","k8s":"1424b8118e5b"}}'
	//       labels:
	//         app.kubernetes.io/name: billing
	//     spec:
	//       containers:
	//       - env:
	//         - name: DB_PASSWORD
	//           valueFrom:
	//             secretKeyRef:
	//               key: password
	//               name: prod-db-abcdef
	//         - name: MODE
	//           value: live
	//         image: ghcr.io/example/billing:2.0.1
	//         name: api
	//         ports:
	//         - containerPort: 8080
	//           name: http
	//           protocol: TCP
	//         resources:
	//           limits:
	//             memory: 512Mi
	//           requests:
	//             cpu: 250m
	//       restartPolicy: Always
	// warning: billing.json: doc 1 TaskDefinition/billing: containerDefinitions[0].secrets[0].valueFrom: Secret "prod-db-abcdef" key "password" must be created with the value of Secrets Manager secret "prod/db-AbCdEf", JSON key "password" (arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-AbCdEf:password::); podecs never reads secret values (--external-secrets writes an ExternalSecret for it)
	// info: billing.json: doc 1 TaskDefinition/billing: requiresCompatibilities: launch types do not exist on Kubernetes (a task definition Fargate cannot run is annotated podecs.io/launch-type: EC2, so that the way back targets EC2) (kept for the way back)
}

// Reverse converts typed ECS inputs directly, e.g. what a DescribeTaskDefinition call returned.
// The Manifest holds typed k8s.io/api objects.
func ExampleReverse() {
	td := &ecs.RegisterTaskDefinitionInput{
		Family:      aws.String("cron_worker"),
		NetworkMode: types.NetworkModeAwsvpc,
		ContainerDefinitions: []types.ContainerDefinition{{
			Name:      aws.String("worker"),
			Image:     aws.String("busybox:1.36"),
			Essential: aws.Bool(true),
			Command:   []string{"sh", "-c", "echo $(date)"},
			Memory:    aws.Int32(128),
		}},
	}
	m, findings := convert.Reverse(convert.ReverseInput{
		TaskDefinition:    td,
		TaskDefinitionDoc: convert.DocRef{Source: "ecs:task-definition/cron_worker", Index: 1},
	}, convert.ReverseOptions{})
	for _, o := range m.Objects {
		fmt.Println(o.GetObjectKind().GroupVersionKind().Kind, o.GetName())
		if pod, ok := o.(*corev1.Pod); ok {
			c := pod.Spec.Containers[0]
			fmt.Printf("args %q, memory limit %s, restartPolicy %s\n", c.Args, c.Resources.Limits.Memory(), pod.Spec.RestartPolicy)
		}
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// Pod cron-worker
	// args ["sh" "-c" "echo $$(date)"], memory limit 128Mi, restartPolicy Never
	// info: ecs:task-definition/cron_worker: doc 1: family: "cron_worker" is not a valid Kubernetes name; the Pod is named "cron-worker"
}

// TaskDefinition and Service convert one workload built from typed k8s.io/api objects, for
// programs that already hold them (a controller, a CI bot); the Index holds the ConfigMaps,
// Secrets and ServiceAccounts it refers to (empty here).
func ExampleTaskDefinition() {
	replicas := int32(3)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name:  "api",
				Image: "ghcr.io/example/api:1.4.0",
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1500m")},
					Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("3Gi")},
				},
			}}}},
		},
	}
	w := &convert.Workload{
		Ref:  convert.DocRef{Source: "api", Index: 1, Kind: "Deployment", Name: "api"},
		Kind: "Deployment", Meta: d.ObjectMeta, Template: d.Spec.Template, TemplatePath: "spec.template", Object: d,
	}
	cfg := convert.DefaultConfig()
	td, fs := convert.TaskDefinition(w, "api", convert.NewIndex(), cfg)
	svc, sfs := convert.Service(w, "api", td, cfg)
	fmt.Println("task size:", aws.ToString(td.Cpu), aws.ToString(td.Memory))
	fmt.Println("service:", aws.ToString(svc.ServiceName), aws.ToInt32(svc.DesiredCount), svc.LaunchType)
	for _, f := range append(fs, sfs...) {
		fmt.Println(f)
	}
	// Output:
	// task size: 2048 4096
	// service: api 3 FARGATE
	// info: spec.template.spec.containers: the containers need 1536 CPU units / 3072 MiB; rounded up to the Fargate size 2048 / 4096
	// lossy: config.executionRoleArn: no executionRoleArn in --config, but the task uses awslogs on Fargate, which need one
	// lossy: config.network.subnets: an awsvpc service needs subnets: set network.subnets (and securityGroups) in --config; the service has no networkConfiguration
}
