package sopsfile

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/getsops/sops/v3"
	"gopkg.in/yaml.v3"
)

// walker decrypts a document's node tree in place and computes its MAC,
// visiting the nodes as sops v3.13.3 visits the tree its YAML store builds
// from them, so that every decision and every byte hashed is the same:
//
//   - The store turns each mapping into a branch and each sequence into a
//     list, and every comment line into an entry of its own, placed as
//     (stores/yaml appendYamlNodeToTreeBranch and nodeToTreeValue): the
//     document's and top-level mapping's head and line comments, then per
//     pair the key's head and line comments, for a scalar value its head
//     and line comments, the pair, the scalar value's foot comment, the
//     key's foot comment; a mapping or sequence value carries its own head,
//     line and foot comments inside its branch or list; a sequence item's
//     head, line and foot comments sit around it in the list. The pair of
//     the top-level `sops` key is removed, its key's comments stay.
//   - sops' Tree.Decrypt walks that tree in order (walkBranch, walkSlice).
//     A value's path is the keys from the top: sequence items add nothing,
//     so all items of a sequence share its key's path; a comment's path is
//     its branch's or list's. Each leaf (string, int, float64, bool,
//     time.Time, or comment) is "encrypted" by shouldBeEncrypted: with
//     unencrypted_suffix (the default "_unencrypted" when no rule is set)
//     unless a key on the path ends with it; with encrypted_suffix if one
//     does; with unencrypted_regex unless one matches; with encrypted_regex
//     if one matches; with unencrypted_comment_regex unless a pending
//     comment (one not yet followed by a value, in this or an enclosing
//     branch or list) matches; with encrypted_comment_regex if a pending
//     comment other than the leaf itself matches. A regex that does not
//     compile matches nothing (sops ignores regexp.Match's error).
//   - An encrypted leaf is decrypted with additional data = path joined by
//     ":" plus ":" (":" at the top level). A value that fails is an error;
//     an encrypted value that is not a string (8080) is an error; a comment
//     that fails is kept as it is (sops assumes it was never encrypted).
//     Null values are skipped entirely: never decrypted, never hashed.
//   - The MAC is SHA-512, seeded with sops.MACOnlyEncryptedInitialization
//     when mac_only_encrypted is set, over sops.ToBytes of each leaf's
//     result, in walk order, for every leaf (only encrypted leaves under
//     mac_only_encrypted) whose result is not a comment: so comments are
//     left out, except an encrypted comment whose type tag says str; "" adds
//     no bytes. It is compared, as uppercase hex, with the `mac` value
//     decrypted with lastmodified (re-formatted as RFC 3339) as additional
//     data.
type walker struct {
	cipher  *valueCipher
	rules   cryptRules
	macOnly bool
	hash    hash.Hash
	buf     []byte // scratch for hashing strings

	path    []string
	matches []pathMatch // matches[i]: which rules a key of path[:i] matched

	// comments is sops' commentsStack (one frame per branch or list), kept
	// only when a comment regex makes it matter.
	comments      [][]string
	trackComments bool
}

// pathMatch records whether some key on a path matched each rule.
type pathMatch struct {
	unencSuffix, encSuffix, unencRegex, encRegex bool
}

// cryptRules are a document's encryption rules, compiled once.
type cryptRules struct {
	unencSuffix, encSuffix             string
	unencRegex, encRegex               *keyRegex // nil when unset
	unencCommentRegex, encCommentRegex *keyRegex // nil when unset
}

// keyRegex is a rule regex with its results memoised per key: documents
// repeat the same few keys many times. A regex that does not compile
// matches nothing, as in sops.
type keyRegex struct {
	re   *regexp.Regexp
	memo map[string]bool
}

func newKeyRegex(expr string) *keyRegex {
	if expr == "" {
		return nil
	}
	return &keyRegex{re: compileRule(expr), memo: map[string]bool{}}
}

