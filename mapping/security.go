package mapping

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	corev1 "k8s.io/api/core/v1"
)

// ECSCapabilities lists the names ECS accepts in linuxParameters.capabilities add and drop
// (botocore KernelCapabilities), without the CAP_ prefix.
func ECSCapabilities() []string {
	return []string{
		"ALL", "AUDIT_CONTROL", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH",
		"FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN",
		"MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP",
		"SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE",
		"SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG",
		"WAKE_ALARM",
	}
}

// DockerDefaultCapabilities is the capability set the container runtime grants by default (Docker's
// and containerd's defaults, which ECS and Fargate use).
var DockerDefaultCapabilities = []string{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

// FargateAddableCapability is the only capability a Fargate task may add (platform version >= 1.4.0).
const FargateAddableCapability = "SYS_PTRACE"

const (
	secNoNewPrivileges = "no-new-privileges"
	secLabel           = "label:"
	secAppArmor        = "apparmor:"
	secUnconfined      = "unconfined"
)

// EffectiveSecurityContext resolves the container's security context: Kubernetes applies the
// pod-level runAsUser, runAsGroup, runAsNonRoot, seLinuxOptions, seccompProfile, appArmorProfile and
// windowsOptions to every container that does not set them itself, while ECS only has per-container
// fields. It returns a copy (nil when neither level sets anything the container uses).
func EffectiveSecurityContext(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) *corev1.SecurityContext {
	out := c.DeepCopy()
	if pod == nil {
		return out
	}
	p := pod.DeepCopy()
	set := out != nil
	if out == nil {
		out = &corev1.SecurityContext{}
	}
	if out.RunAsUser == nil && p.RunAsUser != nil {
		out.RunAsUser, set = p.RunAsUser, true
	}
	if out.RunAsGroup == nil && p.RunAsGroup != nil {
		out.RunAsGroup, set = p.RunAsGroup, true
	}
	if out.RunAsNonRoot == nil && p.RunAsNonRoot != nil {
		out.RunAsNonRoot, set = p.RunAsNonRoot, true
	}
	if out.SELinuxOptions == nil && p.SELinuxOptions != nil {
		out.SELinuxOptions, set = p.SELinuxOptions, true
	}
	if out.SeccompProfile == nil && p.SeccompProfile != nil {
		out.SeccompProfile, set = p.SeccompProfile, true
	}
	if out.AppArmorProfile == nil && p.AppArmorProfile != nil {
		out.AppArmorProfile, set = p.AppArmorProfile, true
	}
	if out.WindowsOptions == nil && p.WindowsOptions != nil {
		out.WindowsOptions, set = p.WindowsOptions, true
	}
	if !set {
		return nil
	}
	return out
}

// ContainerSecurity holds the ECS container definition fields a Kubernetes security context maps to.
type ContainerSecurity struct {
	User                   *string
	Privileged             *bool
	ReadonlyRootFilesystem *bool
	// Capabilities goes into linuxParameters.capabilities.
	Capabilities          *types.KernelCapabilities
	DockerSecurityOptions []string
}

// SecurityFromContext maps a container's (effective) security context to ECS container fields; path
// is the container's path, e.g. spec.containers[0]. Fargate rejects privileged containers, added
// capabilities other than SYS_PTRACE and every dockerSecurityOptions entry, so those become findings
// instead of fields when fargate is true.
func SecurityFromContext(sc *corev1.SecurityContext, fargate bool, path string) (ContainerSecurity, Findings) {
	var (
		out ContainerSecurity
		fs  Findings
	)
	if sc == nil {
		return out, nil
	}
	scPath := Join(path, "securityContext")
	out.User = secUser(sc, scPath, &fs)
	out.ReadonlyRootFilesystem = secCopyBool(sc.ReadOnlyRootFilesystem)
	if sc.Privileged != nil {
		switch {
		case fargate && *sc.Privileged:
			fs.Add(Join(scPath, "privileged"), Error, "privileged containers are not supported on Fargate (use --launch-type EC2)")
		case !fargate:
			out.Privileged = aws.Bool(*sc.Privileged)
		}
	}
	out.Capabilities = secCapabilities(sc.Capabilities, fargate, Join(scPath, "capabilities"), &fs)
	out.DockerSecurityOptions = secDockerOptions(sc, fargate, scPath, &fs)
	if sc.SeccompProfile != nil {
		sp := Join(scPath, "seccompProfile")
		if sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault {
			fs.Add(sp, Info, "ECS applies the container runtime's default seccomp profile, which is what RuntimeDefault asks for")
		} else {
			fs.Add(sp, Unsupported, "ECS has no seccomp setting; %s profile dropped", sc.SeccompProfile.Type)
		}
	}
	if sc.ProcMount != nil && *sc.ProcMount != corev1.DefaultProcMount {
		fs.Add(Join(scPath, "procMount"), Unsupported, "ECS has no procMount setting; %s dropped", *sc.ProcMount)
	}
	if sc.WindowsOptions != nil {
		fs.Add(Join(scPath, "windowsOptions"), Unsupported, "ECS has no per-container Windows options; use the container credentialSpecs for gMSA")
	}
	return out, fs
}

// secUser builds the ECS user "UID" or "UID:GID"; ECS cannot set a group without a user.
func secUser(sc *corev1.SecurityContext, scPath string, fs *Findings) *string {
	uid, gid := sc.RunAsUser, sc.RunAsGroup
	if uid != nil && *uid < 0 {
		fs.Add(Join(scPath, "runAsUser"), Error, "runAsUser %d is negative", *uid)
		uid = nil
	}
	if gid != nil && *gid < 0 {
		fs.Add(Join(scPath, "runAsGroup"), Error, "runAsGroup %d is negative", *gid)
		gid = nil
	}
	if uid == nil && gid != nil {
		fs.Add(Join(scPath, "runAsGroup"), Lossy, "ECS user needs a user part; runAsGroup %d alone cannot be expressed and the image's user and group apply", *gid)
	}
	if sc.RunAsNonRoot != nil && *sc.RunAsNonRoot {
		switch {
		case uid == nil:
			fs.Add(Join(scPath, "runAsNonRoot"), Lossy, "ECS cannot enforce a non-root user; the image's user applies")
		case *uid == 0:
			fs.Add(Join(scPath, "runAsNonRoot"), Lossy, "ECS cannot enforce a non-root user and runAsUser is 0; Kubernetes would refuse to start this container")
		}
	}
	return FormatUser(uid, gid)
}

// NormalizeCapability writes a Kubernetes capability name the way ECS takes it: upper case,
// without the CAP_ prefix.
func NormalizeCapability(raw corev1.Capability) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(string(raw))), "CAP_")
}

