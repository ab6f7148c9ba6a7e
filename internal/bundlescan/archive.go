package bundlescan

import (
	"bytes"
	"encoding/binary"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// kind is what a file's first bytes say it is.
type kind int

const (
	kindPlain kind = iota
	kindGzip
	kindZip
	kindTar
	kindAsar
)

// sniffLen is how many leading bytes sniff needs.
const sniffLen = 512

// sniff recognises archives by content, not by name: a .jar, .apk, .ipa or
// .aab is a zip; an .asar is Electron's archive.
func sniff(head []byte) kind {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return kindGzip
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return kindTar
	case isAsar(head):
		return kindAsar
	}
	return kindPlain
}

// isAsar recognises the header of an Electron asar archive: a Chromium
// pickle of 4 bytes holding the header size, then the header pickle, whose
// string is the JSON index beginning with {"files".
func isAsar(head []byte) bool {
	if len(head) < 24 || binary.LittleEndian.Uint32(head) != 4 {
		return false
	}
	return bytes.HasPrefix(head[16:], []byte(`{"files"`))
}

func sniffFile(name string) (kind, error) {
	f, err := os.Open(name)
	if err != nil {
		return kindPlain, err
	}
	defer f.Close()
	head := make([]byte, sniffLen)
	n, _ := f.Read(head)
	return sniff(head[:n]), nil
}

// entryName joins an archive's name and the path of an entry in it, or
// returns ok false when the entry's path is absolute or climbs out with
// "..": such an archive is refused.
func entryName(archive, name string) (string, bool) {
	n := strings.ReplaceAll(name, `\`, "/")
	if !filepath.IsLocal(n) || len(n) > 1 && n[1] == ':' {
		return archive + "!/" + name, false
	}
	return archive + "!/" + path.Clean(n), true
}
