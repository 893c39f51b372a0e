package testenv

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
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgDirPrefix names the data directories Postgres creates under the temp dir, so a later
// run can remove the ones whose test binary died (a SIGKILLed binary cleans nothing).
const pgDirPrefix = "switchboard-pg-"

// pgSuperuser is the superuser initdb creates; trust auth on 127.0.0.1 only.
const pgSuperuser = "switchboard"

var (
	pgOnce sync.Once
	pgPort int
	pgErr  error
	pgSeq  atomic.Int64
)

// Postgres returns the DSN of a fresh, empty database on a real PostgreSQL server
// started once for this test binary (initdb into a temp dir, 127.0.0.1 on a free port,
// unix socket in the data dir, fsync off). Every call creates its own database, so
// parallel tests do not see each other's rows. As root, the server runs as the
// `postgres` (or `nobody`) user because initdb refuses to run as root.
func Postgres(t testing.TB) string {
	t.Helper()
	bin, ok := postgresBinDir()
	if !ok {
		Missing(t, "PostgreSQL (initdb, pg_ctl, postgres)",
			"apt-get install -y postgresql (binaries are looked up on PATH and in /usr/lib/postgresql/*/bin)")
	}
	pgOnce.Do(func() { pgPort, pgErr = startPostgres(bin) })
	if pgErr != nil {
		t.Fatalf("postgres: %v", pgErr)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), pgSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, pgDSN(pgPort, "postgres"))
	if err != nil {
		t.Fatalf("postgres: connect: %v", err)
	}
	defer admin.Close(ctx)
	// name is generated above from digits only, so formatting it into DDL is safe.
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	return pgDSN(pgPort, name)
}

func pgDSN(port int, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", pgSuperuser, port, db)
}

// postgresBinDir finds the directory holding initdb, pg_ctl and postgres: PATH first,
// then Debian's /usr/lib/postgresql/<version>/bin (newest version), where the
// postgresql package puts them without linking them onto PATH.
func postgresBinDir() (string, bool) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "postgres"} {
			st, err := os.Stat(filepath.Join(dir, b))
			if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Resolve symlinks: postgres finds its share dir relative to its real path.
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, true
		}
	}
	return "", false
}

func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// pgCredential returns who the server runs as: nil (ourselves) unless we are root, in
// which case the postgres user if it exists, else nobody.
func pgCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("running as root and neither a postgres nor a nobody user exists to run the server as")
}

func startPostgres(bin string) (int, error) {
	removeStalePGDirs()
	cred, err := pgCredential()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", pgDirPrefix)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return 0, err
	}
	data := filepath.Join(dir, "data")
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return 0, fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	// Credentials set through SysProcAttr (not runuser/setpriv) keep the child a direct
	// child of the test binary, so Pdeathsig still kills it when the binary dies.
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", pgSuperuser,
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	if out, err := initdb.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
			"-p", strconv.Itoa(port),
			"-c", "listen_addresses=127.0.0.1",
			"-c", "unix_socket_directories="+dir,
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "max_connections=200")
		cmd.Dir = dir
		p, err := startAs("postgres", cmd, cred)
		if err != nil {
			return 0, err
		}
		if err := WaitTCP(fmt.Sprintf("127.0.0.1:%d", port), 30*time.Second); err != nil {
			lastErr = fmt.Errorf("%w\n%s", err, p.LogTail())
			p.Stop()
			continue
		}
		if err := pgReady(port); err != nil {
			lastErr = fmt.Errorf("%w\n%s", err, p.LogTail())
			p.Stop()
			continue
		}
		return port, nil
	}
	return 0, lastErr
}

// pgReady waits until the server accepts queries (it listens before recovery ends).
func pgReady(port int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, pgDSN(port, "postgres"))
		if err == nil {
			return c.Close(ctx)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startAs is Start with the child's credentials set, registered for StopAll.
func startAs(name string, cmd *exec.Cmd, cred *syscall.Credential) (*Process, error) {
	logf, err := os.CreateTemp("", "switchboard-"+name+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Cmd: cmd, Log: logf}
	mu.Lock()
	started = append(started, p)
	mu.Unlock()
	return p, nil
}

// removeStalePGDirs deletes data directories left by test binaries that are gone.
func removeStalePGDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), pgDirPrefix+"*"))
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || pid <= 0 {
			continue
		}
		if syscall.Kill(pid, 0) == nil {
			continue // its binary is still running
		}
		_ = os.RemoveAll(d)
	}
}
