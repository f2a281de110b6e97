//go:build windows

package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/aftersales/aftersales/internal/msg"
	"github.com/inconshreveable/mousetrap"
	"github.com/spf13/cobra"
)

// explorerHelp: aftersales.exe double-clicked in Explorer opens a console that would close as
// soon as the help is printed. Say, in the store's language, how to use it instead, and keep the
// window until Enter. (This replaces cobra's own notice, which is English and closes after 5 s.)
func explorerHelp() {
	cobra.MousetrapHelpText = ""
	if !mousetrap.StartedByExplorer() {
		return
	}
	fmt.Print(msg.T(lang, "aftersales is a command-line program: a double click cannot run it.\n"+
		"In Explorer, type cmd in the address bar of the folder that holds aftersales.exe and press Enter,\n"+
		"then run, in the window that opens:\n\n"+
		"  aftersales demo --lang en    try it on sample data\n"+
		"  aftersales help              every command\n\n"+
		"README.txt in the same folder says more. Press Enter to close this window.\n"))
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}
