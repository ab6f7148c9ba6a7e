package bundlescan

import "fmt"

// Rules of findings.
const (
	// RuleValue is a secret's value, in some encoding, in the bundle.
	RuleValue = "secret-value-in-bundle"
	// RuleName is a rendered env or config file setting a stripped
	// secret's name.
	RuleName = "stripped-secret-set-in-config"
)

// A Finding is one occurrence of a secret in the bundle. It never holds the
// value or any part of it.
type Finding struct {
	Rule string `json:"rule"`
	// File is the path relative to the scanned directory (the file's name
	// when a file was scanned), then "!/" and the path inside each archive:
	// "app.zip!/resources/app.asar!/config.json". A value in an archive's
	// own bytes rather than in an entry's content ends with the place it
	// sits in: "app.zip!<comment>", "bundle.tgz!<trailing data>",
	// "app.zip!/lib/a.so!<extra field>". An entry whose name holds a value
	// is named by its position: "app.zip!/<entry 3>".
	File string `json:"file"`
	// Offset is the byte offset of the match in File (inside an archive
	// entry: in its decompressed content; at a place in an archive's own
	// bytes: in the archive as stored, or as its container decompresses it).
	Offset int64  `json:"offset"`
	Secret string `json:"secret"`
	// Deployment is "scenario/deployment" when the value is one the
	// ledger issued to that deployment.
	Deployment string `json:"deployment,omitempty"`
	// Encoding is the form the value was found in (RuleValue).
	Encoding Encoding `json:"encoding,omitempty"`
	// Name is the env or config name that is set (RuleName), and Line its
	// line in File.
	Name string `json:"name,omitempty"`
	Line int    `json:"line,omitempty"`
}

// String describes the finding on one line.
func (f Finding) String() string {
	if f.Rule == RuleName {
		return fmt.Sprintf("%s:%d: sets %s, the name of stripped secret %s", f.File, f.Line, f.Name, f.Secret)
	}
	if f.Deployment != "" {
		return fmt.Sprintf("%s@%d: value of %s issued to deployment %s (%s)", f.File, f.Offset, f.Secret, f.Deployment, f.Encoding)
	}
	return fmt.Sprintf("%s@%d: value of %s (%s)", f.File, f.Offset, f.Secret, f.Encoding)
}

// Unscannable is a secret whose value Scan could not look for.
type Unscannable struct {
	Secret string `json:"secret"`
	Reason string `json:"reason"`
}

// Report is the result of a scan.
type Report struct {
	// Path is the scanned path as given.
	Path string `json:"path"`
	// Files counts the files scanned, archive entries included; Bytes the
	// bytes read, decompressed.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Secrets counts the values looked for.
	Secrets     int           `json:"secrets"`
	Findings    []Finding     `json:"findings"`
	Unscannable []Unscannable `json:"unscannable"`
}

// TopFile is the top-level file of a finding's File: the part before the
// first "!/" (a path inside an archive) or "!<" (a place in an archive's
// own bytes, such as "app.zip!<comment>").
func TopFile(file string) string {
	for i := range len(file) - 1 {
		if file[i] == '!' && (file[i+1] == '/' || file[i+1] == '<') {
			return file[:i]
		}
	}
	return file
}
