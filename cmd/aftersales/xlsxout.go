package main

import "github.com/aftersales/aftersales/internal/xlsxw"

func writeQueryXLSX(path string, cols []string, data [][]any) error {
	rows := make([][]any, len(data))
	for i, r := range data {
		rows[i] = make([]any, len(r))
		for j, v := range r {
			rows[i][j] = xlsxw.Cell(v)
		}
	}
	if err := xlsxw.WriteTable(path, "query", cols, rows); err != nil {
		return failed("writing %s: %v", path, err)
	}
	return nil
}
