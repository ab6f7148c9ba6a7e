package sopsfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/stores"
	"gopkg.in/yaml.v3"
)

// Info describes a decrypted document beyond its content.
type Info struct {
	// Sealed reports that a current secretsctl seal verified the document's
	// key names, value types and structure, beyond what the sops MAC covers.
	// It is false for a document that another tool (sops edit, set, rotate)
	// encrypted last, or that was never sealed: such a document is not an
	// error, but only the sops MAC vouches for it.
	Sealed bool
	// MACOnlyEncrypted reports that the document's sops MAC covers its
	// encrypted values only (mac_only_encrypted), so that, unless Sealed,
	// nothing authenticates its clear values.
	MACOnlyEncrypted bool
}

// DecryptNode is [DecryptNodeInfo] without the [Info].
func DecryptNode(data []byte, kr *Keyring) (*yaml.Node, error) {
	doc, _, err := DecryptNodeInfo(data, kr)
	return doc, err
}

// DecryptNodeInfo decrypts a SOPS YAML document and verifies its MAC exactly
// as [Decrypt] (and `sops decrypt`) does, but parses the file once and
// returns it as a node tree instead of re-encoded text. It then checks the
// document's secretsctl seal (see seal.go): when [Encrypt] made the
// document's last encryption, the seal must be present and match the
// decrypted document, or the document fails as an [*IntegrityError]; when
// another tool did, the document is unsealed (Info.Sealed is false), which
// is not an error.
//
// The result is the document's yaml.DocumentNode; its only child is the
// top-level yaml.MappingNode. The top-level `sops` and `secretsctl_seal`
// keys and their values are removed (comments attached to those keys move to
// a neighbouring key), and every encrypted scalar is replaced by its
// plaintext with the tag of its sops type: !!str, !!int, !!float, !!bool or
// !!timestamp (a string that is not valid UTF-8 becomes !!binary,
// base64-encoded, as yaml.v3 encodes it). A decrypted scalar keeps the Line,
// Column, anchor and comments of its ENC[...] node; its Style is reset so
// that an encoder picks one that keeps the tag. Every other node, including
// line numbers, is as parsed from data. Encrypted comments are decrypted in
// place (an inline comment stays inline, where sops moves it above its key);
// a comment that does not decrypt is kept as it is, as sops keeps it. An
// encrypted comment that sops stored as a sequence item (sops turns comments
// in sequences into items) is removed from the sequence and becomes a head
// comment of the next item (or a foot comment of the last, or a head comment
// of the sequence).
//
// Which values are encrypted, the additional data of each, and which
// values the MAC covers and in which order follow sops v3.13.3: see
// walker. Scalars are typed as sops' YAML store types them (yaml.v3
// decoding into interface{}), so the MAC sees the same bytes.
//
// Differences from [Decrypt], all for documents sops never writes: a file
// with several YAML documents, or with an alias (*name), is a
// [*FormatError] (Decrypt expands aliases, and decrypts every document);
// a value with type tag bytes is an [*IntegrityError] (sops panics); a bare
// "#" comment line under an encrypted path in a sequence stays a comment
// (sops makes it an empty-string item); a comment line in a sequence whose
// ciphertext is a value's (type str), as when an item is moved onto a
// comment line, is an [*IntegrityError] (sops reads it as an item). And one in the output's favour: an
// encrypted float with an integral value is !!float "3", where Decrypt's
// text says 3, an int. Decrypt does not check the seal, and shows it.
//
// The error contract is Decrypt's: [ErrNoKey] (wrapped) when no master key
// opens the data key, [*IntegrityError] when the document fails
// verification (the MAC or the seal) or its metadata is missing or garbled,
// [*FormatError] when data is not a SOPS YAML document. No error contains a
// plaintext value.
func DecryptNodeInfo(data []byte, kr *Keyring) (*yaml.Node, Info, error) {
	doc, sopsAt, err := parseSopsDocument(data)
	if err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	root := doc.Content[0]
	metadata, err := nodeMetadata(root.Content[sopsAt+1])
	if err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	dataKey, err := kr.dataKey(metadata)
	if err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	vc, err := newValueCipher(dataKey)
	if err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	w := newWalker(metadata, vc)
	if err := w.document(doc, sopsAt); err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	if err := w.verifyMAC(metadata); err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	removePair(root, sopsAt)
	sealed, err := checkSeal(root, metadata, dataKey)
	if err != nil {
		return nil, Info{}, fmt.Errorf("decrypt: %w", err)
	}
	return doc, Info{Sealed: sealed, MACOnlyEncrypted: metadata.MACOnlyEncrypted}, nil
}

