package render

import (
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/podecs/podecs/convert"
)

// Kustomize writes a base: the api format's manifests (N.yaml per workload) and a
// kustomization.yaml that lists them, with every image in images: (name, newTag or digest) so
// that an overlay changes a tag in one place. kustomize build of the base gives the api format's
// objects. An image repository used with two tags in one run is left out of images: (one entry
// would set both to the same tag), and a comment says so.
type kustomize struct {
	o         Options
	resources []convert.File
	images    map[string]*imageUse
	order     []string
}

// imageUse is an image repository and the tags and digests it is used with.
type imageUse struct {
	refs  map[string]bool // tag or @digest
	users []string
}

func newKustomize(o Options) *kustomize { return &kustomize{o: o, images: map[string]*imageUse{}} }

func (k *kustomize) Add(it convert.Item) error {
	m := it.Manifest
	if m == nil {
		return nil
	}
	files, err := m.Files()
	if err != nil {
		return fmt.Errorf("kustomize: %w", err)
	}
	objs, err := manifestObjects(m)
	if err != nil {
		return fmt.Errorf("kustomize: %w", err)
	}
	for _, obj := range objs {
		for _, img := range images(obj) {
			repo, tag, digest := splitImage(img)
			ref := tag
			if digest != "" {
				ref = "@" + digest
			}
			u := k.images[repo]
			if u == nil {
				u = &imageUse{refs: map[string]bool{}}
				k.images[repo] = u
				k.order = append(k.order, repo)
			}
			u.refs[ref] = true
			u.users = append(u.users, m.Name)
		}
	}
	k.resources = append(k.resources, files...)
	return nil
}

// images lists the images of an object's containers and init containers.
func images(obj map[string]any) []string {
	spec := dig(obj, "spec")
	var pod map[string]any
	switch obj["kind"] {
	case "Pod":
		pod = spec
	case "CronJob":
		pod = dig(spec, "jobTemplate", "spec", "template", "spec")
	default:
		pod = dig(spec, "template", "spec")
	}
	var out []string
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := pod[list].([]any)
		for _, c := range cs {
			if img, ok := dig(c)["image"].(string); ok {
				out = append(out, img)
			}
		}
	}
	return out
}

// kustomization is the kustomization.yaml document.
type kustomization struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Resources  []string       `json:"resources"`
	Images     []kustomizeImg `json:"images,omitempty"`
}

type kustomizeImg struct {
	Name   string `json:"name"`
	NewTag string `json:"newTag,omitempty"`
	Digest string `json:"digest,omitempty"`
}

func (k *kustomize) Files() ([]convert.File, error) {
	doc := kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Resources: []string{}}
	for _, f := range k.resources {
		doc.Resources = append(doc.Resources, f.Name)
	}
	var notes []string
	repos := append([]string(nil), k.order...)
	sort.Strings(repos)
	for _, repo := range repos {
		u := k.images[repo]
		if len(u.refs) > 1 {
			var refs []string
			for r := range u.refs {
				refs = append(refs, r)
			}
			sort.Strings(refs)
			notes = append(notes, fmt.Sprintf("# %s is not in images: it is used as %s (%s); one entry would set them all", repo, strings.Join(refs, ", "), strings.Join(dedupe(u.users), ", ")))
			continue
		}
		for ref := range u.refs {
			switch {
			case strings.HasPrefix(ref, "@"):
				doc.Images = append(doc.Images, kustomizeImg{Name: repo, Digest: ref[1:]})
			case ref != "":
				doc.Images = append(doc.Images, kustomizeImg{Name: repo, NewTag: ref})
			default:
				notes = append(notes, fmt.Sprintf("# %s is not in images: it has no tag (%s)", repo, strings.Join(dedupe(u.users), ", ")))
			}
		}
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	if len(notes) > 0 {
		data = append(data, []byte(strings.Join(notes, "\n")+"\n")...)
	}
	return append([]convert.File{{Name: "kustomization.yaml", Data: data, YAML: true}}, k.resources...), nil
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
