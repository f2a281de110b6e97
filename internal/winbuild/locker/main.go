//go:build windows

// Command locker holds a file open the way Excel holds a workbook it shows (others may read it,
// not write, rename or delete it) until it is killed: check.sh runs it under Wine to see what
// `aftersales report` says when the workbook it would replace is open.
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

func main() {
	p, err := syscall.UTF16PtrFromString(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, syscall.FILE_SHARE_READ, nil, syscall.OPEN_EXISTING, 0, 0)
	if err != nil {
		fmt.Println("locker:", err)
		os.Exit(1)
	}
	defer syscall.CloseHandle(h)
	fmt.Println("locked")
	time.Sleep(time.Hour)
}
