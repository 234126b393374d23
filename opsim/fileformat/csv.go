package fileformat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// csvWriter writes RFC 4180 CSV by hand.
//
// Lines end in "\n", not RFC 4180's "\r\n": it is what most operator
// exports and every CSV reader huzhu meets accept, and a bare "\n" is one
// byte less to get wrong. A value is quoted only when it must be: it holds
// a comma, a quote, CR or LF, begins or ends with a space or tab, or is
// the empty string (so that a non-null empty value, written `""`, differs
// from a null, written as nothing, for readers that tell them apart).
//
// For gb18030 the line is composed in UTF-8 and then encoded; lines of
// pure ASCII, the same bytes in both, skip the encoder.
type csvWriter struct {
	e      *contract.Entity
	w      io.Writer
	out    []byte                // encoded bytes waiting for w
	line   []byte                // the UTF-8 line, gb18030 only
	enc    transform.Transformer // nil for UTF-8
	err    error
	closed bool
}

// csvSpecial marks the bytes that force quoting anywhere in a value.
var csvSpecial = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// badGB18030 is what MangleBadUTF8 plants in a gb18030 file: 0x80 is never
// a GB18030 lead byte and 0xFF is no GB18030 byte at all.
var badGB18030 = []byte{0x80, 0xFF}

func newCSVWriter(e *contract.Entity, w io.Writer, opt Options) (*csvWriter, error) {
	cw := &csvWriter{e: e, w: w, out: make([]byte, 0, flushAt+4096)}
	switch strings.ToLower(opt.Encoding) {
	case "", UTF8, "utf8":
		if opt.BOM {
			cw.out = append(cw.out, 0xEF, 0xBB, 0xBF)
		}
	case GB18030:
		if opt.BOM {
			return nil, fmt.Errorf("a BOM is for utf-8 files only")
		}
		cw.enc = simplifiedchinese.GB18030.NewEncoder()
	default:
		return nil, fmt.Errorf("unknown CSV encoding %q (want utf-8 or gb18030)", opt.Encoding)
	}
	// Field names are ASCII identifiers: the same bytes in both encodings.
	for i, f := range e.Fields {
		if i > 0 {
			cw.out = append(cw.out, ',')
		}
		cw.out = appendCSVValue(cw.out, []byte(f.Name))
	}
	cw.out = append(cw.out, '\n')
	return cw, nil
}

// Write implements Writer.
func (w *csvWriter) Write(r *record.Row) error {
	if w.closed {
		return fmt.Errorf("fileformat: csv %s: %w", w.e.Name, ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := checkRow(w.e, r); err != nil {
		return fmt.Errorf("fileformat: csv %s: %w", w.e.Name, err)
	}
	n := len(w.e.Fields)
	ins := -1 // where MangleBadUTF8 goes, as an offset into the line
	if r.Mangle == record.MangleTruncate {
		n /= 2
	}
	dst := w.out
	if w.enc != nil {
		dst = w.line[:0]
	}
	start := len(dst)
	target, off := -1, 0
	if r.Mangle == record.MangleBadUTF8 {
		target, off = badUTF8Target(w.e, r)
	}
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		if r.IsNull(i) {
			continue
		}
		v := r.Field(i)
		if i == target {
			var p int
			dst, p = appendCSVValueMark(dst, v, off)
			ins = p - start
			continue
		}
		dst = appendCSVValue(dst, v)
	}
	if r.Mangle == record.MangleExtraColumn {
		dst = append(dst, ",EXTRA"...)
	}
	dst = append(dst, '\n')

	if w.enc == nil {
		if ins >= 0 {
			dst = slices.Insert(dst, start+ins, 0xFF)
		}
		w.out = dst
	} else {
		w.line = dst
		if ins >= 0 {
			w.encode(dst[:ins])
			w.out = append(w.out, badGB18030...)
			w.encode(dst[ins:])
		} else {
			w.encode(dst)
		}
		if w.err != nil {
			return w.err
		}
	}
	if len(w.out) >= flushAt {
		return w.flush()
	}
	return nil
}

// encode appends src, UTF-8, to w.out in GB18030.
func (w *csvWriter) encode(src []byte) {
	if isASCII(src) {
		w.out = append(w.out, src...)
		return
	}
	for len(src) > 0 {
		if cap(w.out)-len(w.out) < 4*len(src) {
			w.out = slices.Grow(w.out, 4*len(src))
		}
		nDst, nSrc, err := w.enc.Transform(w.out[len(w.out):cap(w.out)], src, true)
		w.out = w.out[:len(w.out)+nDst]
		src = src[nSrc:]
		if err != nil && !errors.Is(err, transform.ErrShortDst) {
			w.err = fmt.Errorf("fileformat: csv %s: gb18030: %w", w.e.Name, err)
			return
		}
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// flush hands w.out to the io.Writer.
func (w *csvWriter) flush() error {
	if len(w.out) == 0 {
		return nil
	}
	if _, err := w.w.Write(w.out); err != nil {
		w.err = fmt.Errorf("fileformat: csv %s: %w", w.e.Name, err)
		return w.err
	}
	w.out = w.out[:0]
	return nil
}

// Close implements Writer.
func (w *csvWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

// csvNeedsQuote reports whether a non-null value must be quoted.
func csvNeedsQuote(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	switch v[0] {
	case ' ', '\t':
		return true
	}
	switch v[len(v)-1] {
	case ' ', '\t':
		return true
	}
	for _, c := range v {
		if csvSpecial[c] {
			return true
		}
	}
	return false
}

// appendCSVValue appends a non-null value, quoted if it must be.
func appendCSVValue(dst, v []byte) []byte {
	if !csvNeedsQuote(v) {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	dst = appendQuotedBody(dst, v)
	return append(dst, '"')
}

// appendCSVValueMark is appendCSVValue that also returns the position in
// dst of byte off of v, where a mangle inserts its bytes.
func appendCSVValueMark(dst, v []byte, off int) ([]byte, int) {
	if !csvNeedsQuote(v) {
		p := len(dst) + off
		return append(dst, v...), p
	}
	dst = append(dst, '"')
	dst = appendQuotedBody(dst, v[:off])
	p := len(dst)
	dst = appendQuotedBody(dst, v[off:])
	return append(dst, '"'), p
}

// appendQuotedBody appends v with every quote doubled.
func appendQuotedBody(dst, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, '"')
		if i < 0 {
			return append(dst, v...)
		}
		dst = append(dst, v[:i+1]...)
		dst = append(dst, '"')
		v = v[i+1:]
	}
}
