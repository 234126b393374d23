package extract

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A hand-written scanner for the JSON the operators send: objects whose
// values are strings, numbers, booleans or null (anything nested is kept as
// its JSON text). encoding/json decodes such a row into a map at several
// times the cost; this one writes each value's text once, into a reused
// buffer.

var errJSON = errors.New("malformed JSON")

type jsonScanner struct {
	b   []byte
	i   int
	out []byte // unescaped values of the current object, end to end
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) expect(c byte) error {
	if s.peek() != c {
		return errJSON
	}
	s.i++
	return nil
}

// str reads a string and appends its unescaped text to s.out, returning
// the span of it.
func (s *jsonScanner) str() (int, int, error) {
	if err := s.expect('"'); err != nil {
		return 0, 0, err
	}
	start := len(s.out)
	for {
		j := s.i
		for j < len(s.b) && s.b[j] != '"' && s.b[j] != '\\' && s.b[j] >= 0x20 {
			j++
		}
		s.out = append(s.out, s.b[s.i:j]...)
		s.i = j
		if j >= len(s.b) {
			return 0, 0, errJSON
		}
		switch c := s.b[j]; {
		case c == '"':
			s.i++
			return start, len(s.out), nil
		case c < 0x20:
			return 0, 0, errJSON
		}
		// An escape.
		if s.i+1 >= len(s.b) {
			return 0, 0, errJSON
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			s.out = append(s.out, e)
		case 'b':
			s.out = append(s.out, '\b')
		case 'f':
			s.out = append(s.out, '\f')
		case 'n':
			s.out = append(s.out, '\n')
		case 'r':
			s.out = append(s.out, '\r')
		case 't':
			s.out = append(s.out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return 0, 0, errJSON
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					s.i += 2
					if x, ok := s.hex4(); ok {
						r2 = x
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			s.out = utf8.AppendRune(s.out, r)
		default:
			return 0, 0, errJSON
		}
	}
}

func (s *jsonScanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(v), true
}

// value reads any value. It appends the text of a scalar to s.out (the
// literal of a number or boolean; a string unescaped) or of a nested value
// (its JSON), and reports null.
func (s *jsonScanner) value() (start, end int, null bool, err error) {
	switch c := s.peek(); {
	case c == '"':
		start, end, err = s.str()
		return
	case c == 'n':
		if s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "null" {
			s.i += 4
			return 0, 0, true, nil
		}
		return 0, 0, false, errJSON
	case c == 't' || c == 'f':
		lit := "true"
		if c == 'f' {
			lit = "false"
		}
		if s.i+len(lit) <= len(s.b) && string(s.b[s.i:s.i+len(lit)]) == lit {
			start = len(s.out)
			s.out = append(s.out, lit...)
			s.i += len(lit)
			return start, len(s.out), false, nil
		}
		return 0, 0, false, errJSON
	case c == '-' || c >= '0' && c <= '9':
		j := s.i
		for j < len(s.b) && (s.b[j] >= '0' && s.b[j] <= '9' || s.b[j] == '-' || s.b[j] == '+' || s.b[j] == '.' || s.b[j] == 'e' || s.b[j] == 'E') {
			j++
		}
		start = len(s.out)
		s.out = appendPlainNumber(s.out, s.b[s.i:j])
		s.i = j
		return start, len(s.out), false, nil
	case c == '{' || c == '[':
		j, err := s.skip()
		if err != nil {
			return 0, 0, false, err
		}
		start = len(s.out)
		s.out = append(s.out, s.b[j:s.i]...)
		return start, len(s.out), false, nil
	}
	return 0, 0, false, errJSON
}

// skip passes over a nested value, returning where it began.
func (s *jsonScanner) skip() (int, error) {
	s.ws()
	begin := s.i
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			save := len(s.out)
			if _, _, err := s.str(); err != nil {
				return 0, err
			}
			s.out = s.out[:save]
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return begin, nil
			}
		}
		s.i++
	}
	return 0, errJSON
}

// flatObject scans one object. For each key, set(key, start, end, null)
// is called with the value's span in s.out.
func (s *jsonScanner) flatObject(set func(key []byte, start, end int, null bool)) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		ks, ke, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		vs, ve, null, err := s.value()
		if err != nil {
			return err
		}
		set(s.out[ks:ke], vs, ve, null)
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errJSON
		}
	}
}

