package dashboards

import "github.com/aftersales/aftersales/internal/workbook"

// E names an enum value in the page's language (the names live with the workbooks' labels).
func E(lang, v string) string { return workbook.Enum(lang, v) }
