package hooks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

var algorithms = []string{"ed25519", "ecdsa-p256", "rsa-3072"}

func generateUUID(g store.Generator, _ map[string]string, opt Options) (string, error) {
	b, err := randomBytes(opt, 16)
	if err != nil {
		return "", err
	}
	version := byte(4)
	if g.Version == "v7" {
		version = 7
		ms := uint64(opt.now().UnixMilli())
		for i := range 6 {
			b[i] = byte(ms >> (40 - 8*i))
		}
	}
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

func generateKeypair(g store.Generator, _ map[string]string, opt Options) (string, error) {
	key, err := newKey(cmpOr(g.Algorithm, "ed25519"), opt)
	if err != nil {
		return "", err
	}
	return privatePEM(key)
}

// newKey makes a private key. ed25519 and ecdsa-p256 keys come from
// opt.Rand; crypto/rsa ignores any reader since Go 1.26.
func newKey(algorithm string, opt Options) (crypto.Signer, error) {
	switch algorithm {
	case "ed25519":
		seed, err := randomBytes(opt, ed25519.SeedSize)
		if err != nil {
			return nil, err
		}
		return ed25519.NewKeyFromSeed(seed), nil
	case "ecdsa-p256":
		return newP256Key(opt)
	case "rsa-3072":
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, fmt.Errorf("unknown algorithm %q", algorithm)
}

// newP256Key draws a scalar by rejection: a draw that is zero or not below
// the group order is thrown away.
func newP256Key(opt Options) (*ecdsa.PrivateKey, error) {
	for range 64 {
		d, err := randomBytes(opt, 32)
		if err != nil {
			return nil, err
		}
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no valid P-256 scalar in 64 draws: the random source is broken")
}

func privatePEM(key crypto.Signer) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

func validateTLSCert(g store.Generator) *ParamError {
	for _, h := range g.Hosts {
		if net.ParseIP(h) == nil && !validHostname(h) {
			return badParam("hosts", "%q is neither a DNS name nor an IP address", h)
		}
	}
	if err := checkRange("valid_days", g.ValidDays, 1, 3650); err != nil {
		return err
	}
	return checkEnum("algorithm", g.Algorithm, algorithms)
}

func validHostname(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// generateTLSCert makes a self-signed leaf certificate for the hosts, valid
// from now, and returns the certificate PEM followed by the key PEM.
func generateTLSCert(g store.Generator, _ map[string]string, opt Options) (string, error) {
	key, err := newKey(cmpOr(g.Algorithm, "ecdsa-p256"), opt)
	if err != nil {
		return "", err
	}
	serial, err := randomBytes(opt, 16)
	if err != nil {
		return "", err
	}
	now := opt.now().UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serial),
		Subject:               pkix.Name{CommonName: g.Hosts[0]},
		NotBefore:             now,
		NotAfter:              now.AddDate(0, 0, cmpInt(g.ValidDays, 365)),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if _, ok := key.(*rsa.PrivateKey); ok {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	for _, h := range g.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", fmt.Errorf("create certificate: %w", err)
	}
	keyPEM, err := privatePEM(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) + keyPEM, nil
}