// CleartextNode is [Cleartext] as a node: the document's yaml.DocumentNode
// (as [DecryptNode] returns it) with the top-level `sops` and
// `secretsctl_seal` keys removed and encrypted values left as their
// ENC[...] strings. It needs no key and verifies nothing (neither the MAC
// nor the seal), so what it returns may have been tampered with. Like
// DecryptNode, it refuses files with several documents or with aliases.
func CleartextNode(data []byte) (*yaml.Node, error) {
	doc, sopsAt, err := parseSopsDocument(data)
	if err != nil {
		return nil, fmt.Errorf("read cleartext: %w", err)
	}
	root := doc.Content[0]
	removePair(root, sopsAt)
	removeSeal(root)
	return doc, nil
}

// parseSopsDocument parses data as one YAML document, runs the checks
// sops' YAML store makes before it builds a tree (see validateNode), and
// returns the document with the index in its top-level mapping's Content
// of the `sops` key. It fails as [Decrypt] does: a [*FormatError] for
// anything that is not a YAML mapping with a top-level sops key, an
// [*IntegrityError] when there are two.
func parseSopsDocument(data []byte) (*yaml.Node, int, error) {
	notSops := &FormatError{Reason: "no sops metadata: not a sops document"}
	if len(data) == 0 {
		return nil, 0, notSops
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc := new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		return nil, 0, yamlFormatError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, 0, &FormatError{Reason: fmt.Sprintf("several YAML documents in one file (the second starts at line %d); only single-document files are supported", extra.Line)}
	case !errors.Is(err, io.EOF):
		return nil, 0, yamlFormatError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, 0, notSops
	}
	root := doc.Content[0]
	switch {
	case root.Kind == yaml.SequenceNode:
		return nil, 0, &FormatError{Reason: "top level is a sequence, not a mapping"}
	case root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null":
		return nil, 0, notSops // an empty document
	case root.Kind != yaml.MappingNode:
		return nil, 0, &FormatError{Reason: fmt.Sprintf("top level is not a mapping at line %d", root.Line)}
	}
	if err := validateNode(root, 0); err != nil {
		return nil, 0, err
	}
	sopsAt := -1
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k, ok := scalarValue(root.Content[i]).(string); ok && k == stores.SopsMetadataKey {
			if sopsAt >= 0 {
				return nil, 0, &IntegrityError{Reason: "invalid sops metadata: found duplicate sops entry"}
			}
			sopsAt = i
		}
	}
	if sopsAt < 0 {
		return nil, 0, notSops
	}
	return doc, sopsAt, nil
}

// maxNodeDepth bounds the recursion of validateNode (yaml.v3 itself refuses
// documents nested more than 10,000 levels deep).
const maxNodeDepth = 10000