// ruleRegexes caches compiled rule regexes across documents, which almost
// always share one; it stops growing at maxCachedRegexes.
var (
	ruleRegexes      sync.Map // string -> *regexp.Regexp (nil if invalid)
	ruleRegexesCount atomic.Int32
)

const maxCachedRegexes = 64

// compileRule compiles a rule regex, or returns nil if it does not compile.
func compileRule(expr string) *regexp.Regexp {
	if re, ok := ruleRegexes.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		re = nil
	}
	if ruleRegexesCount.Load() < maxCachedRegexes {
		if _, loaded := ruleRegexes.LoadOrStore(expr, re); !loaded {
			ruleRegexesCount.Add(1)
		}
	}
	return re
}

func (r *keyRegex) match(s string) bool {
	if r.re == nil {
		return false
	}
	m, ok := r.memo[s]
	if !ok {
		m = r.re.MatchString(s)
		r.memo[s] = m
	}
	return m
}

func newWalker(m sops.Metadata, vc *valueCipher) *walker {
	w := &walker{
		cipher:  vc,
		macOnly: m.MACOnlyEncrypted,
		hash:    sha512.New(),
		rules: cryptRules{
			unencSuffix:       m.UnencryptedSuffix,
			encSuffix:         m.EncryptedSuffix,
			unencRegex:        newKeyRegex(m.UnencryptedRegex),
			encRegex:          newKeyRegex(m.EncryptedRegex),
			unencCommentRegex: newKeyRegex(m.UnencryptedCommentRegex),
			encCommentRegex:   newKeyRegex(m.EncryptedCommentRegex),
		},
		path:    make([]string, 0, 16),
		matches: make([]pathMatch, 1, 17),
	}
	w.trackComments = w.rules.unencCommentRegex != nil || w.rules.encCommentRegex != nil
	if w.macOnly {
		w.hash.Write(sops.MACOnlyEncryptedInitialization)
	}
	return w
}

// pushKey enters a key of the path.
func (w *walker) pushKey(key string) {
	r := &w.rules
	m := w.matches[len(w.matches)-1]
	if r.unencSuffix != "" && !m.unencSuffix {
		m.unencSuffix = strings.HasSuffix(key, r.unencSuffix)
	}
	if r.encSuffix != "" && !m.encSuffix {
		m.encSuffix = strings.HasSuffix(key, r.encSuffix)
	}
	if r.unencRegex != nil && !m.unencRegex {
		m.unencRegex = r.unencRegex.match(key)
	}
	if r.encRegex != nil && !m.encRegex {
		m.encRegex = r.encRegex.match(key)
	}
	w.path = append(w.path, key)
	w.matches = append(w.matches, m)
}

func (w *walker) popKey() {
	w.path = w.path[:len(w.path)-1]
	w.matches = w.matches[:len(w.matches)-1]
}

// pushFrame, popFrame, addComment and clearFrame keep sops' commentsStack.
func (w *walker) pushFrame() {
	if w.trackComments {
		w.comments = append(w.comments, nil)
	}
}

func (w *walker) popFrame() {
	if w.trackComments {
		w.comments = w.comments[:len(w.comments)-1]
	}
}

func (w *walker) addComment(c string) {
	if w.trackComments {
		top := len(w.comments) - 1
		w.comments[top] = append(w.comments[top], c)
	}
}

func (w *walker) clearFrame() {
	if w.trackComments {
		w.comments[len(w.comments)-1] = nil
	}
}

