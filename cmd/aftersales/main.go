// Command aftersales is the after-sales KPI pipeline: ingest DMS exports, transform them
// into KPI marts, and write dashboards, payroll sheets and reports. This file is wiring
// only; each verb lives in its own file with an options struct and a run function.
package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/pprof"
	"strings"
	_ "time/tzdata" // ingest --timezone on a machine without a zone database (Windows)

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aftersales/aftersales/internal/db"
	"github.com/aftersales/aftersales/internal/msg"
)

// version is set by the Makefile (-ldflags "-X main.version=...").
var version = "dev"

// lang is the language of messages, printed tables, dashboards and workbooks (--lang).
var lang = msg.Default()

// exitError carries an exit status: 1 failed, 2 wrong usage (CONTRACT §4).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// failed and usage are errors of exit status 1 and 2 whose message main prints in --lang.
func failed(format string, a ...any) error {
	return &exitError{code: 1, err: msg.Errorf(format, a...)}
}

func usage(format string, a ...any) error {
	return &exitError{code: 2, err: msg.Errorf(format, a...)}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "aftersales",
		Short: "After-sales KPI pipeline for 4S-store service departments (售后经营分析)",
		Long: `aftersales turns dealer-management-system exports (work orders, labour lines, parts
movements, follow-up calls, technicians, attendance) into monthly KPIs, technician payroll
by the 5.0 coefficient method, dashboards and Excel reports.

Start with:  aftersales demo
A month's work:  aftersales ingest EXPORTS/ · aftersales transform · aftersales dashboards --out DIR
                 aftersales payroll --store ID --month YYYY-MM [--close] · aftersales status
Definitions: every KPI's formula is under each dashboard page (指标口径), in the monthly report's
last column, and in aftersales query monthly_review --param store=ID (formula_zh, formula_en).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
		// shell completion stays (`aftersales completion bash`), out of the verbs' list: the
		// texts of its subcommands are cobra's, in English only
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: true},
	}
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().StringVar(&lang, "lang", lang, "language of messages, tables, dashboards and workbooks: zh or en ($AFTERSALES_LANG sets the default)")
	var profFile *os.File
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if !msg.Valid(lang) {
			return usage("--lang must be zh or en")
		}
		if usesHugePages(c.Name()) {
			if err := db.UseHugePages(); err != nil {
				fmt.Fprintln(os.Stderr, "aftersales: huge pages not used:", err)
			}
		}
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return usage("--cpuprofile: %v", err)
		}
		profFile = f
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(c *cobra.Command, _ []string) {
		if profFile != nil {
			pprof.StopCPUProfile()
			profFile.Close()
		}
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage("%v\nRun `%s --help` for usage.", err, c.CommandPath())
	})
	root.AddCommand(newIngestCmd(), newRebuildCmd(), newGenCmd(), newVersionCmd())
	for _, add := range extraCommands {
		root.AddCommand(add())
	}
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		localizeHelp(c.Root())
		help(c, args)
	})
	return root
}

// localizeHelp puts the commands' descriptions and flags' texts into --lang (they are written
// in English, their Chinese is in the message catalog) and, in Chinese, cobra's headings too.
func localizeHelp(root *cobra.Command) {
	if lang == msg.EN {
		return
	}
	root.SetUsageTemplate(zhUsage)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.InitDefaultVersionFlag()
		c.Short, c.Long = msg.Format(lang, c.Short), msg.Format(lang, c.Long)
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				switch {
				// (cobra's own flags, worded with the command's name)
				case f.Usage == "help for "+c.Name():
					f.Usage = msg.T(lang, "help for %s", c.Name())
				case f.Usage == "version for "+c.Name():
					f.Usage = msg.T(lang, "version for %s", c.Name())
				default:
					f.Usage = msg.Format(lang, f.Usage)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// zhUsage is cobra's usage template (v1.10) with its headings in Chinese; flag defaults read
// （默认 …）.
const zhUsage = `用法：{{if .Runnable}}
  {{.UseLine | zhDefaults}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [命令]{{end}}{{if gt (len .Aliases) 0}}

别名：
  {{.NameAndAliases}}{{end}}{{if .HasExample}}

示例：
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

可用命令：{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

参数：
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces | zhDefaults}}{{end}}{{if .HasAvailableInheritedFlags}}

全局参数：
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces | zhDefaults}}{{end}}{{if .HasAvailableSubCommands}}

