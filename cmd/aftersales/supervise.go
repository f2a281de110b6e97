package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"syscall"
)

// The transform runs in a worker process of this binary, which its own process watches and runs
// once more if it crashed (supervise, supervise_linux.go). The environment tells the two apart.
const (
	// supervisedEnv is set in the worker: it runs the command itself.
	supervisedEnv = "AFTERSALES_SUPERVISED"
	// rerunEnv=0: a worker that crashed is not run again; the command exits with 128 + the
	// signal's number, as a shell reports a process that died of it. The bench sets it, so that
	// it times no crashed run and names each step it ran again itself (stepRunner.again).
	rerunEnv = "AFTERSALES_CRASH_RERUN"
	// testCrashEnv=PATH:N (tests only): the worker appends a byte to PATH and, while PATH holds
	// at most N bytes, dies of SIGABRT before it opens the database, as DuckDB's crashes end it.
	testCrashEnv = "AFTERSALES_TEST_CRASH"
)

// faultSignals: the signals a process dies of when its own code fails — a segmentation fault,
// a bus error, an abort, an illegal instruction, an arithmetic fault —, not when it is
// interrupted or killed from outside.
var faultSignals = []syscall.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGABRT, syscall.SIGILL, syscall.SIGFPE}

func isFault(sig syscall.Signal) bool { return slices.Contains(faultSignals, sig) }

// crashed reports whether a process died of a fault (faultSignals; on Windows an access
// violation), not of an exit or an interruption (Ctrl-C, a kill), and which. An aftersales
// command whose worker process crashed and was not run again (rerunEnv) exits with 128 + the
// signal's number: that is a crash too.
func crashed(ps *os.ProcessState) (string, bool) {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if sig := ws.Signal(); isFault(sig) {
			return "signal: " + sig.String(), true
		}
		return "", false
	}
	code := ps.ExitCode()
	if runtime.GOOS != "windows" && code > 128 && isFault(syscall.Signal(code-128)) {
		return fmt.Sprintf("exit status %d: its worker process died of signal: %v", code, syscall.Signal(code-128)), true
	}
	if uint32(code) == 0xC0000005 {
		return "exit status 0xC0000005 (access violation)", true
	}
	return "", false
}
