package dashboards

import (
	"html/template"
	"slices"
	"strings"
)

// page is what one HTML page shows. Every string is escaped by html/template; Charts holds
// option JSON made by optionJSON (HTML-safe, no raw data in the script).
type page struct {
	Lang, Title, Subtitle string
	Nav                   []link
	Cards                 []card
	Sections              []section
	Charts                []chart
	Footnotes             []footnote
	Notes                 []string
	Settings, Generated   string
	ScriptSrc             string
	InlineJS              template.JS
}

type link struct {
	Text, Href string
	Current    bool
}

type card struct {
	Label, Tip, Value, Target, Status string // Status: met | miss | ""
	MoM, YoY                          string
	MoMSign, YoYSign                  int
	// YTD: the year to date (本年累计) of a KPI that adds up; YTDChange its change against last
	// year's (monthly_review's value_ytd, value_ytd_prev_year)
	YTD, YTDChange string
	YTDSign        int
	Provisional    bool
	ProvisionalTip string
	Good           int // +1 when a rise is good, -1 when a fall is good
}

type section struct {
	Title  string
	Note   string
	Charts []chartDiv
	Table  *table
	Wide   bool
}

type chartDiv struct {
	ID     string
	Height int
	Empty  bool // no series holds a value: "no data" in its place, not empty axes (markEmptyCharts)
}

type chart struct {
	ID     string
	Option template.JS
}

type table struct {
	Head []string
	Rows [][]cellv
}

// NumCol: column i holds numbers (a cell of it has class num), so its header is right-aligned
// over them as the numbers are; a left-aligned header over right-aligned numbers sat nearer the
// next column's figures than its own in a wide table (the benchmark's ranked table).
func (t *table) NumCol(i int) bool {
	for _, r := range t.Rows {
		if i < len(r) && slices.Contains(strings.Fields(r[i].Class), "num") {
			return true
		}
	}
	return false
}

type cellv struct {
	Text  string
	Class string
	Tip   string
	Href  string
}

