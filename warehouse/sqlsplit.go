package warehouse

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// statement is one SQL statement of a file.
//
// A file is split so that each statement runs on its own: DuckDB reports a
// parser or catalog error's position as "LINE n:" relative to the text it
// was given, and says nothing for a binder error, so knowing where each
// statement starts is what turns either into a line of the file.
type statement struct {
	// text runs from just after the previous ';' (or the start of the file)
	// up to this statement's ';', leading blank lines and comments included,
	// so that DuckDB's line numbers count from startLine.
	text string
	// startLine is the file line of text's first byte.
	startLine int
	// firstLine is the file line of the statement's first token.
	firstLine int
}

// duckLineRE finds the "LINE n:" DuckDB puts under a message that has a
// position.
var duckLineRE = regexp.MustCompile(`(?m)^LINE ([0-9]+):`)

// errorLine returns the file line an error of this statement points at: the
// line DuckDB names, else the statement's first line.
func (s statement) errorLine(err error) int {
	if m := duckLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil && n >= 1 {
			return s.startLine + n - 1
		}
	}
	return s.firstLine
}

// splitStatements cuts SQL text at the semicolons that end statements,
// skipping those inside 'strings' (a doubled quote escapes a quote, and in
// E'...' strings a backslash escapes too), "identifiers", -- comments, nested /* comments */ and $tag$
// dollar-quoted strings $tag$. Pieces holding only blanks and comments are
// dropped. An unterminated string, identifier or comment is an error that
// names the line it starts on.
func splitStatements(src string) ([]statement, error) {
	var out []statement
	start, startLine := 0, 1
	line := 1
	firstLine := 0 // 0 until the current piece has a token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			open := line
			depth := 1
			i += 2
			for depth > 0 {
				switch {
				case i >= len(src):
					return nil, fmt.Errorf("line %d: unterminated /* comment", open)
				case strings.HasPrefix(src[i:], "/*"):
					depth++
					i += 2
				case strings.HasPrefix(src[i:], "*/"):
					depth--
					i += 2
				default:
					if src[i] == '\n' {
						line++
					}
					i++
				}
			}
		case c == ';':
			if firstLine > 0 {
				out = append(out, statement{text: src[start:i], startLine: startLine, firstLine: firstLine})
			}
			i++
			start, startLine, firstLine = i, line, 0
		default:
			if firstLine == 0 {
				firstLine = line
			}
			n, lines, err := skipToken(src[i:], i > 0 && isIdentByte(src[i-1]))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			i += n
			line += lines
		}
	}
	if firstLine > 0 {
		out = append(out, statement{text: src[start:], startLine: startLine, firstLine: firstLine})
	}
	return out, nil
}

// skipToken returns the length of the token at the start of s (a quoted
// string, identifier or dollar-quoted string as a whole, else one byte) and
// the newlines inside it. afterIdent says the byte before s is part of an
// identifier, which makes a quote after "E" an ordinary one (as in
// "TYPE'..."), not an escape string.
func skipToken(s string, afterIdent bool) (n, lines int, err error) {
	quoted := func(q byte, from int, backslash bool) (int, int, error) {
		nl := 0
		for j := from; j < len(s); j++ {
			switch s[j] {
			case '\n':
				nl++
			case '\\':
				if backslash && j+1 < len(s) {
					if s[j+1] == '\n' {
						nl++
					}
					j++
				}
			case q:
				if j+1 < len(s) && s[j+1] == q {
					j++
					continue
				}
				return j + 1, nl, nil
			}
		}
		what := "string"
		if q == '"' {
			what = "quoted identifier"
		}
		return 0, 0, fmt.Errorf("unterminated %s", what)
	}
	switch c := s[0]; {
	case c == '\'':
		return quoted('\'', 1, false)
	case c == '"':
		return quoted('"', 1, false)
	case (c == 'E' || c == 'e') && !afterIdent && len(s) > 1 && s[1] == '\'':
		return quoted('\'', 2, true)
	case c == '$':
		tag, ok := dollarTag(s)
		if !ok {
			return 1, 0, nil
		}
		end := strings.Index(s[len(tag):], tag)
		if end < 0 {
			return 0, 0, fmt.Errorf("unterminated %s string", tag)
		}
		n := len(tag) + end + len(tag)
		return n, strings.Count(s[:n], "\n"), nil
	case isIdentByte(c):
		// A whole word at once, so that its last letter cannot pass for
		// the E of an escape string.
		j := 1
		for j < len(s) && (isIdentByte(s[j]) || s[j] == '$') {
			j++
		}
		return j, 0, nil
	}
	return 1, 0, nil
}

// dollarTag returns the opening $tag$ (or $$) at the start of s. A $
// followed by a digit is a parameter ($1), not a tag.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1], true
		case c >= '0' && c <= '9':
			if j == 1 {
				return "", false
			}
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			return "", false
		}
	}
	return "", false
}

// isIdentByte reports whether c can be part of an unquoted identifier.
func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
