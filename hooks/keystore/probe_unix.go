//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keystore

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/godbus/dbus/v5"
)

const keychainName = "Secret Service"

// secretService is the well-known D-Bus name of the freedesktop Secret Service.
const secretService = "org.freedesktop.secrets"

// keychainPresent reports whether a Secret Service exists: a session bus
// (DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus) on which the
// service's name is owned or can be activated. No session bus, or a bus
// without the service, means no keychain. A bus that is configured but
// does not answer is an error: something exists and is broken.
func keychainPresent() (bool, error) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		dir := os.Getenv("XDG_RUNTIME_DIR")
		if dir == "" {
			return false, nil
		}
		sock := filepath.Join(dir, "bus")
		if _, err := os.Stat(sock); err != nil {
			return false, nil
		}
		addr = "unix:path=" + sock
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return false, fmt.Errorf("connect to the session bus: %w", err)
	}
	defer conn.Close()
	bus := conn.BusObject()
	var owned bool
	if err := bus.Call("org.freedesktop.DBus.NameHasOwner", 0, secretService).Store(&owned); err != nil {
		return false, fmt.Errorf("ask the session bus for %s: %w", secretService, err)
	}
	if owned {
		return true, nil
	}
	var activatable []string
	if err := bus.Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return false, fmt.Errorf("ask the session bus for %s: %w", secretService, err)
	}
	return slices.Contains(activatable, secretService), nil
}
