package nearest

import "testing"

func TestName(t *testing.T) {
	cands := []string{"parts_abc", "abc_pareto", "parts_trend", "comeback_list"}
	for key, want := range map[string]string{
		"parts_ab": "parts_abc", "part_abc": "parts_abc", "parts_abcd": "parts_abc", "parts-trend": "parts_trend",
		"comebacks_list": "comeback_list", "abc": "", "payroll": "", "": "",
	} {
		if got := Name(key, cands); got != want {
			t.Errorf("Name(%q) = %q, want %q", key, got, want)
		}
	}
	// the first among equals, in the order given
	if got := Name("ab", []string{"ax", "ay"}); got != "ax" {
		t.Errorf("tie: %q", got)
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}} {
		if got := distance(c.a, c.b); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
