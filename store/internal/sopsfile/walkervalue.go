package sopsfile

import "gopkg.in/yaml.v3"

// WalkerValue is the value sops' walker gives a clear scalar, and so the
// value the MAC and the seal authenticate: what yaml.v3 decodes it to
// (string, int, float64, bool, time.Time, nil…), not its text. A reader of
// decrypted documents must see the same value, or a re-spelling that keeps
// the MAC (`!!binary` base64, another spelling of a timestamp) changes what
// it reads.
func WalkerValue(n *yaml.Node) any { return scalarValue(n) }
