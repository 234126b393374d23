package pseudonym

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// A pseudonym cannot be read back, and some values the warehouse keeps
// must be: where an incremental pull stopped (ops.watermarks, ops.loads),
// whose key is a member's or a staff member's when the operator keys them
// by id number, phone or name, and which the next pull sends back to the
// operator's database or API. Seal encrypts such a value under the
// pseudonymisation key, so the warehouse holds no person's data in the
// clear and the next pull, holding the key, reads it back (Open).
//
// AES-256-GCM under a key derived from the pseudonymisation key, with a
// nonce derived from the value (HMAC-SHA256 under another derived key):
// the same value seals to the same text, as every output of a run must
// come out the same for the same input; two different values never share
// a nonce. The text is SealPrefix and the base64url of nonce and
// ciphertext.

// SealPrefix begins every sealed value.
const SealPrefix = "HZS1:"

// ErrSealed is returned by Open when the value does not open under the key
// (another key, or a text altered).
var ErrSealed = errors.New("a sealed value does not open under this pseudonymisation key")

// derive is HMAC-SHA256 of a fixed label under key.
func derive(key []byte, label string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(label))
	return mac.Sum(nil)
}

func sealer(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(derive(key, "huzhu seal v1 aes-256-gcm"))
	if err != nil {
		panic(err) // a 32-byte key: cannot happen
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// Seal returns v sealed under key.
func Seal(key []byte, v string) string {
	aead := sealer(key)
	mac := hmac.New(sha256.New, derive(key, "huzhu seal v1 nonce"))
	mac.Write([]byte(v))
	nonce := mac.Sum(nil)[:aead.NonceSize()]
	out := aead.Seal(nonce, nonce, []byte(v), []byte(SealPrefix))
	return SealPrefix + base64.RawURLEncoding.EncodeToString(out)
}

// Sealed reports whether s is a sealed value.
func Sealed(s string) bool { return strings.HasPrefix(s, SealPrefix) }

// Open returns the value s seals under key; ErrSealed when it does not
// open. The error never holds any of the value.
func Open(key []byte, s string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, SealPrefix))
	aead := sealer(key)
	if err != nil || !Sealed(s) || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", ErrSealed
	}
	n := aead.NonceSize()
	v, err := aead.Open(nil, raw[:n], raw[n:], []byte(SealPrefix))
	if err != nil {
		return "", ErrSealed
	}
	return string(v), nil
}
