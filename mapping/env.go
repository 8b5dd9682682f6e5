package mapping

import "strings"

// ExpandRefs expands Kubernetes $(VAR) references the way the kubelet does in command, args and
// env values: "$$" is an escaped "$", $(NAME) becomes the value lookup gives, and a reference
// lookup cannot resolve is left as written. ECS passes these strings verbatim, so podecs expands
// what it knows statically and reports the rest (returned in unresolved, in order, once each).
func ExpandRefs(s string, lookup func(name string) (string, bool)) (out string, unresolved []string) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String(), unresolved
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
				if !seen[name] {
					seen[name] = true
					unresolved = append(unresolved, name)
				}
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String(), unresolved
}

// EscapeRefs is the inverse of ExpandRefs for literal ECS strings: every "$(" is written "$$(" so
// that Kubernetes does not expand what ECS passed verbatim.
func EscapeRefs(s string) string { return strings.ReplaceAll(s, "$(", "$$(") }
