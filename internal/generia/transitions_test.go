package generia

import "testing"

func TestUSD(t *testing.T) {
	cases := map[float64]string{
		0:         "$0.00",
		2:         "$2.00",
		0.5:       "$0.50",
		0.49:      "$0.49",
		0.004:     "$0.004",
		0.0000001: "$0.00",
		1.23456:   "$1.2346",
	}
	for v, want := range cases {
		if got := USD(v); got != want {
			t.Errorf("USD(%v) = %q, want %q", v, got, want)
		}
	}
}
