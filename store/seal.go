package store

import (
	"errors"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// sealError maps a decryption failure of SealFile to the store's errors.
func sealError(file string, err error) error {
	var ie *sopsfile.IntegrityError
	switch {
	case errors.As(err, &ie):
		return &IntegrityError{File: file, Reason: ie.Reason}
	case errors.Is(err, sopsfile.ErrNoKey):
		return &KeyError{File: file, Err: err}
	}
	return &DocumentError{File: file, Reason: err.Error()}
}
