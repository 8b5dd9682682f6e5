package mapping

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
)

// PortMappingsFromPorts maps container ports. Under awsvpc and host network modes ECS requires
// hostPort to be absent or equal to containerPort; the pod network is awsvpc's closest match, so a
// differing hostPort is dropped and reported. ECS knows tcp and udp only.
func PortMappingsFromPorts(ports []corev1.ContainerPort, mode types.NetworkMode, path string) ([]types.PortMapping, Findings) {
	var out []types.PortMapping
	var fs Findings
	for i, p := range ports {
		pp := Index(path, i)
		pm := types.PortMapping{ContainerPort: aws.Int32(p.ContainerPort)}
		switch p.Protocol {
		case "", corev1.ProtocolTCP:
			pm.Protocol = types.TransportProtocolTcp
		case corev1.ProtocolUDP:
			pm.Protocol = types.TransportProtocolUdp
		default:
			fs.Add(Join(pp, "protocol"), Unsupported, "ECS port mappings support tcp and udp only; port %d/%s dropped", p.ContainerPort, p.Protocol)
			continue
		}
		if p.Name != "" {
			pm.Name = aws.String(p.Name)
		}
		if p.HostPort != 0 {
			if mode == types.NetworkModeHost || p.HostPort == p.ContainerPort {
				pm.HostPort = aws.Int32(p.ContainerPort)
				if p.HostPort != p.ContainerPort {
					fs.Add(Join(pp, "hostPort"), Lossy, "host network mode needs hostPort = containerPort; %d becomes %d", p.HostPort, p.ContainerPort)
				}
			} else if mode == types.NetworkModeBridge {
				pm.HostPort = aws.Int32(p.HostPort)
			} else {
				fs.Add(Join(pp, "hostPort"), Lossy, "awsvpc network mode needs hostPort = containerPort; hostPort %d dropped (each task has its own IP address)", p.HostPort)
			}
		}
		if p.HostIP != "" {
			fs.Add(Join(pp, "hostIP"), Lossy, "ECS cannot bind a port to one host IP; dropped")
		}
		out = append(out, pm)
	}
	return out, fs
}

// PortsFromPortMappings is the inverse: port mappings become container ports. Port ranges
// (containerPortRange) have no Kubernetes form and are reported.
func PortsFromPortMappings(pms []types.PortMapping, path string) ([]corev1.ContainerPort, Findings) {
	var out []corev1.ContainerPort
	var fs Findings
	for i, pm := range pms {
		pp := Index(path, i)
		if pm.ContainerPortRange != nil {
			fs.Add(Join(pp, "containerPortRange"), Unsupported, "Kubernetes has no port ranges; range %s dropped", aws.ToString(pm.ContainerPortRange))
			continue
		}
		if pm.ContainerPort == nil {
			continue
		}
		cp := corev1.ContainerPort{ContainerPort: aws.ToInt32(pm.ContainerPort), Protocol: corev1.ProtocolTCP}
		if strings.EqualFold(string(pm.Protocol), "udp") {
			cp.Protocol = corev1.ProtocolUDP
		}
		if pm.Name != nil {
			name, changed := K8sPortName(*pm.Name)
			if changed {
				fs.Add(Join(pp, "name"), Info, "port name %q is not a valid Kubernetes port name; renamed %q", *pm.Name, name)
			}
			cp.Name = name
		}
		if pm.HostPort != nil && aws.ToInt32(pm.HostPort) != 0 && aws.ToInt32(pm.HostPort) != cp.ContainerPort {
			cp.HostPort = aws.ToInt32(pm.HostPort)
		}
		if pm.AppProtocol != "" {
			fs.Add(Join(pp, "appProtocol"), Info, "appProtocol %s belongs on the Kubernetes Service port", pm.AppProtocol)
		}
		out = append(out, cp)
	}
	return out, fs
}
