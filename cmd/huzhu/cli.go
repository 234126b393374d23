package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"huzhu/internal/config"
	"huzhu/transform"
	"huzhu/warehouse"
)

// Exit codes (README, "Exit codes").
const (
	exitOK       = 0
	exitFailed   = 1
	exitUsage    = 2
	exitWarnings = 3
)

// usageError marks a bad command line; it maps to exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// env is what every command gets from Main: its streams and a context that
// ends on SIGINT or SIGTERM.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	// cobra's "unknown command" (huzhu bogus, huzhu opsim bogus) is bad
	// usage like a bad flag, which its flag error function already maps.
	if strings.HasPrefix(err.Error(), "unknown command ") {
		err = usageError{err}
	}
	// Stopped by a signal: say which, not only "context canceled".
	if cause := context.Cause(ctx); ctx.Err() != nil && cause != nil && cause != ctx.Err() {
		err = fmt.Errorf("%w (%v)", err, cause)
	}
	fmt.Fprintln(stderr, "huzhu:", err)
	return exitCode(err)
}

// exitCode is the one place that maps errors to exit codes.
func exitCode(err error) int {
	var ue usageError
	var warn warningsError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &warn):
		return exitWarnings
	case errors.As(err, &ue), errors.Is(err, config.ErrInvalid), errors.Is(err, transform.ErrKeyMismatch):
		return exitUsage
	case errors.Is(err, warehouse.ErrLocked):
		return exitFailed
	}
	return exitFailed
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "huzhu",
		Short:         "Data warehouse and disclosure pipeline for trade-union mutual-aid funds",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       codeVersion(), // huzhu --version
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newOpsimCmd(e), newDemoCmd(e), newExtractCmd(e), newTransformCmd(e), newMartsCmd(e), newReportCmd(e), newRulesCmd(e), newRunCmd(e), newRollupCmd(e), newSiteCmd(e), newServeCmd(e), newCompactCmd(e))
	return root
}

// exactArgs is cobra.ExactArgs whose error maps to exit code 2.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
