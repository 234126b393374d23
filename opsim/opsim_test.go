package opsim

import (
	"testing"
)

func smallWorld(t testing.TB, members int, rate float64) *World {
	t.Helper()
	p := DefaultParams()
	p.Members = members
	p.DefectRate = rate
	w, err := NewWorld(p)
	if err != nil {
		t.Fatalf("NewWorld: %v", err)
	}
	return w
}

func TestDropSmoke(t *testing.T) {
	w := smallWorld(t, 3000, 0.01)
	dir := t.TempDir()
	st, err := w.Drop(DropOptions{Out: dir, Format: "csv"})
	if err != nil {
		t.Fatalf("Drop: %v", err)
	}
	t.Logf("%+v", st)
}
