package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/text/unicode/norm"

	"huzhu/contract"
	"huzhu/internal/codes"
	"huzhu/internal/privacy"
	"huzhu/internal/pseudonym"
)

// pseudonymiser replaces a person's data in raw rows before they reach
// DuckDB, when extract runs with the pseudonymisation key (Options.PIIKey,
// as `huzhu run` and `huzhu extract` always do): a member's id number,
// name and phone and a staff member's name become pseudonyms; a reference
// to a person that looks like a person's data (contract.PersonRef: an
// operator that keys its members by id number) becomes its pseudonym; the
// columns an operator sent beyond the contract in an entity of personal
// data (extra: its own 手机号) keep their names and lose their values. So
// no plaintext of a person ever reaches the warehouse file, its log or
// DuckDB's memory, whose pages end up on disk in part: a warehouse that
// was scrubbed after the fact kept hundreds of names and phones in freed
// and half-written blocks.
//
// The values are those the transform's scrub writes into raw after the
// fact (transform/sql/scrub_*.sql), byte for byte: the transform reads
// either alike, and the loads extract pseudonymised (ops.loads
// pseudonymised) skip the scrub. transform's TestPseudonymisedAtExtract
// checks that raw and core come out the same both ways.
//
// What stays for the transform: a refused row's values that look like a
// person's data under another column (an export that swapped columns) are
// masked once the transform has refused the row, since masking them here
// could refuse a row the transform would keep.
//
// Nor does a person's data reach the warehouse through where an
// incremental pull stands (the watermark, in ops.watermarks and ops.loads)
// or a PostgreSQL row's position (raw source_pos: the table and the row's
// key), for an operator that keys its members or staff by id number, phone
// or name: a watermark whose key looks like a person's data is sealed
// (pseudonym.Seal), since the next pull must send it back to the operator,
// and a position's key gets the reference's pseudonym, as raw's column
// has it.
type pseudonymiser struct {
	key    []byte
	makers sync.Pool // of *pseudonym.Maker: one a goroutine at a time
}

func newPseudonymiser(key []byte) *pseudonymiser {
	p := &pseudonymiser{key: key}
	p.makers.New = func() any { return pseudonym.NewMaker(key) }
	return p
}

// valueRule rewrites one raw value (ok false: null) with a Maker.
type valueRule func(m *pseudonym.Maker, v string) (string, bool)

// rules are the rewrites of an entity's columns by field index, and
// whether its extra is masked; nil when the entity has nothing to rewrite.
func rules(e *contract.Entity) (map[int]valueRule, bool) {
	r := map[int]valueRule{}
	for i, f := range e.Fields {
		switch {
		case f.Kind == contract.IDNo:
			r[i] = idForm
		case f.PII && f.Name == "phone":
			r[i] = phoneForm
		case f.PII:
			r[i] = textForm
		case contract.PersonRef(f.Name):
			r[i] = refForm
		case e.Name == "staff_roles" && f.Name == "role":
			r[i] = roleForm
		}
	}
	if len(r) == 0 && !e.HasPII() {
		return nil, false
	}
	return r, e.HasPII()
}

