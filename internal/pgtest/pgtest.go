// Package pgtest gives a test a real PostgreSQL database: Start runs a
// throwaway server from the PostgreSQL binaries installed on the machine
// (Debian's postgresql package, /usr/lib/postgresql/<version>/bin) and
// returns the DSN of a fresh database on it.
//
// In: the testing.TB. Out: a DSN ("postgres://postgres@127.0.0.1:PORT/tN")
// with trust authentication over TCP on the loopback. The tests of one
// binary that run at the same time share one server, each with its own
// database; the server stops and its files are removed when the last of
// them ends. Running as root, the server runs as the postgres user, since
// PostgreSQL refuses to run as root.
//
// Without PostgreSQL binaries a test is skipped, except under CI (the CI
// environment variable set), where it fails: CI must have them.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Start returns the DSN of a new, empty database on a PostgreSQL server
// that runs until the last test using it ends. The database is dropped
// when t ends.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := findBinDir()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pgtest: %v (CI must install the postgresql package)", err)
		}
		t.Skipf("pgtest: %v; install PostgreSQL (Debian: apt-get install postgresql) to run this test", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		s, err := startServer(bin)
		if err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		current = s
	}
	s := current
	s.refs++
	s.next++
	db := fmt.Sprintf("t%d", s.next)
	if err := s.exec("CREATE DATABASE " + db); err != nil {
		s.release()
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if s.refs > 1 {
			// Other tests still use the server; free this one's database.
			if err := s.exec("DROP DATABASE " + db + " WITH (FORCE)"); err != nil {
				t.Errorf("pgtest: drop database: %v", err)
			}
		}
		s.release()
	})
	return s.dsn(db)
}

var (
	mu      sync.Mutex
	current *server // the running server, nil when none; guarded by mu
)

// server is one running postmaster.
type server struct {
	dir    string // holds data/, the socket and postgres.log
	port   int
	cmd    *exec.Cmd
	stdin  *os.File      // closing it stops the server (see startServer)
	exited chan struct{} // closed when the server process has ended
	refs   int           // tests using it
	next   int           // databases created
}

func (s *server) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// exec runs one statement in the postgres database.
func (s *server) exec(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.dsn("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// release drops a reference and stops the server with the last one.
// mu is held.
func (s *server) release() {
	s.refs--
	if s.refs > 0 {
		return
	}
	s.stop()
	if current == s {
		current = nil
	}
}

// stop shuts the server down the way `pg_ctl stop -m immediate` does
// (SIGQUIT) and removes its files.
func (s *server) stop() {
	s.stdin.Close()
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// watchdog runs the postmaster ("$@") and sends it SIGQUIT, PostgreSQL's
// immediate shutdown, as soon as its stdin reaches end of file: when the
// test binary closes the pipe, and also when the test binary dies without
// cleaning up (a test timeout), so that no server outlives its tests. The
// shell exits when the postmaster does, which is how an early failure is
// seen.
const watchdog = `exec 3<&0
"$@" </dev/null & pid=$!
{ read _ <&3; kill -QUIT $pid 2>/dev/null; } &
wait $pid`

// startServer initialises a data directory and starts a server on a free
// loopback port, waiting until it accepts connections.
func startServer(bin string) (s *server, err error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		// The server user must reach the directory and own it.
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	// A test server trades durability for speed.
	cmd := exec.Command("/bin/sh", "-c", watchdog, "sh", filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=50")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = pr, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	s = &server{dir: dir, port: port, cmd: cmd, stdin: pw, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(60 * time.Second); err != nil {
		s.stdin.Close()
		<-s.exited
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("postgres did not start: %v\n%s", err, log)
	}
	return s, nil
}

// waitReady polls until the server accepts a connection, it exits, or the
// time is up.
func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.dsn("postgres"))
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no connection after %v: %w", limit, err)
		}
		select {
		case <-s.exited:
			return errors.New("the server exited")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// serverUser is who the server runs as: nil (the current user) unless that
// is root, then the postgres user.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs a postgres user to run the server as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the server binds it; then the server fails to start and
// says so.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// findBinDir returns the folder holding initdb and postgres: the newest
// /usr/lib/postgresql/<version>/bin, else the folder of an initdb on PATH.
func findBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && hasServer(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql/*/bin or on PATH")
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return false
		}
	}
	return true
}

// version is the major version in /usr/lib/postgresql/<version>/bin.
func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(strings.TrimSpace(filepath.Base(filepath.Dir(binDir))), 64)
	return v
}

// Connect starts the server as Start does and opens a connection to the
// test's database, closed when the test ends.
func Connect(t testing.TB) (string, *pgx.Conn) {
	t.Helper()
	dsn := Start(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return dsn, conn
}
