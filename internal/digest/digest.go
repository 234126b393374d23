// Package digest fingerprints files: the sha256 extract records for every
// file it loads (ops.loads.checksum) and the publish index lists for every
// file of a release.
package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// File is the hex sha256 of the file at path, read as a stream.
func File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