// objectSpans scans one flat object onto the entity's fields: spans gets,
// for each field, the start and end of its value in s.out, or -1, -1 for
// null or absent. Unknown keys are returned as extra (nil when none).
// s.out keeps growing, so the spans of several objects stay valid together.
//
// A field the object names twice ("amount" and "Amount", or one key
// twice), which JSON leaves to the reader to settle, is returned as twice
// (its contract name): the record is refused (ReasonDuplicateField) rather
// than one of the two values kept and the other lost without a word.
func (s *jsonScanner) objectSpans(r *recordSink, spans []int32) (extra map[string]string, twice string, err error) {
	for i := range spans {
		spans[i] = -1
	}
	var seen uint64 // the fields met, by index (the contract's have fewer than 64)
	err = s.flatObject(func(key []byte, start, end int, null bool) {
		j := r.index(key)
		if j < 0 {
			if !null {
				if extra == nil {
					extra = map[string]string{}
				}
				extra[string(key)] = string(s.out[start:end])
			}
			return
		}
		if j < 64 {
			if seen&(1<<j) != 0 && twice == "" {
				twice = r.e.Fields[j].Name
			}
			seen |= 1 << j
		}
		if !null {
			spans[2*j], spans[2*j+1] = int32(start), int32(end)
		} else {
			spans[2*j], spans[2*j+1] = -1, -1
		}
	})
	return extra, twice, err
}

// fieldsOf turns spans into field values pointing into s.out.
func (s *jsonScanner) fieldsOf(spans []int32, fields [][]byte) {
	for i := range fields {
		if a := spans[2*i]; a >= 0 {
			b := spans[2*i+1]
			fields[i] = s.out[a:b:b]
		} else {
			fields[i] = nil
		}
	}
}

// objectFields scans one flat object onto fields (see objectSpans).
func (s *jsonScanner) objectFields(r *recordSink, fields [][]byte) (map[string]string, string, error) {
	s.out = s.out[:0]
	var buf [128]int32
	spans := buf[:2*len(fields)]
	extra, twice, err := s.objectSpans(r, spans)
	if err != nil {
		return nil, "", err
	}
	s.fieldsOf(spans, fields)
	return extra, twice, nil
}

// index finds a field by name, without allocating when the key is the
// field's name as the contract writes it; a key in other capitals or with
// spaces around it ("Amount ") is that field too, as in a CSV header
// (recordSink.setHeader).
func (r *recordSink) index(key []byte) int {
	for i, f := range r.e.Fields {
		if f.Name == string(key) {
			return i
		}
	}
	k := strings.TrimSpace(string(key))
	for i, f := range r.e.Fields {
		if strings.EqualFold(k, f.Name) {
			return i
		}
	}
	return -1
}

// page scans an API page {"data": [objects], "next_cursor": …, …}, calling
// row with the scanner positioned at each object of data. It returns the
// next cursor, nil at the end.
func (s *jsonScanner) page(row func() error) (*string, error) {
	var next *string
	if err := s.expect('{'); err != nil {
		return nil, err
	}
	if s.peek() == '}' {
		s.i++
		return nil, nil
	}
	s.out = s.out[:0]
	for {
		ks, ke, err := s.str()
		if err != nil {
			return nil, err
		}
		key := string(s.out[ks:ke])
		if err := s.expect(':'); err != nil {
			return nil, err
		}
		switch key {
		case "data":
			if err := s.expect('['); err != nil {
				return nil, err
			}
			if s.peek() == ']' {
				s.i++
				break
			}
			for {
				if err := row(); err != nil {
					return nil, err
				}
				c := s.peek()
				s.i++
				if c == ']' {
					break
				}
				if c != ',' {
					return nil, errJSON
				}
			}
		default:
			vs, ve, null, err := s.value()
			if err != nil {
				return nil, err
			}
			if key == "next_cursor" && !null {
				c := string(s.out[vs:ve])
				next = &c
			}
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.ws()
			if s.i != len(s.b) {
				return nil, errJSON
			}
			return next, nil
		default:
			return nil, errJSON
		}
	}
}

// appendPlainNumber appends a JSON number literal as plain decimal text:
// as it is, or with its exponent worked into the digits (1.80145e3 is
// 1801.45, 5E-1 is 0.5), exactly — contract-v1 lets money come as a JSON
// number, and a number is its value whatever its spelling. A literal that
// is no number, or an exponent beyond ±40, is appended as it is (the
// transform refuses it).
func appendPlainNumber(dst, lit []byte) []byte {
	e := bytes.IndexAny(lit, "eE")
	if e < 0 {
		return append(dst, lit...)
	}
	mant, expText := lit[:e], lit[e+1:]
	exp, err := strconv.Atoi(string(expText))
	neg := len(mant) > 0 && mant[0] == '-'
	if neg {
		mant = mant[1:]
	}
	intPart, frac, _ := bytes.Cut(mant, []byte{'.'})
	if err != nil || exp > 40 || exp < -40 || len(intPart) == 0 || !allDigits(intPart) || !allDigits(frac) {
		return append(dst, lit...)
	}
	digits := append(append([]byte(nil), intPart...), frac...)
	point := len(intPart) + exp // where the decimal point falls in digits
	for point > len(digits) {
		digits = append(digits, '0')
	}
	for point < 1 {
		digits = append([]byte{'0'}, digits...)
		point++
	}
	whole := bytes.TrimLeft(digits[:point], "0")
	if len(whole) == 0 {
		whole = []byte{'0'}
	}
	if neg {
		dst = append(dst, '-')
	}
	dst = append(dst, whole...)
	if point < len(digits) {
		dst = append(append(dst, '.'), digits[point:]...)
	}
	return dst
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
