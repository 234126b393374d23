package site

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"huzhu/internal/privacy"
)

// The two files that make a site verifiable; neither is listed in the
// manifest.
const (
	ManifestFile  = "manifest.json"
	SignatureFile = "manifest.sig"
)

// ErrVerify is the sentinel of every verification failure.
var ErrVerify = errors.New("site verify")

// Manifest lists every published file with its sha256, sorted by path.
type Manifest struct {
	Version   int         `json:"version"`
	AsOf      string      `json:"as_of"`
	PublicKey string      `json:"public_key"` // hex; informative only — Verify uses the key it is given
	Files     []FileEntry `json:"files"`
}

// FileEntry is one published file.
type FileEntry struct {
	Path   string `json:"path"` // slash-separated, relative to the site folder
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// writeManifest writes manifest.json and manifest.sig (the hex Ed25519
// signature of manifest.json's bytes, newline-terminated).
func writeManifest(dir string, m *Manifest, key ed25519.PrivateKey) error {
	slices.SortFunc(m.Files, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	body, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), body, 0o644); err != nil {
		return err
	}
	sig := ed25519.Sign(key, body)
	return os.WriteFile(filepath.Join(dir, SignatureFile), []byte(hex.EncodeToString(sig)+"\n"), 0o644)
}

// Verify checks a copy of the site: manifest.sig is a valid signature of
// manifest.json under pub, and the folder holds exactly the files the
// manifest lists with their sha256. Every problem found is reported,
// joined; each wraps ErrVerify.
func Verify(dir string, pub ed25519.PublicKey) error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrVerify}, a...)...)
	}
	if len(pub) != ed25519.PublicKeySize {
		return fail("public key has %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	// A published site is reached through a symlink (out/site →
	// current/site); the files checked are those it points at.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	body, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return fail("%v", err)
	}
	sigHex, err := os.ReadFile(filepath.Join(dir, SignatureFile))
	if err != nil {
		return fail("%v", err)
	}
	sig, err := hex.DecodeString(strings.TrimSpace(string(sigHex)))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fail("%s is not a hex Ed25519 signature", SignatureFile)
	}
	if !ed25519.Verify(pub, body, sig) {
		return fail("%s does not match %s under this public key (the manifest was changed, or another key signed it)", SignatureFile, ManifestFile)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fail("%s: %v", ManifestFile, err)
	}
	listed := make(map[string]FileEntry, len(m.Files))
	for _, f := range m.Files {
		listed[f.Path] = f
	}
	var errs []error
	seen := map[string]bool{}
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile || rel == SignatureFile {
			return nil
		}
		f, ok := listed[rel]
		if !ok {
			errs = append(errs, fail("%s is not in the manifest (added)", rel))
			return nil
		}
		seen[rel] = true
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(b)) != f.Bytes {
			errs = append(errs, fail("%s was changed (sha256 differs from the manifest)", rel))
		}
		return nil
	})
	if err != nil {
		errs = append(errs, fail("%v", err))
	}
	for _, f := range m.Files {
		if !seen[f.Path] {
			errs = append(errs, fail("%s is in the manifest but missing (removed)", f.Path))
		}
	}
	return errors.Join(errs...)
}

// ParsePublicKey reads a public key given as hex, or as the path of a file
// holding the hex (what `huzhu site verify --pubkey` accepts).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	raw, err := os.ReadFile(s)
	if err != nil {
		return nil, fmt.Errorf("public key %q is neither %d hex bytes nor a readable file: %w", privacy.Mask(s), ed25519.PublicKeySize, err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: not a hex Ed25519 public key (%d bytes)", s, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// ParsePrivateKey reads the signing key as the hex of its 32-byte seed
// (the value of the env var named by [site] signing_key_env).
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key: want the hex of a %d-byte Ed25519 seed", ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(b), nil
}
