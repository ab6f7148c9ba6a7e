package hooks

import (
	"math"

	"github.com/secretsctl/secretsctl/store"
)

// MinEntropyBits is the least entropy, in bits, a generated secret may have
// unless its generator declares weak: true (which lint reports).
const MinEntropyBits = 128

// EntropyBits is the entropy of a value a generator makes: length ×
// log2(alphabet size) for random and password (an upper bound for a
// password, which must hold every class), bytes × 8 for hex, base64 and
// jwt-secret. Defaults apply to unset parameters. ok is false for
// generators whose strength their type fixes (uuid, keypair, tls-cert) or
// that draw no randomness (sqlite-path, derived), and for parameters
// [ValidateGenerator] refuses.
func EntropyBits(g store.Generator) (bits float64, ok bool) {
	switch g.Type {
	case "random", "password":
		n := len([]rune(Alphabet(g)))
		if n < 2 {
			return 0, false
		}
		length := cmpInt(g.Length, map[string]int{"random": 32, "password": 24}[g.Type])
		return float64(length) * math.Log2(float64(n)), true
	case "hex", "base64", "jwt-secret":
		return float64(cmpInt(g.Bytes, 32) * 8), true
	}
	return 0, false
}

// checkEntropy refuses a generator under [MinEntropyBits] that does not
// declare weak: true.
func checkEntropy(g store.Generator) *ParamError {
	bits, ok := EntropyBits(g)
	if !ok || g.Weak || bits >= MinEntropyBits {
		return nil
	}
	param := "length"
	if g.Type != "random" && g.Type != "password" {
		param = "bytes"
	}
	return badParam(param, "gives %d bits of entropy, under the floor of %d bits: raise it, or declare weak: true where a guessable value is acceptable (lint warns)",
		int(math.Floor(bits)), MinEntropyBits)
}