// record returns rec with the entity's personal data replaced (rec itself,
// retained, when nothing changed). The caller releases both.
func (p *pseudonymiser) record(e *contract.Entity, rec arrow.RecordBatch) arrow.RecordBatch {
	byField, maskExtra := rules(e)
	if byField == nil && !maskExtra {
		rec.Retain()
		return rec
	}
	m := p.makers.Get().(*pseudonym.Maker)
	defer p.makers.Put(m)
	n := int(rec.NumRows())
	cols := make([]arrow.Array, rec.NumCols())
	changed := false
	for i := range cols {
		col := rec.Column(i)
		rule := byField[i]
		if i == len(e.Fields) && maskExtra {
			rule = maskedExtra
		}
		s, ok := col.(*array.String)
		if rule != nil && ok {
			if out := rewriteColumn(m, s, n, rule); out != nil {
				cols[i], changed = out, true
				continue
			}
		}
		col.Retain()
		cols[i] = col
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	if !changed {
		rec.Retain()
		return rec
	}
	return array.NewRecordBatch(rec.Schema(), cols, int64(n))
}

// rewriteColumn applies rule to every value of s; nil when no value changed.
func rewriteColumn(m *pseudonym.Maker, s *array.String, n int, rule valueRule) arrow.Array {
	var b *array.StringBuilder
	for j := 0; j < n; j++ {
		if s.IsNull(j) {
			if b != nil {
				b.AppendNull()
			}
			continue
		}
		v := s.Value(j)
		w, ok := rule(m, v)
		if b == nil {
			if ok && w == v {
				continue
			}
			b = array.NewStringBuilder(memory.DefaultAllocator)
			b.Reserve(n)
			for k := 0; k < j; k++ {
				if s.IsNull(k) {
					b.AppendNull()
				} else {
					b.Append(s.Value(k))
				}
			}
		}
		if ok {
			b.Append(w)
		} else {
			b.AppendNull()
		}
	}
	if b == nil {
		return nil
	}
	defer b.Release()
	return b.NewArray()
}

// The forms of a value already replaced (transform/sql/macros.sql,
// hz_scrubbed and hz_scrubbed_id): "HZ1:" and 32 hex digits, and for an id
// number what it says of the person.
var (
	scrubbedText = regexp.MustCompile(`^HZ1:[0-9a-f]{32}$`)
	scrubbedID   = regexp.MustCompile(`^HZ1:[0-9a-f]{32}:[0-9]{0,8}:[MF]:[^:]{0,6}:[01]$`)
	scrubbedAny  = regexp.MustCompile(`^HZ1:[0-9a-f]{32}(:[0-9]{0,8}:[MF]:[^:]{0,6}:[01])?$`)
	pseudoRef    = regexp.MustCompile(`^HZ1:[0-9A-F]{32}$`)
)

// pseudo is hz_pseudo: the pseudonym of v, or the one a replaced value
// carries.
func pseudo(m *pseudonym.Maker, v string) string {
	if strings.HasPrefix(v, "HZ1:") && scrubbedAny.MatchString(v) {
		return v[4:36]
	}
	return m.Of(v)
}

// idForm is an id number as scrub_members.sql writes it:
// "HZ1:<pseudonym>:<birth>:<sex>:<region>:<valid>" of its code, which the
// transform types as it types the id number itself. The birth date is that
// of characters 7–14 when they are one (else empty), the sex that of
// character 17 (odd: M), the region characters 1–6, valid the check of
// the whole. An id number of blanks stays as sent.
func idForm(m *pseudonym.Maker, v string) (string, bool) {
	if strings.HasPrefix(v, "HZ1:") && scrubbedID.MatchString(v) {
		return v, true
	}
	idn := codes.NormalizeCode(v)
	if idn == "" {
		return v, true // blanks: no id number, and nothing of a person
	}
	r := []rune(idn)
	birth := ""
	if len(r) >= 14 {
		if _, ok := codes.CalendarDate(string(r[6:14])); ok {
			birth = string(r[6:14])
		}
	}
	sex := "F"
	if len(r) >= 17 && r[16] >= '0' && r[16] <= '9' && (r[16]-'0')%2 == 1 {
		sex = "M"
	}
	valid := "0"
	if codes.ValidID(idn) {
		valid = "1"
	}
	return "HZ1:" + pseudo(m, idn) + ":" + birth + ":" + sex + ":" + string(r[:min(6, len(r))]) + ":" + valid, true
}

// textForm is a name: "HZ1:" and the pseudonym of its NFC form; an empty
// one becomes null.
func textForm(m *pseudonym.Maker, v string) (string, bool) {
	if strings.HasPrefix(v, "HZ1:") && scrubbedText.MatchString(v) {
		return v, true
	}
	t := norm.NFC.String(v)
	if t == "" {
		return "", false
	}
	return "HZ1:" + pseudo(m, t), true
}

// phoneForm is a phone: "HZ1:" and the pseudonym of the value as sent.
func phoneForm(m *pseudonym.Maker, v string) (string, bool) {
	if strings.HasPrefix(v, "HZ1:") && scrubbedText.MatchString(v) {
		return v, true
	}
	return "HZ1:" + pseudo(m, v), true
}

// refForm is a reference to a person (hz_plain_ref, then hz_ref_pseudo of
// its code): one that looks like a person's data becomes "HZ1:" and the
// pseudonym of its code in upper case; any other stays as sent.
func refForm(m *pseudonym.Maker, v string) (string, bool) {
	if !privacy.Candidate(v) {
		return v, true
	}
	c := codes.NormalizeCode(v)
	if !refPersonal(c) {
		return v, true
	}
	return "HZ1:" + strings.ToUpper(m.Of(c)), true
}

// roleForm is a staff role, part of the staff's key (scrub_staff_roles.sql:
// hz_ref_pseudo of the value as sent, when its code looks personal).
func roleForm(m *pseudonym.Maker, v string) (string, bool) {
	if !privacy.Candidate(v) || !refPersonal(codes.NormalizeCode(v)) || !refPersonal(v) {
		return v, true
	}
	return "HZ1:" + strings.ToUpper(m.Of(v)), true
}

// refPersonal is hz_ref_personal: looks like a person's data, and is not
// already a pseudonym.
func refPersonal(c string) bool {
	return privacy.LooksPersonal(c) && !pseudoRef.MatchString(c)
}

// maskedExtra is hz_mask_extra: the object's keys, in its order, each with
// the value "***".
func maskedExtra(_ *pseudonym.Maker, v string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(v))
	var out bytes.Buffer
	out.WriteByte('{')
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return `{"_":"***"}`, true // not an object: extract never writes one
	}
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	for i := 0; dec.More(); i++ {
		t, err := dec.Token()
		if err != nil {
			return `{"_":"***"}`, true
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return `{"_":"***"}`, true
		}
		if i > 0 {
			out.WriteByte(',')
		}
		enc.Encode(t.(string))
		out.Truncate(out.Len() - 1) // Encode's newline
		out.WriteString(`:"***"`)
	}
	out.WriteByte('}')
	return out.String(), true
}

