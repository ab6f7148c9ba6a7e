package store

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
)

// scanEventMetadata reads the clear fields of a ledger event the way
// secretsctl and sops write it (top-level "key: value" lines, a secrets
// list at four spaces, entry fields at six, nested blocks under sops:,
// generator: and value:), without a YAML parser: audits read thousands of
// events, and yaml.v3 takes ~25 times as long per event. It reads version,
// kind, event, scenario, deployment, tier, plan_revision, time, reason and
// each entry's secret_id, fingerprint and status (never a generator or a
// value), exactly as YAML reads them. It reports false on anything it does
// not understand, and the caller then parses the document as YAML; so a
// document it accepts must mean to YAML what it means here (see
// FuzzScanEventMetadata). Inside the blocks it skips it checks only that
// nothing could run on past the block (quoted or flow scalars); a document
// malformed there otherwise reads here and fails every verified read.
func scanEventMetadata(data []byte) (*LedgerEvent, bool) {
	return scanEvent(data, nil)
}

// scanEvent is scanEventMetadata; when skipped is not nil it records the
// (0-based) lines of the blocks it skips, whose YAML it does not check.
func scanEvent(data []byte, skipped *[]int) (*LedgerEvent, bool) {
	if !printable(data) {
		return nil, false
	}
	s := &eventScanner{ev: &LedgerEvent{}, nested: -1, block: -1}
	for n := 0; len(data) > 0; n++ {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if !s.line(string(line)) {
			return nil, false
		}
		if skipped != nil && s.inBlock {
			*skipped = append(*skipped, n)
		}
	}
	if !slices.Contains(s.top, "sops") {
		return nil, false // not what secretsctl writes
	}
	return s.ev, true
}

// eventScanner is the state of scanEventMetadata between lines.
type eventScanner struct {
	ev         *LedgerEvent
	top, entry []string // keys seen, in the top-level mapping and the current entry
	inSecrets  bool
	nested     int  // lines indented deeper than this belong to a skipped block; -1 when none
	block      int  // within it, lines deeper than this are a block scalar's text; -1 when none
	inBlock    bool // the last line was one of a skipped block
}

func (s *eventScanner) line(line string) bool {
	ind := len(line) - len(strings.TrimLeft(line, " "))
	if ind == len(line) {
		s.inBlock = false
		return true // blank (or only spaces): nothing in YAML either
	}
	s.inBlock = s.nested >= 0 && ind > s.nested
	if s.inBlock {
		return s.nestedLine(line, ind)
	}
	s.nested, s.block = -1, -1
	switch {
	case ind == 0:
		return s.topField(line)
	case s.inSecrets && ind == 4 && strings.HasPrefix(line, "    - "):
		s.ev.Secrets = append(s.ev.Secrets, LedgerEntry{})
		s.entry = s.entry[:0]
		return s.entryField(line[6:])
	case s.inSecrets && ind == 6 && len(s.ev.Secrets) > 0:
		return s.entryField(line[6:])
	}
	return false
}

// topField reads a key of the top-level mapping.
func (s *eventScanner) topField(line string) bool {
	key, val, ok := splitField(line)
	if !ok || slices.Contains(s.top, key) {
		return false // YAML refuses a repeated key
	}
	s.top = append(s.top, key)
	s.inSecrets = false
	switch key {
	case "secrets":
		s.inSecrets = true
		return val == ""
	case "sops":
		s.nested = 0
		return val == ""
	case "version", "kind", "event", "scenario", "deployment", "tier", "plan_revision", "time", "reason":
		return s.ev.setTop(key, val)
	}
	return s.skipValue(val, 0) // secretsctl_seal and fields of later versions
}

// entryField reads a key of the current secrets entry.
func (s *eventScanner) entryField(field string) bool {
	key, val, ok := splitField(field)
	if !ok || slices.Contains(s.entry, key) {
		return false
	}
	s.entry = append(s.entry, key)
	e := &s.ev.Secrets[len(s.ev.Secrets)-1]
	var dst *string
	switch key {
	case "secret_id":
		dst = &e.SecretID
	case "fingerprint":
		dst = &e.Fingerprint
	case "status":
		dst = &e.Status
	default: // generator, value (encrypted) and fields of later versions
		return s.skipValue(val, 6)
	}
	v, _, ok := scalar(val)
	*dst = v
	return ok
}

// skipValue accepts the value of a field the scanner does not read, at
// column col: empty (a nested block follows), a block scalar, or a one-line
// scalar; never a flow collection or a quoted scalar that YAML would carry
// onto the next lines.
func (s *eventScanner) skipValue(val string, col int) bool {
	switch kind := valueKind(val); kind {
	case valueNone, valueBlock:
		s.nested = col
		if kind == valueBlock {
			s.block = col
		}
		return true
	case valueScalar:
		return true
	}
	return false
}

// nestedLine checks a line of a skipped block: it must not open anything
// YAML would continue past the block's end.
func (s *eventScanner) nestedLine(line string, ind int) bool {
	if s.block >= 0 {
		if ind > s.block {
			return true // text of a block scalar
		}
		s.block = -1
	}
	t, col := line[ind:], ind
	for strings.HasPrefix(t, "- ") {
		rest := strings.TrimLeft(t[2:], " ")
		col += len(t) - len(rest)
		t = rest
	}
	if t == "" || t == "-" || t[0] == '#' {
		return true
	}
	if strings.ContainsRune("\"'[{&*!|>%@`?", rune(t[0])) {
		return false
	}
	_, val, ok := strings.Cut(t, ": ")
	if !ok {
		if strings.HasSuffix(t, ":") {
			return true // a key whose value is nested
		}
		return true // a plain scalar, or the continuation of one
	}
	switch valueKind(strings.TrimLeft(val, " ")) {
	case valueBlock:
		s.block = col
		return true
	case valueNone, valueScalar:
		return true
	}
	return false
}

// Value kinds for skipValue and nestedLine.
const (
	valueNone   = iota // empty: null, or a nested block follows
	valueBlock         // | or >: a block scalar follows
	valueScalar        // a complete one-line scalar
	valueOther         // anything else: refused
)

func valueKind(val string) int {
	switch {
	case val == "" || val[0] == '#':
		return valueNone
	case val[0] == '|' || val[0] == '>':
		if blockHeaderRE.MatchString(val) {
			return valueBlock
		}
	case val[0] == '"' || val[0] == '\'':
		if _, _, ok := scalar(val); ok {
			return valueScalar
		}
	case strings.ContainsRune("[]{},&*!%@`-?:", rune(val[0])):
		// a flow collection, anchor, alias, tag or indicator: refused
	case !strings.Contains(val, ": ") && !strings.HasSuffix(val, ":"):
		return valueScalar // a plain scalar: YAML never carries one to a shallower line
	}
	return valueOther
}

// setTop sets a top-level field; false for a value it cannot read.
func (ev *LedgerEvent) setTop(key, val string) bool {
	v, quoted, ok := scalar(val)
	if !ok {
		return false
	}
	switch key {
	case "version":
		if quoted || !versionRE.MatchString(v) {
			return false
		}
		ev.Version, _ = strconv.Atoi(v)
	case "time":
		t, ok := yamlTime(v, quoted)
		ev.Time = t.UTC()
		return ok
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
	}
	return true
}

// splitField splits "key: value" or "key:", trimming the value's spaces.
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
	return key, strings.Trim(val, " "), true
}
