package cli

import (
	"fmt"

	units "github.com/docker/go-units"
)

// byteSize is a flag value of bytes written with binary units (64GiB,
// 512MiB, 8m) or as a plain number of bytes; help prints it in units.
type byteSize int64

// Set parses s as go-units' RAMInBytes does (binary multiples).
func (b *byteSize) Set(s string) error {
	n, err := units.RAMInBytes(s)
	if err != nil || n < 0 {
		return fmt.Errorf("invalid size %q: want bytes such as 64GiB, 512MiB or 1048576", s)
	}
	*b = byteSize(n)
	return nil
}

// String is the size in binary units, such as 64GiB.
func (b *byteSize) String() string { return units.BytesSize(float64(*b)) }

// Get returns the number of bytes, as an int64 (for Command.Value).
func (b *byteSize) Get() any { return int64(*b) }
