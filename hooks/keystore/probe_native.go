//go:build darwin || windows

package keystore

import "runtime"

var keychainName = map[string]string{"darwin": "macOS Keychain", "windows": "Windows Credential Manager"}[runtime.GOOS]

// keychainPresent is always true: every macOS and Windows session has one.
func keychainPresent() (bool, error) { return true, nil }