// shouldEncrypt is sops' Tree.shouldBeEncrypted for the current path and
// comments stack.
func (w *walker) shouldEncrypt(isComment bool) bool {
	r := &w.rules
	m := w.matches[len(w.matches)-1]
	encrypted := true
	if r.unencSuffix != "" && m.unencSuffix {
		encrypted = false
	}
	if r.encSuffix != "" {
		encrypted = m.encSuffix
	}
	if r.unencRegex != nil && m.unencRegex {
		encrypted = false
	}
	if r.encRegex != nil {
		encrypted = m.encRegex
	}
	if r.unencCommentRegex != nil {
	unencrypted:
		for _, frame := range w.comments {
			for _, c := range frame {
				if r.unencCommentRegex.match(c) {
					encrypted = false
					break unencrypted
				}
			}
		}
	}
	if r.encCommentRegex != nil {
		encrypted = false
		last := len(w.comments) - 1
	encryptedComments:
		for i, frame := range w.comments {
			for j, c := range frame {
				// The comment line being decided does not count.
				if isComment && i == last && j == len(frame)-1 {
					continue
				}
				if r.encCommentRegex.match(c) {
					encrypted = true
					break encryptedComments
				}
			}
		}
	}
	return encrypted
}

// additionalData is sops' additional data for the current path.
func (w *walker) additionalData() string {
	return strings.Join(w.path, ":") + ":"
}

// hashLeaf adds a leaf's result to the MAC as sops does.
func (w *walker) hashLeaf(v any, encrypted bool) error {
	if w.macOnly && !encrypted {
		return nil
	}
	if _, isComment := v.(sops.Comment); isComment {
		return nil
	}
	b, err := sops.ToBytes(v)
	if err != nil {
		return &IntegrityError{Reason: fmt.Sprintf("value at %s: cannot hash a value of type %T", pathOf(w.additionalData()), v)}
	}
	w.hash.Write(b)
	return nil
}

// document walks the top-level branch: the document's comments around the
// top-level mapping's, skipping the pair of the sops key at sopsAt.
func (w *walker) document(doc *yaml.Node, sopsAt int) error {
	w.pushFrame()
	defer w.popFrame()
	if err := w.commentField(&doc.HeadComment, true); err != nil {
		return err
	}
	if err := w.commentField(&doc.LineComment, true); err != nil {
		return err
	}
	if err := w.mappingBody(doc.Content[0], true, sopsAt); err != nil {
		return err
	}
	return w.commentField(&doc.FootComment, true)
}

// mapping walks a mapping as a branch of its own.
func (w *walker) mapping(n *yaml.Node, withComments bool) error {
	w.pushFrame()
	defer w.popFrame()
	return w.mappingBody(n, withComments, -1)
}

// mappingBody walks the entries a mapping adds to its branch; the pair
// whose key is at index skip (the sops key) is left out.
func (w *walker) mappingBody(n *yaml.Node, withComments bool, skip int) error {
	if withComments {
		if err := w.commentFields(true, &n.HeadComment, &n.LineComment); err != nil {
			return err
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if err := w.commentFields(true, &k.HeadComment, &k.LineComment); err != nil {
			return err
		}
		scalar := v.Kind == yaml.ScalarNode || v.Kind == yaml.AliasNode
		if scalar {
			if err := w.commentFields(true, &v.HeadComment, &v.LineComment); err != nil {
				return err
			}
		}
		if i != skip {
			key, ok := scalarValue(k).(string)
			if !ok {
				return &IntegrityError{Reason: fmt.Sprintf("unsupported value in document tree (non-string key (type %T) at line %d)", scalarValue(k), k.Line)}
			}
			w.pushKey(key)
			_, _, err := w.value(v, scalar, false)
			w.popKey()
			if err != nil {
				return err
			}
			w.clearFrame()
		}
		if scalar {
			if err := w.commentField(&v.FootComment, true); err != nil {
				return err
			}
		}
		if err := w.commentField(&k.FootComment, true); err != nil {
			return err
		}
	}
	if withComments {
		return w.commentField(&n.FootComment, true)
	}
	return nil
}

// sequence walks a sequence as a list; items that decrypt to comments (as
// sops stores encrypted comments in sequences) become comments.
func (w *walker) sequence(n *yaml.Node, withComments bool) error {
	w.pushFrame()
	defer w.popFrame()
	if withComments {
		if err := w.commentFields(false, &n.HeadComment, &n.LineComment); err != nil {
			return err
		}
	}
	var asComments map[int]string
	for i, item := range n.Content {
		if err := w.commentFields(false, &item.HeadComment, &item.LineComment); err != nil {
			return err
		}
		text, isComment, err := w.value(item, true, true)
		if err != nil {
			return err
		}
		if isComment {
			if asComments == nil {
				asComments = map[int]string{}
			}
			asComments[i] = text
		}
		w.clearFrame()
		if err := w.commentField(&item.FootComment, false); err != nil {
			return err
		}
	}
	if withComments {
		if err := w.commentField(&n.FootComment, false); err != nil {
			return err
		}
	}
	if asComments != nil {
		itemsToComments(n, asComments)
	}
	return nil
}

// value walks a mapping value or sequence item. For a sequence item that
// decrypts to a comment it returns the comment's text.
func (w *walker) value(n *yaml.Node, commentsHandled, inSequence bool) (string, bool, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return w.scalar(n, inSequence)
	case yaml.MappingNode:
		return "", false, w.mapping(n, !commentsHandled)
	case yaml.SequenceNode:
		return "", false, w.sequence(n, !commentsHandled)
	}
	// Aliases were refused by validateNode.
	return "", false, &FormatError{Reason: fmt.Sprintf("unsupported node at line %d", n.Line)}
}

