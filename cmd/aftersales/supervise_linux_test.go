//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSuperviseCrash: a transform whose worker process crashes runs once more and completes,
// saying so; one that crashes twice, or once with reruns off (the bench's way), changes nothing
// and exits with 128 + the signal's number, which crashed reads as a crash; an error of the
// worker's own keeps its exit status and is said once.
func TestSuperviseCrash(t *testing.T) {
	dir, dbf, runs := transformedSample(t)
	before := runs()
	crash := func(n int, env ...string) result {
		f := filepath.Join(t.TempDir(), "crashes")
		t.Setenv(testCrashEnv, fmt.Sprintf("%s:%d", f, n))
		for _, e := range env {
			k, v, _ := strings.Cut(e, "=")
			t.Setenv(k, v)
		}
		return runBin(t, dir, "transform", "--db", dbf)
	}

	r := crash(2)
	if r.code != 134 || strings.Count(r.stderr, "worker process crashed (signal: aborted)") != 2 ||
		!strings.Contains(r.stderr, "Running it again") || !strings.Contains(r.stderr, "Run the same command again") {
		t.Fatalf("two crashes: exit %d\n%s", r.code, lastLines(r.stderr, 4))
	}
	if runs() != before {
		t.Fatal("a transform that crashed twice logged a run")
	}

	r = crash(1, rerunEnv+"=0")
	if r.code != 134 || strings.Count(r.stderr, "worker process crashed") != 1 || strings.Contains(r.stderr, "Running it again") {
		t.Fatalf("a crash with reruns off: exit %d\n%s", r.code, lastLines(r.stderr, 4))
	}
	if runs() != before {
		t.Fatal("a transform that crashed logged a run")
	}

	r = crash(1, rerunEnv+"=")
	if r.code != 0 || strings.Count(r.stderr, "worker process crashed (signal: aborted)") != 1 || !strings.Contains(r.stderr, "Running it again") ||
		!strings.Contains(r.stdout, "mart_store_month") {
		t.Fatalf("one crash: exit %d\n%s\n%s", r.code, r.stdout, lastLines(r.stderr, 4))
	}
	if runs() == before {
		t.Fatal("the transform run again after a crash logged no run")
	}

	t.Setenv(testCrashEnv, "")
	r = runBin(t, dir, "transform", "--db", dbf, "--config", filepath.Join(dir, "no-such.yaml"))
	if r.code != 2 || strings.Count(r.stderr, "aftersales:") != 1 || !strings.Contains(r.stderr, "no-such.yaml") || strings.Contains(r.stderr, "worker") {
		t.Fatalf("a missing settings file: exit %d\n%s", r.code, r.stderr)
	}
}

// TestSuperviseSignals: SIGTERM or Ctrl-C (SIGINT) to a transform reaches its worker process,
// which stops at once (no run logged), and the command then dies of the same signal, after the
// worker.
func TestSuperviseSignals(t *testing.T) {
	dir, dbf, runs := transformedSample(t)
	before, marts := runs(), martSums(t, dir, dbf)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := exec.Command(bin, "transform", "--full", "--db", dbf)
		cmd.Dir = dir
		var se bytes.Buffer
		cmd.Stderr = &se
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		worker := awaitWorker(t, cmd)
		// the worker has just started: a full transform, even of this sample, takes far longer
		cmd.Process.Signal(sig)
		cmd.Wait()
		if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != sig {
			t.Fatalf("%v: the command ended with %v\n%s", sig, cmd.ProcessState, se.String())
		}
		if running(worker) {
			t.Fatalf("%v: the worker process %s still runs after the command died", sig, worker)
		}
		if got := runs(); got != before {
			t.Fatalf("%v: the worker was not stopped: it completed its run", sig)
		}
		if got := martSums(t, dir, dbf); got != marts {
			t.Fatalf("%v: the marts changed:\n%s\n%s", sig, got, marts)
		}
	}

	// nohup: SIGHUP ignored from the start stays ignored, and the transform completes
	cmd := exec.Command("sh", "-c", `trap "" HUP; exec "$0" "$@"`, bin, "transform", "--full", "--db", dbf)
	cmd.Dir = dir
	var se bytes.Buffer
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	awaitWorker(t, cmd)
	cmd.Process.Signal(syscall.SIGHUP)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("SIGHUP under nohup: %v\n%s", err, se.String())
	}
	if runs() == before {
		t.Fatal("SIGHUP under nohup: no run logged")
	}
}

// awaitWorker: the worker process the started command runs its transform in, once it has started
// (within 10 s).
func awaitWorker(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if w := workersOf(cmd.Process.Pid); len(w) > 0 {
			return w[0]
		}
	}
	t.Fatal("no worker process started")
	return ""
}

// TestSuperviseBrokenPipe: a transform whose output goes to a pipe closed early (| head) ends
// as one without a worker does, of SIGPIPE's status and without a message.
func TestSuperviseBrokenPipe(t *testing.T) {
	dir, dbf, _ := transformedSample(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cmd := exec.Command(bin, "transform", "--db", dbf)
	cmd.Dir = dir
	var se bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &se
	cmd.Run()
	w.Close()
	if code := cmd.ProcessState.ExitCode(); code != 128+int(syscall.SIGPIPE) || strings.Contains(se.String(), "aftersales:") {
		t.Fatalf("exit %d (%v)\n%s", code, cmd.ProcessState, se.String())
	}
}

// transformedSample: a database of 2 stores × 3 months, ingested and transformed, and a reader
// of its number of logged transform runs.
func transformedSample(t *testing.T) (dir, dbf string, runs func() string) {
	t.Helper()
	dir = t.TempDir()
	_, dbf = ingestedSample(t, dir, 2, 3)
	if r := runBin(t, dir, "transform", "--db", dbf); r.code != 0 {
		t.Fatal(r.stderr)
	}
	return dir, dbf, func() string {
		r := runBin(t, dir, "query", "--db", dbf, "--format", "csv", "SELECT count(*) FROM transform_runs")
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		return r.stdout
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
