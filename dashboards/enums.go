package dashboards

import (
	"strings"

	"github.com/aftersales/aftersales/internal/workbook"
)

// E names an enum value in the page's language (the names live with the workbooks' labels). In
// English a chart reads "body paint" and "parts defect" rather than the canonical body_paint and
// parts_defect; the workbooks and query results keep the canonical words.
func E(lang, v string) string {
	if lang == "en" {
		return strings.ReplaceAll(v, "_", " ")
	}
	return workbook.Enum(lang, v)
}
