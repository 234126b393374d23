// Package record holds the value types the operator simulator speaks in:
// a Row of text values as an operator system would send them, the Day and
// Stamp of the simulated calendar, and the Table an HTTP server pages
// through. It knows nothing of how the world is generated or written.
package record

import (
	"strconv"
	"sync"
	"time"

	"huzhu/contract"
	"huzhu/internal/money"
)

// Row is one record of an entity as an operator's system would send it:
// every value is text (the form a CSV cell or JSON string would hold), a
// value may be null, and a row may carry a transport-level defect for the
// writers to apply. A Row is reused from record to record: writers must copy
// what they keep past Write.
type Row struct {
	buf    []byte
	ends   []int
	nulls  uint64 // bit i: field i is null
	Mangle Mangle
}

// Mangle is a transport-level defect planted in one record. Only the CSV
// writer can express these; other transports write the record intact, and the
// answer key says so.
type Mangle uint8

// The transport-level defects.
const (
	MangleNone        Mangle = iota
	MangleTruncate           // the line stops halfway through, without its last fields
	MangleExtraColumn        // the line has one field more than the header
	MangleBadUTF8            // a text field holds bytes that are not UTF-8
)

// Reset empties the row for reuse.
func (r *Row) Reset() {
	r.buf = r.buf[:0]
	r.ends = r.ends[:0]
	r.nulls = 0
	r.Mangle = MangleNone
}

// Len returns the number of fields set.
func (r *Row) Len() int { return len(r.ends) }

// Field returns the text of field i; nil when it is null. The bytes are
// valid until the next Reset.
func (r *Row) Field(i int) []byte {
	if r.IsNull(i) {
		return nil
	}
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.buf[start:r.ends[i]]
}

// IsNull reports whether field i is null.
func (r *Row) IsNull(i int) bool { return r.nulls&(1<<uint(i)) != 0 }

func (r *Row) end() { r.ends = append(r.ends, len(r.buf)) }

// Null appends a null field.
func (r *Row) Null() {
	r.nulls |= 1 << uint(len(r.ends))
	r.end()
}

// Str appends a text field.
func (r *Row) Str(s string) {
	r.buf = append(r.buf, s...)
	r.end()
}

// StrOrNull appends s, or null when s is empty.
func (r *Row) StrOrNull(s string) {
	if s == "" {
		r.Null()
		return
	}
	r.Str(s)
}

// Bytes appends a text field from bytes.
func (r *Row) Bytes(b []byte) {
	r.buf = append(r.buf, b...)
	r.end()
}

// Int appends an integer field.
func (r *Row) Int(v int64) {
	r.buf = strconv.AppendInt(r.buf, v, 10)
	r.end()
}

// Bool appends true or false.
func (r *Row) Bool(v bool) {
	r.buf = strconv.AppendBool(r.buf, v)
	r.end()
}

// Cents appends an amount in the contract's money form (2 decimals).
func (r *Row) Cents(c money.Cents) {
	r.buf = c.AppendText(r.buf)
	r.end()
}

// Day appends a date field.
func (r *Row) Day(d Day) {
	r.buf = d.AppendText(r.buf)
	r.end()
}

// DayOrNull appends a date, or null for the zero Day.
func (r *Row) DayOrNull(d Day) {
	if d == 0 {
		r.Null()
		return
	}
	r.Day(d)
}

// TS appends a timestamp as RFC 3339 with the +08:00 offset.
func (r *Row) TS(t Stamp) {
	r.buf = t.AppendText(r.buf)
	r.end()
}

// TSOrNull appends a timestamp, or null for the zero Stamp.
func (r *Row) TSOrNull(t Stamp) {
	if t == 0 {
		r.Null()
		return
	}
	r.TS(t)
}

// Strings returns the row's values as strings, "" for null, with a parallel
// slice of null flags. For tests and small tables, not for hot paths.
func (r *Row) Strings() ([]string, []bool) {
	vals := make([]string, r.Len())
	nulls := make([]bool, r.Len())
	for i := range vals {
		vals[i] = string(r.Field(i))
		nulls[i] = r.IsNull(i)
	}
	return vals, nulls
}

// CopyFrom makes r an independent copy of src.
func (r *Row) CopyFrom(src *Row) {
	r.buf = append(r.buf[:0], src.buf...)
	r.ends = append(r.ends[:0], src.ends...)
	r.nulls = src.nulls
	r.Mangle = src.Mangle
}

