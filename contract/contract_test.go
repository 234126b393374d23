package contract

import "testing"

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
