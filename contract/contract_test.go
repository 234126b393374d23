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
