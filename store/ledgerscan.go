package store

import (
	"bytes"
	"strconv"
	"strings"
	"time"
)

// scanEventMetadata reads the clear fields of a ledger event the way
// secretsctl and sops write it (top-level "key: value" lines, a secrets
// list at four spaces, entry fields at six), without a YAML parser: audits
// read thousands of events. It reports false on any line it does not
// understand, and the caller then parses the document as YAML.
func scanEventMetadata(data []byte) (*LedgerEvent, bool) {
	ev := &LedgerEvent{}
	inSecrets := false
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) == 0 {
			continue
		}
		switch {
		case line[0] != ' ':
			key, val, ok := splitField(string(line))
			if !ok {
				return nil, false
			}
			if key == "sops" {
				return ev, true
			}
			inSecrets = key == "secrets"
			if !inSecrets && !ev.setTop(key, val) {
				return nil, false
			}
		case !inSecrets:
			return nil, false // a folded scalar or a nested value outside secrets
		case bytes.HasPrefix(line, []byte("    - ")):
			ev.Secrets = append(ev.Secrets, LedgerEntry{})
			if !ev.setEntry(string(line[6:])) {
				return nil, false
			}
		case len(line) > 6 && bytes.HasPrefix(line, []byte("      ")) && line[6] != ' ':
			if len(ev.Secrets) == 0 || !ev.setEntry(string(line[6:])) {
				return nil, false
			}
		case len(line) > 8 && bytes.HasPrefix(line, []byte("        ")) && len(bytes.TrimSpace(line)) > 0:
			// A generator parameter: not needed from metadata.
		default:
			return nil, false
		}
	}
	return nil, false // no sops block: not what secretsctl writes
}

// setTop sets a top-level field; false for a value it cannot read.
func (ev *LedgerEvent) setTop(key, val string) bool {
	v, ok := scalar(val)
	if !ok {
		return false
	}
	switch key {
	case "version":
		n, err := strconv.Atoi(v)
		ev.Version = n
		return err == nil
	case "kind":
		ev.Kind = v
	case "event":
		ev.Event = v
	case "scenario":
		ev.Scenario = v
	case "deployment":
		ev.Deployment = v
	case "tier":
		ev.Tier = v
	case "plan_revision":
		ev.PlanRevision = v
	case "reason":
		ev.Reason = v
	case "time":
		t, err := time.Parse(time.RFC3339Nano, v)
		ev.Time = t.UTC()
		return err == nil
	}
	return true // secretsctl_seal and fields of later versions
}

// setEntry sets a field of the last secrets entry.
func (ev *LedgerEvent) setEntry(field string) bool {
	key, val, ok := splitField(field)
	if !ok {
		return false
	}
	e := &ev.Secrets[len(ev.Secrets)-1]
	if key == "generator" || key == "value" {
		return true // nested (generator) or encrypted (value): not metadata
	}
	v, ok := scalar(val)
	if !ok {
		return false
	}
	switch key {
	case "secret_id":
		e.SecretID = v
	case "fingerprint":
		e.Fingerprint = v
	case "status":
		e.Status = v
	}
	return true
}

// splitField splits "key: value" or "key:".
func splitField(s string) (key, val string, ok bool) {
	key, val, ok = strings.Cut(s, ":")
	if !ok || key == "" || (val != "" && val[0] != ' ') {
		return "", "", false
	}
	for i, c := range key {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return "", "", false
		}
	}
	return key, strings.TrimPrefix(val, " "), true
}

// scalar decodes a one-line YAML scalar: plain, or double- or single-quoted
// without escapes beyond Go's. Anything else (block scalars, flow
// collections, comments, anchors, tags) is refused.
func scalar(s string) (string, bool) {
	switch {
	case s == "":
		return "", true
	case s[0] == '"':
		v, err := strconv.Unquote(s)
		return v, err == nil
	case s[0] == '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' {
			return "", false
		}
		inner := s[1 : len(s)-1]
		if strings.Count(inner, "'")%2 != 0 {
			return "", false
		}
		return strings.ReplaceAll(inner, "''", "'"), true
	case strings.ContainsAny(s[:1], "|>[{&*!%@`#"), strings.Contains(s, " #"), strings.HasSuffix(s, ":"),
		s == "~", strings.EqualFold(s, "null"):
		return "", false
	}
	return strings.TrimRight(s, " "), true
}