// keyFields splits a watermark's or position's key ("k1|k2", a "|" or "\"
// within a field escaped with "\": appendPGKey; an HTTP pull's ends in a
// tab and a count) into its fields, escapes kept.
func keyFields(k string) []string {
	var out []string
	start := 0
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '\\':
			i++
		case '|', '\t':
			out = append(out, k[start:i])
			start = i + 1
		}
	}
	return append(out, k[start:])
}

// personalKey reports whether a field of the key looks like a person's
// data, as a reference extract pseudonymises does (refForm). A field that
// is a candidate makes the whole key one: most keys are not, and are told
// so without being split.
func personalKey(k string) bool {
	if !privacy.Candidate(k) {
		return false
	}
	for _, f := range keyFields(k) {
		if privacy.Candidate(f) && refPersonal(codes.NormalizeCode(f)) {
			return true
		}
	}
	return false
}

// sealWatermark is the watermark as the warehouse keeps it: its key sealed
// when it looks like a person's data. Without the key (p nil) it is kept
// as it is.
func (p *pseudonymiser) sealWatermark(m Watermark) Watermark {
	if p != nil && m.Key != "" && personalKey(m.Key) {
		m.Key = pseudonym.Seal(p.key, m.Key)
	}
	return m
}

// openWatermark reads back a watermark sealWatermark kept. A sealed one
// needs the key it was sealed under; the error says so without any of it.
func (p *pseudonymiser) openWatermark(m Watermark) (Watermark, error) {
	if !pseudonym.Sealed(m.Key) {
		return m, nil
	}
	if p == nil {
		return Watermark{}, errors.New("the watermark's key is sealed (a pull with the pseudonymisation key left it): run with that key")
	}
	k, err := pseudonym.Open(p.key, m.Key)
	if err != nil {
		return Watermark{}, fmt.Errorf("the watermark's key: %w", err)
	}
	m.Key = k
	return m, nil
}

// positionKey is a row's key as its position names it (a PostgreSQL
// row's source_pos: the table and the key): each field that looks like a
// person's data becomes its reference's pseudonym (refForm), which raw's
// column holds too. Without the key (p nil) the key is kept as it is.
func (p *pseudonymiser) positionKey(k string) string {
	if p == nil || !personalKey(k) {
		return k
	}
	m := p.makers.Get().(*pseudonym.Maker)
	defer p.makers.Put(m)
	var b strings.Builder
	start := 0
	for i, f := range keyFields(k) {
		if i > 0 {
			b.WriteByte(k[start-1]) // the separator, as it was
		}
		start += len(f) + 1
		v, _ := refForm(m, f) // the field as sent unless it looks personal
		b.WriteString(v)
	}
	return b.String()
}
