// Command huzhu is the one binary of the huzhu pipeline: the operator
// simulator, the demo and, as they land, every stage of the nightly run.
//
// main is thin: Main runs the whole command line in-process, so that tests
// drive it exactly as a shell does, and it alone maps errors to exit codes.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
