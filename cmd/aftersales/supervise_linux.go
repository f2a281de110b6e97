//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aftersales/aftersales/internal/msg"
)

// supervise runs this command again in a worker process of this binary and waits for it; it
// returns the command's exit code, or false when the command is to run in this process: in the
// worker itself, or when no worker starts. (Under --cpuprofile the caller does not call it: the
// profile is of the process that does the work.)
//
// Why: DuckDB 1.4 crashes now and then in a hash aggregate that ran short of memory and spilled
// (duckdb/duckdb#23757; 1.4.1, which go-duckdb v2.4.3 pins, and 1.4.3, the newest 1.4 its
// bindings take: BENCHMARKS.md, session 68; internal/db's TransformMemoryLimit keeps it rare).
// The process then dies of a segmentation fault or an abort and writes nothing to stderr: the
// user sees the shell's "Segmentation fault" and no word of what happened. A transform is one
// transaction, so a crashed one changed nothing. The worker that crashed is run once more, with
// a line that says so; a second crash ends the command with a message and exit status 128 + the
// signal's number, as a shell reports it.
//
// The worker gets the terminal, the arguments and the environment (with supervisedEnv), and dies
// with this process (the parent-death signal, SIGKILL: a kill -9 of this process ends both).
// Ctrl-C, SIGTERM and SIGHUP are passed to it, and this process then dies of the same signal;
// one that this process started with ignored (nohup) is ignored by both.
func supervise(what string) (int, bool) {
	if os.Getenv(supervisedEnv) != "" {
		return 0, false
	}
	// the parent-death signal is sent when the thread that started the child ends: keep this
	// goroutine on its thread until the process exits
	runtime.LockOSThread()
	sigs := make(chan os.Signal, 4)
	for _, s := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		// a signal ignored when the command started (nohup's SIGHUP, a background job's SIGINT)
		// stays ignored, here and in the worker, which inherits it so
		if !signal.Ignored(s) {
			signal.Notify(sigs, s)
		}
	}
	rerun := os.Getenv(rerunEnv) != "0"
	for attempt := 1; ; attempt++ {
		cmd := &exec.Cmd{
			Path: "/proc/self/exe", // this binary, even if a new build replaced its file since
			Args: os.Args, Env: append(os.Environ(), supervisedEnv+"=1"),
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
		}
		if err := cmd.Start(); err != nil {
			signal.Stop(sigs)
			if attempt == 1 {
				return 0, false // run in this process instead
			}
			fmt.Fprintln(os.Stderr, "aftersales:", msg.T(lang, "cannot start the %s again (%v): the database is as it was before it; run the same command again", what, err))
			return 1, true
		}
		waited := make(chan struct{})
		go func() { cmd.Wait(); close(waited) }()
		var got os.Signal
	wait:
		for {
			select {
			case s := <-sigs:
				got = s
				cmd.Process.Signal(s)
			case <-waited:
				break wait
			}
		}
		ps := cmd.ProcessState
		if got != nil { // interrupted: end as the worker did, of the signal
			signal.Reset(got)
			syscall.Kill(os.Getpid(), got.(syscall.Signal))
			time.Sleep(time.Second)
			return 128 + int(got.(syscall.Signal)), true
		}
		ws, _ := ps.Sys().(syscall.WaitStatus)
		if !ws.Signaled() {
			return ps.ExitCode(), true
		}
		sig := ws.Signal()
		if sig == syscall.SIGPIPE {
			// its output went to a pipe that closed (| head): no word, as without a worker
			return 128 + int(sig), true
		}
		if !isFault(sig) {
			// killed from outside the command: by the kernel out of memory, or by a kill
			fmt.Fprintln(os.Stderr, "aftersales:", msg.T(lang, "the %s's worker process was stopped by %v from outside aftersales (the system out of memory, or a kill). Stopped before its commit, it changed nothing: run the same command again", what, sig))
			return 128 + int(sig), true
		}
		if attempt == 1 && rerun {
			fmt.Fprintln(os.Stderr, "aftersales:", msg.T(lang, "the %s's worker process crashed (signal: %v): DuckDB 1.4 does now and then when a large aggregate runs short of memory. It runs in one transaction, so the database is as it was before it. Running it again…", what, sig))
			continue
		}
		fmt.Fprintln(os.Stderr, "aftersales:", msg.T(lang, "the %s's worker process crashed (signal: %v): the database is as it was before it. Run the same command again; if it crashes again, give DuckDB more memory (AFTERSALES_MEMORY_LIMIT=8GB, for example, at most half of this machine's) or close other programs", what, sig))
		return 128 + int(sig), true
	}
}

// testCrash: the worker dies of SIGABRT while the file of testCrashEnv holds at most N bytes
// (after it appends one), as a crash of DuckDB ends it (tests only).
func testCrash() {
	v := os.Getenv(testCrashEnv)
	if v == "" || os.Getenv(supervisedEnv) == "" {
		return
	}
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return
	}
	n, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return
	}
	f, err := os.OpenFile(v[:i], os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	f.Write([]byte{'x'})
	st, err := f.Stat()
	f.Close()
	if err == nil && st.Size() <= int64(n) {
		debug.SetTraceback("crash") // an unrecovered panic then ends the process with SIGABRT
		panic("a crash for a test (" + testCrashEnv + ")")
	}
}