// validateNode makes the checks that sops' YAML store gets from decoding
// the document into a map[string]interface{} before building its tree, so
// that what the store refuses (a [*FormatError] from Decrypt) is refused
// here too: a key defined twice in a mapping (same kind and text, as
// yaml.v3 compares them), a mapping or sequence used as a key, a scalar
// whose explicit tag does not fit its text (`!!int x`, bad `!!binary`), and
// a merge key (<<) whose value is neither a mapping nor a sequence of
// mappings. Aliases are refused outright: sops expands them, which this
// package does not do.
func validateNode(n *yaml.Node, depth int) error {
	if depth > maxNodeDepth {
		return &FormatError{Reason: fmt.Sprintf("nested too deeply at line %d", n.Line)}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return &FormatError{Reason: fmt.Sprintf("alias at line %d: anchors and aliases are not supported", n.Line)}
	case yaml.ScalarNode:
		if needsDecode(n) {
			var v any
			if err := n.Decode(&v); err != nil {
				return &FormatError{Reason: fmt.Sprintf("invalid yaml at line %d: value does not match its tag", n.Line)}
			}
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if err := validateNode(item, depth+1); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		if len(n.Content)%2 != 0 {
			return &FormatError{Reason: fmt.Sprintf("invalid yaml at line %d", n.Line)}
		}
		if err := checkDuplicateKeys(n); err != nil {
			return err
		}
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Kind {
			case yaml.MappingNode, yaml.SequenceNode:
				return &FormatError{Reason: fmt.Sprintf("invalid map key at line %d: a key must be a scalar", k.Line)}
			}
			if isMergeKey(k) && !mergeable(v) {
				return &FormatError{Reason: fmt.Sprintf("invalid yaml at line %d: map merge requires map or sequence of maps as the value", k.Line)}
			}
			if err := validateNode(k, depth+1); err != nil {
				return err
			}
			if err := validateNode(v, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDuplicateKeys is yaml.v3's uniqueness check: two keys of a mapping
// clash when their kind and text are the same.
func checkDuplicateKeys(n *yaml.Node) error {
	pairs := len(n.Content) / 2
	if pairs < 2 {
		return nil
	}
	dup := func(k *yaml.Node) error {
		return &FormatError{Reason: fmt.Sprintf("duplicate key at line %d", k.Line)}
	}
	if pairs <= 16 {
		for i := 0; i < len(n.Content); i += 2 {
			for j := i + 2; j < len(n.Content); j += 2 {
				if n.Content[i].Kind == n.Content[j].Kind && n.Content[i].Value == n.Content[j].Value {
					return dup(n.Content[j])
				}
			}
		}
		return nil
	}
	type key struct {
		kind  yaml.Kind
		value string
	}
	seen := make(map[key]struct{}, pairs)
	for i := 0; i < len(n.Content); i += 2 {
		k := key{n.Content[i].Kind, n.Content[i].Value}
		if _, ok := seen[k]; ok {
			return dup(n.Content[i])
		}
		seen[k] = struct{}{}
	}
	return nil
}

// isMergeKey is yaml.v3's isMerge.
func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && (n.Tag == "" || n.Tag == "!" || n.ShortTag() == "!!merge")
}

// mergeable reports whether yaml.v3 accepts n as the value of a merge key
// (aliases are refused anyway).
func mergeable(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode, yaml.AliasNode:
		return true
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind != yaml.MappingNode && item.Kind != yaml.AliasNode {
				return false
			}
		}
		return true
	}
	return false
}

// needsDecode reports whether scalarValue must ask yaml.v3 to decode the
// scalar: everything but the tags the parser itself resolved from plain
// text, and strings.
func needsDecode(n *yaml.Node) bool {
	if n.Style&yaml.TaggedStyle != 0 {
		return true
	}
	switch n.Tag {
	case "!!str", "!!null", "!!int", "!!float", "!!bool", "!!timestamp", "!!merge":
		return false
	}
	return true
}

// scalarValue is the value sops' YAML store gives a scalar node: what
// yaml.v3 decodes it to in an interface{} (string, int, float64, bool,
// time.Time, nil, or uint64 for an integer above MaxInt64). Scalars that
// fail to decode were refused by validateNode; sops ignores the error and
// gets nil.
func scalarValue(n *yaml.Node) any {
	switch n.Tag {
	case "!!str":
		return n.Value // yaml.v3's indicatedString: the text as is
	case "!!null":
		return nil
	case "!!bool":
		// The parser tags as !!bool only the six spellings of true and
		// false; an explicit !!bool (yes, on…) goes to yaml.v3.
		if n.Style&yaml.TaggedStyle == 0 {
			switch n.Value {
			case "true", "True", "TRUE":
				return true
			case "false", "False", "FALSE":
				return false
			}
		}
	case "!!int":
		if n.Style&yaml.TaggedStyle == 0 && isPlainDecimal(n.Value) {
			if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				return int(i)
			}
		}
	}
	var v any
	_ = n.Decode(&v)
	return v
}

