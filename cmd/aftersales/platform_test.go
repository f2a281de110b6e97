package main

import "testing"

// TestFileURL: the address printed for the dashboards opens in a browser on Linux, on Windows
// (a drive letter, a network share) and in folders whose names hold spaces, #, % or Chinese.
func TestFileURL(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/home/li/out/dashboards/index.html", "file:///home/li/out/dashboards/index.html"},
		{"C:/Users/li/out/dashboards/index.html", "file:///C:/Users/li/out/dashboards/index.html"},
		{"//fileserver/售后/看板/index.html", "file://fileserver/售后/看板/index.html"},
		{"/home/li/经营 分析/#2 100%?/index.html", "file:///home/li/经营%20分析/%232%20100%25%3F/index.html"},
	} {
		if got := fileURLOf(c.path); got != c.want {
			t.Errorf("fileURLOf(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}