// Day is a civil date in the simulated world, counted in days since
// 1970-01-01. The zero Day means "no date".
type Day int32

// DayOf returns the Day of a calendar date.
func DayOf(y int, m time.Month, d int) Day {
	// Howard Hinnant's days_from_civil; time.Date normalises out-of-range
	// months and days, so do the same for months before calling it.
	if m < 1 || m > 12 || d < 1 || d > 28 {
		return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	}
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	mp := int64(m) + 9
	if m > 2 {
		mp = int64(m) - 3
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Day(era*146097 + doe - 719468)
}

// ParseDay parses YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return Day(t.Unix() / 86400), nil
}

// Time returns midnight UTC of the day.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Date returns the calendar date.
func (d Day) Date() (int, time.Month, int) {
	y, m, dd := civil(int64(d))
	return y, time.Month(m), dd
}

// Year returns the calendar year.
func (d Day) Year() int { y, _, _ := d.Date(); return y }

// String formats YYYY-MM-DD.
func (d Day) String() string { return string(d.AppendText(nil)) }

// AppendText appends YYYY-MM-DD without allocating.
func (d Day) AppendText(b []byte) []byte {
	if i := int(d) - dayTableStart; i >= 0 && i < len(dayTable()) {
		return append(b, dayTable()[i][:]...)
	}
	y, m, dd := civil(int64(d))
	b = append4(b, y)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+dd/10), byte('0'+dd%10))
	return b
}

// dayTable holds the text of every day from 1900 to 2099: writing dates is
// the hot path of every simulated file.
var dayTable = sync.OnceValue(func() [][10]byte {
	n := int(DayOf(2100, time.January, 1)) - dayTableStart
	t := make([][10]byte, n)
	for i := range t {
		y, m, dd := civil(int64(i + dayTableStart))
		b := append4(t[i][:0], y)
		_ = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+dd/10), byte('0'+dd%10))
	}
	return t
})

var dayTableStart = int(DayOf(1900, time.January, 1))

// At returns the Stamp of hh:mm:ss Beijing time on the day.
func (d Day) At(hh, mm, ss int) Stamp {
	return Stamp(int64(d)*86400 + int64(hh*3600+mm*60+ss) - 8*3600)
}

// Stamp is an instant in the simulated world in Unix seconds, written in
// Beijing time (+08:00). The zero Stamp means "no time".
type Stamp int64

// Day returns the Beijing calendar day of the instant.
func (t Stamp) Day() Day { return Day((int64(t) + 8*3600) / 86400) }

// Time returns the instant as a time.Time in UTC.
func (t Stamp) Time() time.Time { return time.Unix(int64(t), 0).UTC() }

// String formats RFC 3339 with +08:00.
func (t Stamp) String() string { return string(t.AppendText(nil)) }

// AppendText appends RFC 3339 with the +08:00 offset without allocating.
func (t Stamp) AppendText(b []byte) []byte {
	local := int64(t) + 8*3600
	days := local / 86400
	secs := local - days*86400
	if secs < 0 {
		secs += 86400
		days--
	}
	b = Day(days).AppendText(b)
	h, m, s := secs/3600, secs/60%60, secs%60
	return append(b, 'T', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+s/10), byte('0'+s%10), '+', '0', '8', ':', '0', '0')
}

func append4(b []byte, y int) []byte {
	return append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's days_from_civil inverse), without time.Time's cost.
func civil(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

// Table is one entity of one operator's world as of a day, in the order the
// HTTP API serves it: by updated_at, then natural key.
type Table interface {
	Entity() *contract.Entity
	// Len returns the number of rows.
	Len() int
	// Read fills r (after resetting it) with row i, 0 <= i < Len().
	Read(i int, r *Row)
	// UpdatedAt returns the updated_at of row i; it never decreases with i.
	UpdatedAt(i int) Stamp
}

// SliceTable is a Table held in memory: the small entities of a world, and
// fixtures in tests.
type SliceTable struct {
	E    *contract.Entity
	Rows []Row   // in (updated_at, key) order
	At   []Stamp // updated_at of each row
}

// Entity implements Table.
func (t *SliceTable) Entity() *contract.Entity { return t.E }

// Len implements Table.
func (t *SliceTable) Len() int { return len(t.Rows) }

// Read implements Table.
func (t *SliceTable) Read(i int, r *Row) { r.CopyFrom(&t.Rows[i]) }

// UpdatedAt implements Table.
func (t *SliceTable) UpdatedAt(i int) Stamp { return t.At[i] }