// isPlainDecimal reports whether s is an optional "-" and digits without a
// leading zero (or "0"): text that yaml.v3's base-0 ParseInt reads as the
// decimal number it looks like.
func isPlainDecimal(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 1 && digits[0] == '0' {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// nodeMetadata reads the value of the top-level sops key into
// sops.Metadata with sops' own ExtractMetadata, after turning it into the
// tree values sops' YAML store would give it.
func nodeMetadata(n *yaml.Node) (sops.Metadata, error) {
	value := metadataTreeValue(n)
	branches := sops.TreeBranches{{{Key: stores.SopsMetadataKey, Value: value}}}
	_, metadata, err := stores.ExtractMetadata(branches, stores.MetadataOpts{Flatten: stores.MetadataFlattenNone})
	if err != nil {
		// Metadata holds no plaintext, so sops' message is safe to show.
		return sops.Metadata{}, &IntegrityError{Reason: "invalid sops metadata: " + lowerFirst(err.Error())}
	}
	if metadata.MessageAuthenticationCode == "" {
		return sops.Metadata{}, &IntegrityError{Reason: "sops metadata has no mac"}
	}
	return metadata, nil
}

// metadataTreeValue converts a node of the sops metadata as sops' YAML store
// does, without comments (ExtractMetadata skips them).
func metadataTreeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		branch := make(sops.TreeBranch, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			branch = append(branch, sops.TreeItem{Key: scalarValue(n.Content[i]), Value: metadataTreeValue(n.Content[i+1])})
		}
		return branch
	case yaml.SequenceNode:
		var list []any
		for _, item := range n.Content {
			list = append(list, metadataTreeValue(item))
		}
		return list
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

// removePair deletes the pair at index i of the top-level mapping (the sops
// key, the seal). The comments of its key node, and of its value if that is
// a scalar (which sops keeps, as entries of the top-level branch), go to the next key, or else to the previous key's
// foot, or else to the mapping.
func removePair(root *yaml.Node, i int) {
	key, value := root.Content[i], root.Content[i+1]
	root.Content = append(root.Content[:i:i], root.Content[i+2:]...)
	comments := joinComments(key.HeadComment, key.LineComment, key.FootComment)
	if value.Kind == yaml.ScalarNode {
		comments = joinComments(value.HeadComment, comments, value.LineComment, value.FootComment)
	}
	if comments == "" {
		return
	}
	switch {
	case i < len(root.Content):
		next := root.Content[i]
		next.HeadComment = joinComments(comments, next.HeadComment)
	case len(root.Content) >= 2:
		prev := root.Content[len(root.Content)-2]
		prev.FootComment = joinComments(prev.FootComment, comments)
	default:
		root.HeadComment = joinComments(root.HeadComment, comments)
	}
}

// joinComments joins non-empty yaml.v3 comment texts with newlines.
func joinComments(parts ...string) string {
	var out string
	for _, p := range parts {
		switch {
		case p == "":
		case out == "":
			out = p
		default:
			out += "\n" + p
		}
	}
	return out
}

// macAdditionalData is the additional data of the encrypted MAC.
func macAdditionalData(m sops.Metadata) string {
	return m.LastModified.Format(time.RFC3339)
}
