package dashboards

import "testing"

// TestAxisBounds: a ranking chart's axis holds its dots and marked lines — a target every store
// misses too — with ends on a nice step, percentages within 0–100.
func TestAxisBounds(t *testing.T) {
	for _, c := range []struct {
		name    string
		vals    []float64
		percent bool
		lo, hi  float64
	}{
		// on-time delivery of 50 stores at 91–94.5 %, median and quartiles between, target 95 %:
		// ECharts' own axis ended at 94.5 and the target was off the chart
		{"target above every store", []float64{94.5, 93.1, 91, 92.9, 92.4, 93.4, 95}, true, 90, 96},
		{"target below every store", []float64{97.1, 99.9, 98.5, 95}, true, 94, 100},
		// one store at 100 %: ECharts padded it to 40–160 %
		{"lone 100 %", []float64{100, 100, 100, 100}, true, 90, 100}, // 100 is no end of the padded span
		{"lone 0 %", []float64{0, 0, 0, 0}, true, 0, 1},
		{"orders", []float64{1950, 1000, 1450, 1200, 1600}, false, 800, 2000},
		{"lone count", []float64{3}, false, 2.6, 3.4},                // ±0.3, on a step of 0.2
		{"turnover", []float64{0.37, 0.41, 0.39}, false, 0.36, 0.42}, // a step of 0.01
	} {
		lo, hi, _, ok := axisBounds(c.vals, c.percent)
		if !ok || lo != c.lo || hi != c.hi {
			t.Errorf("%s: %v → %v–%v (%v), want %v–%v", c.name, c.vals, lo, hi, ok, c.lo, c.hi)
		}
	}
	if _, _, _, ok := axisBounds(nil, true); ok {
		t.Error("no values: bounds given")
	}
}

// TestPercentMax: a trend of percentages ends at 100 where ECharts would draw past it.
func TestPercentMax(t *testing.T) {
	for _, c := range []struct {
		vals []float64
		want any
	}{
		{[]float64{100}, 100},        // a store's first month at 100 %: ECharts drew 50–150
		{[]float64{92, 99.5}, 100},   // a step of 3 could round 99.5 up to 120
		{[]float64{66.7, 66.7}, 100}, // padded by half: 33–100
		{[]float64{60, 60}, nil},     // padded to 30–90: under 100
		{[]float64{30.9, 35.5}, nil}, // appointment rates
		{[]float64{}, nil},
	} {
		if got := percentMax(c.vals); got != c.want {
			t.Errorf("%v: %v, want %v", c.vals, got, c.want)
		}
	}
}
