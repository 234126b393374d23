package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func newServeCmd(e *env) *cobra.Command {
	var dir, addr string
	cmd := &cobra.Command{
		Use:   "serve [--dir DIR] [--addr 127.0.0.1:8080]",
		Short: "Preview the site and reports: serve the output folder over HTTP until interrupted",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := os.Stat(dir)
			if err != nil || !st.IsDir() {
				return usageError{fmt.Errorf("--dir %s is not a folder (build the site first: huzhu site --config FILE)", dir)}
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usageError{fmt.Errorf("--addr %s: %w", addr, err)}
			}
			srv := &http.Server{Handler: staticHandler(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
			base := "http://" + ln.Addr().String() + "/"
			abs, _ := filepath.Abs(dir)
			fmt.Fprintf(e.stdout, "serving %s at %s\n", abs, base)
			if _, err := os.Stat(filepath.Join(dir, "site", "index.html")); err == nil {
				fmt.Fprintf(e.stdout, "site: %ssite/index.html\n", base)
			} else if _, err := os.Stat(filepath.Join(dir, "index.html")); err == nil {
				fmt.Fprintf(e.stdout, "site: %sindex.html\n", base)
			}
			go func() {
				<-e.ctx.Done()
				srv.Close()
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "out", "the folder to serve (the output folder: site/ and reports/)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "the address to listen on")
	return cmd
}

// staticHandler is http.FileServer, except that …/index.html is served as
// it is instead of redirected to …/: the site's relative links name
// index.html so that they work from file:// too.
func staticHandler(root http.Dir) http.Handler {
	files := http.FileServer(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/index.html") {
			files.ServeHTTP(w, r)
			return
		}
		f, err := root.Open(path.Clean(r.URL.Path))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, st.Name(), st.ModTime(), f)
	})
}