type footnote struct{ Label, Formula string }

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"sub": func(a, b int) int { return a - b },
}).Parse(`<!doctype html>
<html lang="{{if eq .Lang "en"}}en{{else}}zh-CN{{end}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f6f9;color:#1f2937}
header{background:#1e3a5f;color:#fff;padding:12px 24px}
header h1{margin:0;font-size:20px} header .sub{opacity:.8;font-size:13px;margin-top:4px}
nav{background:#fff;border-bottom:1px solid #e5e7eb;padding:8px 24px;font-size:13px}
nav a{margin-right:14px;color:#1e3a5f;text-decoration:none} nav a.cur{font-weight:bold;border-bottom:2px solid #1e3a5f}
main{padding:16px 24px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px;margin-bottom:16px}
.card{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.06);border-top:3px solid #94a3b8}
.card.met{border-top-color:#16a34a}.card.miss{border-top-color:#dc2626}
.card .lab{font-size:13px;color:#475569;cursor:help;border-bottom:1px dotted #94a3b8;display:inline-block}
.card .val{font-size:22px;font-weight:600;margin:6px 0}
.card .tgt{font-size:12px;color:#64748b}.card.miss .tgt b{color:#dc2626}.card.met .tgt b{color:#16a34a}
.card .d{font-size:12px;margin-right:8px}.up{color:#16a34a}.down{color:#dc2626}.flat{color:#64748b}
.badge{background:#fef3c7;color:#92400e;font-size:11px;padding:1px 6px;border-radius:8px;margin-left:4px;cursor:help}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
section{background:#fff;border-radius:8px;padding:12px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
section.wide{grid-column:1/-1}
section h2{font-size:15px;margin:0 0 8px}
.note{font-size:12px;color:#64748b;margin-bottom:6px}
td.none{color:#94a3b8;text-align:center} .chart{width:100%} .chart.empty{display:flex;align-items:center;justify-content:center;color:#94a3b8;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:12px}
th{background:#f1f5f9;text-align:left;padding:4px 6px;position:sticky;top:0} th.num{text-align:right}
td{border-top:1px solid #eef2f7;padding:4px 6px}
td.num{text-align:right;font-variant-numeric:tabular-nums} td.total{font-weight:600;border-top:1px solid #94a3b8}
td.miss{color:#dc2626;font-weight:600} td.met{color:#16a34a} td.warn{color:#b45309}
.scroll{max-height:420px;overflow:auto}
footer{font-size:12px;color:#64748b;padding:16px 24px}
footer dt{font-weight:600;display:inline} footer dd{display:inline;margin:0 0 0 4px} footer div{margin:2px 0}
</style>
{{if .ScriptSrc}}<script src="{{.ScriptSrc}}"></script>{{else}}<script>{{.InlineJS}}</script>{{end}}
</head>
<body>
<header><h1>{{.Title}}</h1>{{if .Subtitle}}<div class="sub">{{.Subtitle}}</div>{{end}}</header>
{{if .Nav}}<nav>{{range .Nav}}<a href="{{.Href}}"{{if .Current}} class="cur"{{end}}>{{.Text}}</a>{{end}}</nav>{{end}}
<main>
{{if .Cards}}<div class="cards">{{range .Cards}}
<div class="card {{.Status}}"><span class="lab" title="{{.Tip}}">{{.Label}}</span>{{if .Provisional}}<span class="badge" title="{{.ProvisionalTip}}">{{if eq $.Lang "en"}}provisional{{else}}暂定{{end}}</span>{{end}}
<div class="val">{{.Value}}</div>
{{if .Target}}<div class="tgt">{{.Target}}</div>{{end}}
<div>{{if .MoM}}<span class="d {{if eq .MoMSign 0}}flat{{else if eq .MoMSign .Good}}up{{else}}down{{end}}">{{if eq $.Lang "en"}}MoM{{else}}环比{{end}} {{.MoM}}</span>{{end}}{{if .YoY}}<span class="d {{if eq .YoYSign 0}}flat{{else if eq .YoYSign .Good}}up{{else}}down{{end}}">{{if eq $.Lang "en"}}YoY{{else}}同比{{end}} {{.YoY}}</span>{{end}}</div>
{{if .YTD}}<div class="tgt">{{if eq $.Lang "en"}}Year to date{{else}}本年累计{{end}} {{.YTD}}{{if .YTDChange}} <span class="d {{if eq .YTDSign 0}}flat{{else if eq .YTDSign .Good}}up{{else}}down{{end}}">{{if eq $.Lang "en"}}YoY{{else}}同比{{end}} {{.YTDChange}}</span>{{end}}</div>{{end}}
</div>{{end}}
</div>{{end}}
<div class="grid">
{{range .Sections}}<section{{if .Wide}} class="wide"{{end}}><h2>{{.Title}}</h2>{{if .Note}}<div class="note">{{.Note}}</div>{{end}}
{{range .Charts}}{{if .Empty}}<div class="chart empty" style="height:{{.Height}}px">{{if eq $.Lang "en"}}No data{{else}}无数据{{end}}</div>{{else}}<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>{{end}}{{end}}
{{with .Table}}{{$t := .}}<div class="scroll"><table><thead><tr>{{range $i, $h := .Head}}<th{{if $t.NumCol $i}} class="num"{{end}}>{{$h}}</th>{{end}}</tr></thead><tbody>
{{if not .Rows}}<tr><td class="none" colspan="{{len .Head}}">{{if eq $.Lang "en"}}None{{else}}无{{end}}</td></tr>{{end}}{{range .Rows}}<tr>{{range .}}<td{{if .Class}} class="{{.Class}}"{{end}}{{if .Tip}} title="{{.Tip}}"{{end}}>{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table></div>{{end}}
</section>
{{end}}</div>
</main>
<footer>
{{range .Notes}}<div>{{.}}</div>{{end}}
{{if .Footnotes}}<div><b>{{if eq .Lang "en"}}Definitions{{else}}指标口径{{end}}</b></div><dl>{{range .Footnotes}}<div><dt>{{.Label}}</dt><dd>{{.Formula}}</dd></div>{{end}}</dl>{{end}}
{{if .Settings}}<div><b>{{if eq .Lang "en"}}Settings in force{{else}}本页使用的设置{{end}}:</b> {{.Settings}}</div>{{end}}
<div>{{if eq .Lang "en"}}Generated{{else}}生成时间{{end}} {{.Generated}} · aftersales · ECharts 5.4.3 (Apache-2.0)</div>
</footer>
<script>
(function(){
  var specs = [{{range .Charts}}{id: {{.ID}}, option: {{.Option}}},{{end}}];
  var all = [];
  specs.forEach(function(s){
    var el = document.getElementById(s.id);
    if (!el) { return; }
    var c = echarts.init(el, null, {renderer: 'canvas'});
    c.setOption(s.option);
    all.push(c);
  });
  window.addEventListener('resize', function(){ all.forEach(function(c){ c.resize(); }); });
  window.__chartsReady = all.length;
})();
</script>
</body>
</html>
`))
