package testworld

import "os"

// mkdirTemp makes the shared world's folder; RemoveShared removes it.
func mkdirTemp() (string, error) { return os.MkdirTemp("", "huzhu-testworld-") }