// scalar decrypts (when its rules say so) and hashes one value.
func (w *walker) scalar(n *yaml.Node, inSequence bool) (string, bool, error) {
	if n.Tag == "!!str" && !w.shouldEncrypt(false) {
		// The common case, without boxing the string.
		if !w.macOnly {
			w.buf = append(w.buf[:0], n.Value...)
			w.hash.Write(w.buf)
		}
		return "", false, nil
	}
	in := scalarValue(n)
	switch in.(type) {
	case nil:
		return "", false, nil // sops skips nulls
	case string, int, float64, bool, time.Time:
	default:
		return "", false, &IntegrityError{Reason: fmt.Sprintf("unsupported value in document tree (unknown type: %T at line %d)", in, n.Line)}
	}
	encrypted := w.shouldEncrypt(false)
	v := in
	if encrypted {
		s, ok := in.(string)
		if !ok {
			return "", false, &IntegrityError{Reason: fmt.Sprintf("value at %s: %s (%T)", pathOf(w.additionalData()), errNonStringENC, in)}
		}
		var err error
		if v, err = w.cipher.decrypt(s, w.additionalData()); err != nil {
			return "", false, &IntegrityError{Reason: fmt.Sprintf("value at %s: %s", pathOf(w.additionalData()), err)}
		}
	}
	if err := w.hashLeaf(v, encrypted); err != nil {
		return "", false, err
	}
	if !encrypted {
		return "", false, nil
	}
	if c, ok := v.(sops.Comment); ok {
		if inSequence {
			return c.Value, true, nil
		}
		v = c.Value // not in the MAC, so the MAC check fails
	}
	setScalar(n, v)
	return "", false, nil
}

// setScalar makes n the scalar yaml.v3 would encode v to, with an explicit
// tag and no style.
func setScalar(n *yaml.Node, v any) {
	n.Kind = yaml.ScalarNode
	n.Style = 0
	n.Content = nil
	switch v := v.(type) {
	case string:
		if utf8.ValidString(v) {
			n.Tag, n.Value = "!!str", v
		} else {
			n.Tag, n.Value = "!!binary", base64.StdEncoding.EncodeToString([]byte(v))
		}
	case int:
		n.Tag, n.Value = "!!int", strconv.Itoa(v)
	case float64:
		n.Tag, n.Value = "!!float", formatFloat(v)
	case bool:
		n.Tag, n.Value = "!!bool", strconv.FormatBool(v)
	case time.Time:
		n.Tag, n.Value = "!!timestamp", v.Format(time.RFC3339Nano)
	}
}

// formatFloat is yaml.v3's encoding of a float64.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	switch s {
	case "+Inf":
		return ".inf"
	case "-Inf":
		return "-.inf"
	case "NaN":
		return ".nan"
	}
	return s
}

