package contract

import (
	"testing"
	"time"
)

// Every instrument type has a Chinese name, and no name is for another
// value: the reports and the site show these names, never the codes.
func TestInstrumentNames(t *testing.T) {
	for _, it := range InstrumentTypes {
		if InstrumentNames[it] == "" {
			t.Errorf("instrument type %s has no name", it)
		}
	}
	if len(InstrumentNames) != len(InstrumentTypes) {
		t.Errorf("%d names for %d instrument types", len(InstrumentNames), len(InstrumentTypes))
	}
}

// Every value of the activities' category and status enums has a Chinese
// name, and no name is for another value.
func TestActivityNames(t *testing.T) {
	e := Lookup("activities")
	for field, names := range map[string]map[string]string{"category": CategoryNames, "status": ActivityStatusNames} {
		f := e.Fields[e.Index(field)]
		for _, v := range f.Values {
			if names[v] == "" {
				t.Errorf("activities.%s %s has no name", field, v)
			}
		}
		if len(names) != len(f.Values) {
			t.Errorf("%d names for %d values of activities.%s", len(names), len(f.Values), field)
		}
	}
}

// TestTypesTrimSpace: white space around a date or a timestamp (a padded
// spreadsheet cell, a no-break or ideographic space) is no part of it, as
// around an amount; inside it is.
func TestTypesTrimSpace(t *testing.T) {
	for _, s := range []string{" 2025-01-01", "2025-01-01\t", "\r\n2025-01-01 ", "\u00a02025-01-01\u3000"} {
		if d, ok := ParseDate(s); !ok || d.Format(time.DateOnly) != "2025-01-01" {
			t.Errorf("ParseDate(%q) = %v, %v", s, d, ok)
		}
	}
	if _, ok := ParseDate("2025- 01-01"); ok {
		t.Error("ParseDate took a space inside the date")
	}
	if ts, ok := ParseTS(" 2025-01-01T09:00:00+08:00\u3000"); !ok || !ts.Equal(time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("ParseTS of a padded timestamp = %v, %v", ts, ok)
	}
}