用 "{{.CommandPath}} [命令] --help" 查看各命令的说明。{{end}}
`

func init() {
	// (pflag writes a flag's default as ` (default "x")`, cobra a use line's flags as ` [flags]`)
	defaults := regexp.MustCompile(` \(default ([^)]*)\)`)
	cobra.AddTemplateFunc("zhDefaults", func(s string) string {
		return strings.ReplaceAll(defaults.ReplaceAllString(s, "（默认 $1）"), " [flags]", " [参数]")
	})
}

// usesHugePages: every verb's DuckDB allocates with transparent huge pages (db.UseHugePages) but
// bench's, which measures DuckDB's read_csv as it ships (its ingest, transform and other steps
// run as child processes of their own verbs).
func usesHugePages(verb string) bool { return verb != "bench" }

// extraCommands lets verb files register themselves without touching this file.
var extraCommands []func() *cobra.Command

func main() {
	// --lang as given, for the errors cobra meets before it parses the flags (an unknown command)
	for i, a := range os.Args[1:] {
		if v, ok := strings.CutPrefix(a, "--lang="); ok && msg.Valid(v) {
			lang = v
		} else if a == "--lang" && i+2 < len(os.Args) && msg.Valid(os.Args[i+2]) {
			lang = os.Args[i+2]
		}
	}
	explorerHelp()
	root := newRoot()
	err := root.Execute()
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if isUsageError(err) {
		code = 2
	}
	fmt.Fprintln(os.Stderr, "aftersales:", termSafe(cobraText(msg.Text(lang, err)), true))
	if diskFull(err) && !contains(err.Error(), "The disk is full") {
		// (ingest says more itself: what stays loaded)
		fmt.Fprintln(os.Stderr, msg.T(lang, "The disk is full: free space on the disk named above and run the same command again. "+
			"A transform, payroll close or rebuild that stops this way changes nothing, and pages and workbooks are written whole or not at all."))
	}
	os.Exit(code)
}

// cobraErrors are the errors cobra and pflag word themselves (unknown command or flag, a flag
// without its value, a wrong number of arguments), each with the message that says it in --lang.
var cobraErrors = []struct {
	re  *regexp.Regexp
	say func(m []string) string
}{
	{regexp.MustCompile(`^unknown command "(.*)" for "(.*)"$`), func(m []string) string { return msg.T(lang, "unknown command %q for %q", m[1], m[2]) }},
	{regexp.MustCompile(`^unknown flag: (.*)$`), func(m []string) string { return msg.T(lang, "unknown flag: %s", m[1]) }},
	{regexp.MustCompile(`^unknown shorthand flag: '(.*)' in (.*)$`), func(m []string) string { return msg.T(lang, "unknown shorthand flag: '%s' in %s", m[1], m[2]) }},
	{regexp.MustCompile(`^flag needs an argument: (.*)$`), func(m []string) string { return msg.T(lang, "flag needs an argument: %s", m[1]) }},
	{regexp.MustCompile(`^invalid argument "(.*)" for "(.*)" flag: (.*)$`), func(m []string) string {
		return msg.T(lang, "invalid argument %q for %q flag: %s", m[1], m[2], m[3])
	}},
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), func(m []string) string { return msg.T(lang, "accepts %s arg(s), received %s", m[1], m[2]) }},
	{regexp.MustCompile(`^Did you mean this\?$`), func(m []string) string { return msg.T(lang, "Did you mean this?") }},
}

// cobraText puts the lines of text that are cobra's own errors into --lang.
func cobraText(text string) string {
	if lang == msg.EN {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		for _, c := range cobraErrors {
			if m := c.re.FindStringSubmatch(l); m != nil {
				lines[i] = c.say(m)
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}

// isUsageError recognises cobra's own argument errors (unknown command, wrong arg count).
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires at least", "required flag", "invalid argument"} {
		if len(msg) >= len(p) && contains(msg, p) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run:   func(c *cobra.Command, _ []string) { fmt.Fprintln(c.OutOrStdout(), "aftersales", version) },
	}
}
