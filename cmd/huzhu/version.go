package main

import "runtime/debug"

// readBuildVersion returns the VCS revision stamped into the binary, or
// "devel" when the build carries none.
func readBuildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	if info.Main.Version != "" {
		return info.Main.Version
	}
	return "devel"
}
