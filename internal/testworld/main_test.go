package testworld

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	RemoveShared()
	os.Exit(code)
}
