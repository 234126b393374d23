package record

import (
	"testing"
	"time"
)

// TestDayCivil: the hand-written calendar arithmetic agrees with package
// time on every day from 1900 to 2100.
func TestDayCivil(t *testing.T) {
	for tm := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2100; tm = tm.AddDate(0, 0, 1) {
		d := Day(tm.Unix() / 86400)
		y, m, dd := d.Date()
		if y != tm.Year() || m != tm.Month() || dd != tm.Day() {
			t.Fatalf("Day(%d).Date() = %d-%d-%d, want %s", d, y, m, dd, tm.Format(time.DateOnly))
		}
		if got := DayOf(tm.Year(), tm.Month(), tm.Day()); got != d {
			t.Fatalf("DayOf(%s) = %d, want %d", tm.Format(time.DateOnly), got, d)
		}
		if d.String() != tm.Format(time.DateOnly) {
			t.Fatalf("Day(%d).String() = %s, want %s", d, d, tm.Format(time.DateOnly))
		}
	}
	s := DayOf(2025, time.June, 30).At(21, 0, 0)
	if got := s.String(); got != "2025-06-30T21:00:00+08:00" {
		t.Errorf("Stamp.String() = %s, want 2025-06-30T21:00:00+08:00", got)
	}
	if s.Day() != DayOf(2025, time.June, 30) {
		t.Errorf("Stamp.Day() = %s", s.Day())
	}
}