// FargateRefusesCapability reports whether adding a capability keeps a container off Fargate: a
// name ECS knows that is neither SYS_PTRACE (the one Fargate adds) nor in the runtime's default set
// (kept by not dropping it). Unknown names are dropped on both launch types.
func FargateRefusesCapability(raw corev1.Capability) bool {
	name := NormalizeCapability(raw)
	return name != FargateAddableCapability && slices.Contains(ECSCapabilities(), name) && !slices.Contains(DockerDefaultCapabilities, name)
}

// secCapabilities normalises capability names to the ECS form (upper case, no CAP_ prefix), drops the
// unknown ones and, on Fargate, every added capability but SYS_PTRACE.
func secCapabilities(c *corev1.Capabilities, fargate bool, capPath string, fs *Findings) *types.KernelCapabilities {
	if c == nil {
		return nil
	}
	valid := ECSCapabilities()
	var keep []string
	norm := func(list []corev1.Capability, listPath string, add bool) []string {
		var out []string
		for i, raw := range list {
			name := NormalizeCapability(raw)
			p := Index(listPath, i)
			switch {
			case !slices.Contains(valid, name):
				fs.Add(p, Unsupported, "capability %q is not one ECS accepts; dropped", raw)
			case add && fargate && slices.Contains(DockerDefaultCapabilities, name):
				// Already in the runtime's default set: nothing to add, unless drop ALL removes it,
				// which is handled below by dropping the other defaults one by one.
				fs.Add(p, Info, "%s is in the default capability set of Fargate containers; it is kept by not dropping it rather than by adding it", name)
				keep = append(keep, name)
			case add && fargate && FargateRefusesCapability(raw):
				fs.Add(p, Error, "Fargate only allows adding %s; %s cannot be added (use --launch-type EC2)", FargateAddableCapability, name)
			case !slices.Contains(out, name):
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out
	}
	k := &types.KernelCapabilities{
		Add:  norm(c.Add, Join(capPath, "add"), true),
		Drop: norm(c.Drop, Join(capPath, "drop"), false),
	}
	if len(keep) > 0 && slices.Contains(k.Drop, "ALL") {
		// "drop ALL, add X" with X a default: drop every default capability except X.
		drop := slices.DeleteFunc(slices.Clone(k.Drop), func(n string) bool { return n == "ALL" })
		for _, d := range DockerDefaultCapabilities {
			if !slices.Contains(keep, d) && !slices.Contains(drop, d) {
				drop = append(drop, d)
			}
		}
		slices.Sort(drop)
		k.Drop = drop
	}
	if k.Add == nil && k.Drop == nil {
		return nil
	}
	return k
}

// secDockerOptions maps allowPrivilegeEscalation, seLinuxOptions and appArmorProfile to Docker
// security options, which ECS accepts only for EC2 tasks; the agent must also register
// ECS_SELINUX_CAPABLE / ECS_APPARMOR_CAPABLE for label: and apparmor: options.
func secDockerOptions(sc *corev1.SecurityContext, fargate bool, scPath string, fs *Findings) []string {
	var out []string
	if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		if fargate {
			fs.Add(Join(scPath, "allowPrivilegeEscalation"), Unsupported, "Fargate does not accept dockerSecurityOptions, so no-new-privileges cannot be set")
		} else {
			out = append(out, secNoNewPrivileges)
		}
	}
	if se := sc.SELinuxOptions; se != nil {
		sePath := Join(scPath, "seLinuxOptions")
		if fargate {
			fs.Add(sePath, Unsupported, "Fargate does not accept dockerSecurityOptions, so SELinux labels cannot be set")
		} else {
			n := len(out)
			for _, kv := range [][2]string{{"user", se.User}, {"role", se.Role}, {"type", se.Type}, {"level", se.Level}} {
				if kv[1] != "" {
					out = append(out, secLabel+kv[0]+":"+kv[1])
				}
			}
			if len(out) > n {
				fs.Add(sePath, Info, "label: options need container instances whose agent registers ECS_SELINUX_CAPABLE=true")
			}
		}
	}
	if ap := sc.AppArmorProfile; ap != nil {
		apPath := Join(scPath, "appArmorProfile")
		switch {
		case ap.Type == corev1.AppArmorProfileTypeRuntimeDefault:
			// The runtime's default profile is what ECS containers get anyway.
		case fargate:
			fs.Add(apPath, Unsupported, "Fargate does not accept dockerSecurityOptions, so AppArmor profile %s cannot be set", ap.Type)
		case ap.Type == corev1.AppArmorProfileTypeUnconfined:
			out = append(out, secAppArmor+secUnconfined)
		case ap.Type == corev1.AppArmorProfileTypeLocalhost && ap.LocalhostProfile != nil && *ap.LocalhostProfile != "":
			out = append(out, secAppArmor+*ap.LocalhostProfile)
			fs.Add(apPath, Info, "apparmor: options need container instances whose agent registers ECS_APPARMOR_CAPABLE=true and have the profile loaded")
		default:
			fs.Add(apPath, Unsupported, "AppArmor profile type %q without a profile name cannot be expressed", ap.Type)
		}
	}
	return out
}

// PodSecurityFindings reports the pod-level securityContext fields ECS has no equivalent for; path
// is the pod spec's path, e.g. spec.template.spec. ECS does not change volume ownership or add
// supplementary groups. Fields that EffectiveSecurityContext carries to containers, and sysctls, are
// not reported here.
func PodSecurityFindings(pod *corev1.PodSecurityContext, path string) Findings {
	if pod == nil {
		return nil
	}
	var fs Findings
	p := Join(path, "securityContext")
	if pod.FSGroup != nil {
		fs.Add(Join(p, "fsGroup"), Unsupported, "ECS does not change volume ownership to group %d nor add it to the container's groups", *pod.FSGroup)
	}
	if pod.FSGroupChangePolicy != nil {
		fs.Add(Join(p, "fsGroupChangePolicy"), Unsupported, "ECS does not change volume ownership; %s dropped", *pod.FSGroupChangePolicy)
	}
	if len(pod.SupplementalGroups) > 0 {
		fs.Add(Join(p, "supplementalGroups"), Unsupported, "the ECS user field sets one group; supplementary groups %v dropped", pod.SupplementalGroups)
	}
	if pod.SupplementalGroupsPolicy != nil {
		fs.Add(Join(p, "supplementalGroupsPolicy"), Unsupported, "ECS has no supplementary group policy; %s dropped", *pod.SupplementalGroupsPolicy)
	}
	if pod.SELinuxChangePolicy != nil {
		fs.Add(Join(p, "seLinuxChangePolicy"), Unsupported, "ECS does not relabel volumes; %s dropped", *pod.SELinuxChangePolicy)
	}
	return fs
}

// ContextFromSecurity maps ECS container security fields back to a Kubernetes security context; path
// is the container definition's path, e.g. containerDefinitions[0]. Kubernetes only takes numeric
// users and groups, so a user name is lost. Other linuxParameters fields are not read here. It
// returns nil when nothing is set.
func ContextFromSecurity(user *string, privileged, readonlyRoot *bool, lp *types.LinuxParameters, dockerSecurityOptions []string, path string) (*corev1.SecurityContext, Findings) {
	var fs Findings
	sc := &corev1.SecurityContext{
		Privileged:             secCopyBool(privileged),
		ReadOnlyRootFilesystem: secCopyBool(readonlyRoot),
	}
	set := sc.Privileged != nil || sc.ReadOnlyRootFilesystem != nil
	if user != nil && *user != "" {
		userPath := Join(path, "user")
		uid, gid, ok := ParseUser(*user)
		if !ok {
			name, group, _ := strings.Cut(*user, ":")
			if n, numeric := secParseID(name); numeric {
				uid = &n
				fs.Add(userPath, Lossy, "group name %q cannot be expressed; runAsGroup left to the image", group)
			} else {
				fs.Add(userPath, Lossy, "user %q is a name; Kubernetes needs a numeric runAsUser, so the image's user applies", *user)
			}
		}
		sc.RunAsUser, sc.RunAsGroup = uid, gid
		set = set || uid != nil
	}
	if lp != nil && lp.Capabilities != nil && (len(lp.Capabilities.Add) > 0 || len(lp.Capabilities.Drop) > 0) {
		sc.Capabilities = &corev1.Capabilities{Add: secK8sCaps(lp.Capabilities.Add), Drop: secK8sCaps(lp.Capabilities.Drop)}
		set = true
	}
	if secOptionsBack(sc, dockerSecurityOptions, Join(path, "dockerSecurityOptions"), &fs) {
		set = true
	}
	if !set {
		return nil, fs
	}
	return sc, fs
}

// secOptionsBack reads no-new-privileges, label: and apparmor: options into sc and reports whether
// it set anything.
func secOptionsBack(sc *corev1.SecurityContext, opts []string, optsPath string, fs *Findings) bool {
	set := false
	for i, o := range opts {
		p := Index(optsPath, i)
		switch {
		case o == secNoNewPrivileges || o == secNoNewPrivileges+":true":
			sc.AllowPrivilegeEscalation = aws.Bool(false)
		case strings.HasPrefix(o, secLabel):
			key, value, _ := strings.Cut(strings.TrimPrefix(o, secLabel), ":")
			if value == "" || !slices.Contains([]string{"user", "role", "type", "level"}, key) {
				fs.Add(p, Unsupported, "SELinux option %q has no Kubernetes seLinuxOptions equivalent; dropped", o)
				continue
			}
			if sc.SELinuxOptions == nil {
				sc.SELinuxOptions = &corev1.SELinuxOptions{}
			}
			dst := map[string]*string{"user": &sc.SELinuxOptions.User, "role": &sc.SELinuxOptions.Role, "type": &sc.SELinuxOptions.Type, "level": &sc.SELinuxOptions.Level}[key]
			if *dst != "" {
				fs.Add(p, Lossy, "SELinux %s set more than once; %q wins over %q", key, value, *dst)
			}
			*dst = value
		case strings.HasPrefix(o, secAppArmor) && o != secAppArmor:
			name := strings.TrimPrefix(o, secAppArmor)
			if name == secUnconfined {
				sc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
			} else {
				sc.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeLocalhost, LocalhostProfile: &name}
			}
		default:
			fs.Add(p, Unsupported, "Docker security option %q has no Kubernetes securityContext equivalent; dropped", o)
			continue
		}
		set = true
	}
	return set
}

func secK8sCaps(names []string) []corev1.Capability {
	if len(names) == 0 {
		return nil
	}
	out := make([]corev1.Capability, len(names))
	for i, n := range names {
		out[i] = corev1.Capability(n)
	}
	return out
}

func secCopyBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	return aws.Bool(*b)
}

// ParseUser reads an ECS user of the form "UID" or "UID:GID" (non-negative integers). Names, as in
// "nginx" or "www-data:www-data", give ok false.
func ParseUser(s string) (uid, gid *int64, ok bool) {
	u, g, hasGroup := strings.Cut(s, ":")
	uv, ok := secParseID(u)
	if !ok {
		return nil, nil, false
	}
	if !hasGroup {
		return &uv, nil, true
	}
	gv, ok := secParseID(g)
	if !ok {
		return nil, nil, false
	}
	return &uv, &gv, true
}

func secParseID(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// FormatUser writes the ECS user "UID" or "UID:GID"; a group without a user cannot be written, so it
// gives nil like an unset user.
func FormatUser(uid, gid *int64) *string {
	if uid == nil {
		return nil
	}
	s := strconv.FormatInt(*uid, 10)
	if gid != nil {
		s += ":" + strconv.FormatInt(*gid, 10)
	}
	return &s
}