// commentFields walks several comment fields in order.
func (w *walker) commentFields(inBranch bool, fields ...*string) error {
	for _, f := range fields {
		if err := w.commentField(f, inBranch); err != nil {
			return err
		}
	}
	return nil
}

// commentField walks the comment lines of one yaml.v3 comment field, each
// an entry of sops' tree, and writes decrypted ones back.
func (w *walker) commentField(field *string, inBranch bool) error {
	if *field == "" {
		return nil
	}
	lines := strings.Split(*field, "\n")
	changed := false
	for i, line := range lines {
		if line == "" {
			continue
		}
		text, ok, err := w.comment(line[1:], inBranch)
		if err != nil {
			return err
		}
		if ok {
			lines[i] = commentText(text)
			changed = true
		}
	}
	if changed {
		*field = strings.Join(lines, "\n")
	}
	return nil
}

// commentText is a comment line for a decrypted comment.
func commentText(text string) string {
	return "#" + strings.ReplaceAll(text, "\n", "\n#")
}

// comment is sops' treatment of one comment entry: decrypted when its rules
// say so (kept as it is if that fails), hashed only if the result is not a
// comment. It returns the decrypted text, if any.
func (w *walker) comment(c string, inBranch bool) (string, bool, error) {
	w.addComment(c)
	encrypted := w.shouldEncrypt(true)
	if !encrypted {
		return "", false, nil
	}
	v, err := w.cipher.decrypt(c, w.additionalData())
	if err != nil {
		return "", false, nil // sops keeps a comment that does not decrypt
	}
	if err := w.hashLeaf(v, true); err != nil {
		return "", false, err
	}
	switch v := v.(type) {
	case sops.Comment:
		return v.Value, true, nil
	case string:
		if !inBranch && c != "" { // a bare "#" decrypts to "" too: see DecryptNodeInfo
			return "", false, &IntegrityError{Reason: fmt.Sprintf("comment at %s: %s", pathOf(w.additionalData()), errValueOnComment)}
		}
		return v, true, nil
	}
	if inBranch {
		return "", false, &IntegrityError{Reason: fmt.Sprintf("comment at %s: %s", pathOf(w.additionalData()), errCommentResult)}
	}
	// In a list sops would keep it as an item; it is in the MAC, which
	// comments never are, so the MAC check fails.
	return "", false, nil
}

// itemsToComments removes from a sequence the items that decrypted to
// comments and turns them, with their own comments, into a head comment of
// the next item, or a foot comment of the last, or a head comment of the
// sequence if no item is left.
func itemsToComments(n *yaml.Node, asComments map[int]string) {
	kept := make([]*yaml.Node, 0, len(n.Content)-len(asComments))
	pending := ""
	for i, item := range n.Content {
		text, isComment := asComments[i]
		if !isComment {
			if pending != "" {
				item.HeadComment = joinComments(pending, item.HeadComment)
				pending = ""
			}
			kept = append(kept, item)
			continue
		}
		pending = joinComments(pending, item.HeadComment, item.LineComment, commentText(text), item.FootComment)
	}
	n.Content = kept
	if pending == "" {
		return
	}
	if len(kept) > 0 {
		last := kept[len(kept)-1]
		last.FootComment = joinComments(last.FootComment, pending)
		return
	}
	n.HeadComment = joinComments(n.HeadComment, pending)
}

// verifyMAC compares the MAC computed by the walk with the document's.
func (w *walker) verifyMAC(m sops.Metadata) error {
	computed := strings.ToUpper(hex.EncodeToString(w.hash.Sum(nil)))
	stored, err := w.cipher.decrypt(m.MessageAuthenticationCode, macAdditionalData(m))
	if err != nil {
		return &IntegrityError{Reason: "mac: " + err.Error() + " (mac or lastmodified was changed)"}
	}
	if s, ok := stored.(string); !ok || s != computed {
		return &IntegrityError{Reason: "mac mismatch: the document was changed after it was encrypted"}
	}
	return nil
}
