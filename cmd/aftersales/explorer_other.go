//go:build !windows

package main

// explorerHelp: only Windows starts a command-line program by a double click.
func explorerHelp() {}
