//go:build !darwin && !windows && !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keystore

const keychainName = "none"

// keychainPresent is false where go-keyring supports no keychain.
func keychainPresent() (bool, error) { return false, nil }
