package extract

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// errFileRefused marks a file that cannot be read at all: its batch is
// rejected whole.
var errFileRefused = errors.New("file refused")

// readCSV reads a CSV file of contract-v1: a header row of field names
// (order free, unknown columns kept), an optional UTF-8 BOM, UTF-8 or
// GB18030. An unquoted empty cell is null; "" is the empty string (which
// the transform reads as no value in a typed field). Line ends may be \n or
// \r\n; quoted values may hold them; a blank line is skipped, not a record.
// A record's position is the line it starts on.
func readCSV(r io.Reader, encoding string, s *recordSink) error {
	gb := false
	switch strings.ToLower(encoding) {
	case "", "utf-8", "utf8":
	case "gb18030":
		gb = true
		// The decoder maps bytes it cannot decode to U+FFFD; a record that
		// holds one is refused as bad_encoding below.
		r = transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
	default:
		return fmt.Errorf("%w: encoding %q is not utf-8 or gb18030", errFileRefused, encoding)
	}
	br := bufio.NewReaderSize(r, 1<<20)
	p := &csvParser{br: br}
	header, _, err := p.record()
	if err == io.EOF {
		return fmt.Errorf("%w: the file is empty (no header row)", errFileRefused)
	}
	if err != nil {
		return fmt.Errorf("%w: header: %v", errFileRefused, err)
	}
	if len(header) > 0 {
		header[0] = bytes.TrimPrefix(header[0], []byte{0xEF, 0xBB, 0xBF})
	}
	names := make([]string, len(header))
	for i, h := range header {
		if !utf8.Valid(h) || bytes.ContainsRune(h, utf8.RuneError) {
			return fmt.Errorf("%w: the header is not valid %s: undeclared encoding?", errFileRefused, strings.ToUpper(encodingName(encoding)))
		}
		names[i] = strings.TrimSpace(string(h))
	}
	if err := s.setHeader(names); err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	for {
		line := p.line + 1
		fields, complete, err := p.record()
		if err == io.EOF {
			break
		}
		where := pos(s.file, line)
		if err != nil {
			s.received++
			s.refuse(fields, where, ReasonBadQuote, err.Error())
			continue
		}
		if blankLine(fields) {
			continue // an empty line (a spreadsheet's last, say) is no record
		}
		if !complete && len(fields) < len(names) {
			s.received++
			s.refuse(fields, where, ReasonTruncatedLine, fmt.Sprintf("the last line ends after %d of %d fields without a line end", len(fields), len(names)))
			continue
		}
		if gb {
			bad := false
			for _, f := range fields {
				if bytes.ContainsRune(f, utf8.RuneError) {
					bad = true
				}
			}
			if bad {
				s.received++
				s.refuse(fields, where, ReasonBadEncoding, "bytes that GB18030 cannot decode")
				continue
			}
		}
		if !s.record(fields, where, gb) {
			return nil
		}
	}
	if !s.flush() {
		return nil
	}
	return nil
}

// blankLine reports a line with nothing on it but white space: one
// unquoted field, empty or blank. No entity has a single field, so a record
// never looks like that.
func blankLine(fields [][]byte) bool {
	return len(fields) == 1 && len(bytes.TrimSpace(fields[0])) == 0
}

func encodingName(e string) string {
	if e == "" {
		return "utf-8"
	}
	return e
}

// csvParser splits RFC 4180 records without copying more than once per
// record. It is not encoding/csv: that one cannot tell "" from an empty
// cell, and costs an allocation per field.
type csvParser struct {
	br     *bufio.Reader
	line   int64 // lines consumed so far
	buf    []byte
	fields [][]byte
	ends   []int
	nulls  []bool
}

// record returns the next record's fields (nil for an unquoted empty cell),
// whether it ended with a line end, and io.EOF at the end. The fields are
// valid until the next call.
func (p *csvParser) record() ([][]byte, bool, error) {
	p.buf, p.ends, p.nulls = p.buf[:0], p.ends[:0], p.nulls[:0]
	var err error
	complete := false
	inQuote, quoted, atStart, any := false, false, true, false
	for {
		var chunk []byte
		chunk, err = p.br.ReadSlice('\n')
		if len(chunk) > 0 {
			any = true
		}
		if err == bufio.ErrBufferFull {
			err = nil
		} else if err == nil {
			p.line++
		}
		for i := 0; i < len(chunk); i++ {
			c := chunk[i]
			if inQuote {
				if c == '"' {
					if i+1 < len(chunk) && chunk[i+1] == '"' {
						p.buf = append(p.buf, '"')
						i++
					} else if i+1 == len(chunk) && err == nil && p.peekQuote() {
						p.buf = append(p.buf, '"')
					} else {
						inQuote = false
					}
				} else {
					p.buf = append(p.buf, c)
				}
				continue
			}
			switch c {
			case '"':
				if atStart {
					inQuote, quoted, atStart = true, true, false
				} else {
					p.buf = append(p.buf, c) // a stray quote inside a value: kept
				}
			case ',':
				p.endField(quoted)
				quoted, atStart = false, true
			case '\r':
				if i+1 < len(chunk) && chunk[i+1] == '\n' {
					continue
				}
				p.buf = append(p.buf, c)
				atStart = false
			case '\n':
				p.endField(quoted)
				complete = true
				return p.split(), true, nil
			default:
				p.buf = append(p.buf, c)
				atStart = false
			}
		}
		if err != nil {
			break
		}
	}
	if err == io.EOF {
		if !any && len(p.ends) == 0 && len(p.buf) == 0 {
			return nil, false, io.EOF
		}
		if inQuote {
			p.endField(true)
			return p.split(), false, errors.New("a quoted value never closes before the end of the file")
		}
		p.endField(quoted)
		return p.split(), complete, nil
	}
	return nil, false, err
}

// peekQuote consumes a quote that starts the next read chunk (an escaped
// quote split across reads).
func (p *csvParser) peekQuote() bool {
	b, err := p.br.Peek(1)
	if err == nil && b[0] == '"' {
		p.br.ReadByte()
		return true
	}
	return false
}

func (p *csvParser) endField(quoted bool) {
	p.ends = append(p.ends, len(p.buf))
	p.nulls = append(p.nulls, !quoted && (len(p.ends) == 1 && len(p.buf) == 0 || len(p.ends) > 1 && p.ends[len(p.ends)-2] == len(p.buf)))
}

func (p *csvParser) split() [][]byte {
	p.fields = p.fields[:0]
	start := 0
	for i, end := range p.ends {
		if p.nulls[i] {
			p.fields = append(p.fields, nil)
		} else {
			p.fields = append(p.fields, p.buf[start:end:end])
		}
		start = end
	}
	return p.fields
}
