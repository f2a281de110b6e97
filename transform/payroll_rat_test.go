package transform

import (
	"math/big"
	"testing"
)

// decimalRat must give SetString's value for every decimal text, and refuse what is not one.
func TestDecimalRatMatchesSetString(t *testing.T) {
	for _, s := range []string{"0", "0.00", "-0.50", "123.45", "-123.450000", "1", "35", "0.350000", "999999999999999999",
		"-99999999999999.9999", "100.00", "7.5", ".5", "5."} {
		got, ok := decimalRat(s)
		want, wok := new(big.Rat).SetString(s)
		if !ok || !wok || got.Cmp(want) != 0 {
			t.Errorf("decimalRat(%q) = %v, %v; SetString: %v, %v", s, got, ok, want, wok)
		}
	}
	for _, s := range []string{"", "-", ".", "1e3", "1/3", "1.2.3", "+1", " 1", "1234567890123456789", "--1", "1-"} {
		if r, ok := decimalRat(s); ok {
			t.Errorf("decimalRat(%q) = %v, want refused", s, r)
		}
	}
}
