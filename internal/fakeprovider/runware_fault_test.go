package fakeprovider_test

import (
	"reflect"
	"sync"
	"testing"

	"github.com/generia/generia/internal/fakeprovider"
)

func draw(f *fakeprovider.Faults, n int) []fakeprovider.Fault {
	out := make([]fakeprovider.Fault, n)
	for i := range out {
		out[i] = f.Next()
	}
	return out
}

func TestFaultsScriptComesFirst(t *testing.T) {
	f := fakeprovider.NewFaults(1).Script(fakeprovider.Fault429, fakeprovider.FaultNone, fakeprovider.Fault402)
	if f.Pending() != 3 {
		t.Errorf("pending %d, want 3", f.Pending())
	}
	want := []fakeprovider.Fault{fakeprovider.Fault429, fakeprovider.FaultNone, fakeprovider.Fault402, fakeprovider.FaultNone, fakeprovider.FaultNone}
	if got := draw(f, 5); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := f.Injected(); !reflect.DeepEqual(got, map[fakeprovider.Fault]int{fakeprovider.Fault429: 1, fakeprovider.Fault402: 1}) {
		t.Errorf("injected %v", got)
	}

	// The script runs before the rate applies.
	f = fakeprovider.NewFaults(1).SetRate(1, fakeprovider.Fault500).Script(fakeprovider.FaultNone)
	if got := draw(f, 3); !reflect.DeepEqual(got, []fakeprovider.Fault{"", "500", "500"}) {
		t.Errorf("got %q", got)
	}
}

func TestFaultsRateIsDeterministic(t *testing.T) {
	mix := []fakeprovider.Fault{fakeprovider.Fault429, fakeprovider.Fault503, fakeprovider.FaultErrorIn200}
	a := draw(fakeprovider.NewFaults(42).SetRate(0.5, mix...), 200)
	b := draw(fakeprovider.NewFaults(42).SetRate(0.5, mix...), 200)
	c := draw(fakeprovider.NewFaults(43).SetRate(0.5, mix...), 200)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different faults")
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("different seeds, same faults")
	}
	counts := map[fakeprovider.Fault]int{}
	for _, x := range a {
		counts[x]++
	}
	if counts[fakeprovider.FaultNone] < 60 || counts[fakeprovider.FaultNone] > 140 {
		t.Errorf("rate 0.5 let %d of 200 through", counts[fakeprovider.FaultNone])
	}
	for _, m := range mix {
		if counts[m] == 0 {
			t.Errorf("fault %q never drawn: %v", m, counts)
		}
	}
	if len(counts) != len(mix)+1 {
		t.Errorf("drew faults outside the mix: %v", counts)
	}

	f := fakeprovider.NewFaults(42).SetRate(0.5, mix...)
	draw(f, 10)
	f.SetSeed(42)
	if got := draw(f, 200); !reflect.DeepEqual(got, a) {
		t.Errorf("SetSeed did not restart the draws")
	}
}

func TestFaultsEdgeCases(t *testing.T) {
	var nilFaults *fakeprovider.Faults
	if nilFaults.Next() != fakeprovider.FaultNone || nilFaults.Pending() != 0 || len(nilFaults.Injected()) != 0 {
		t.Errorf("a nil Faults injects")
	}
	var zero fakeprovider.Faults
	if got := draw(&zero, 10); !reflect.DeepEqual(got, make([]fakeprovider.Fault, 10)) {
		t.Errorf("the zero Faults injects: %q", got)
	}
	if got := draw(fakeprovider.NewFaults(1).SetRate(1), 3); !reflect.DeepEqual(got, []fakeprovider.Fault{"503", "503", "503"}) {
		t.Errorf("an empty mix gives %q, want 503", got)
	}
	if got := draw(fakeprovider.NewFaults(1).SetRate(-3, fakeprovider.Fault500), 3); !reflect.DeepEqual(got, make([]fakeprovider.Fault, 3)) {
		t.Errorf("a negative rate injects: %q", got)
	}
	f := fakeprovider.NewFaults(1).SetRate(1, fakeprovider.Fault500).Script(fakeprovider.Fault429)
	f.Reset()
	if got := draw(f, 3); !reflect.DeepEqual(got, make([]fakeprovider.Fault, 3)) || len(f.Injected()) != 0 {
		t.Errorf("Reset left faults: %q", got)
	}
}

func TestFaultsAreSafeForConcurrentUse(t *testing.T) {
	f := fakeprovider.NewFaults(9).SetRate(0.5, fakeprovider.Fault500)
	script := make([]fakeprovider.Fault, 50)
	for i := range script {
		script[i] = fakeprovider.Fault429
	}
	f.Script(script...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[fakeprovider.Fault]int{}
	for range 8 {
		wg.Go(func() {
			for range 50 {
				x := f.Next()
				mu.Lock()
				got[x]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if got[fakeprovider.Fault429] != 50 || got[fakeprovider.Fault429]+got[fakeprovider.Fault500]+got[fakeprovider.FaultNone] != 400 {
		t.Errorf("draws %v", got)
	}
	inj := f.Injected()
	if inj[fakeprovider.Fault429] != 50 || inj[fakeprovider.Fault500] != got[fakeprovider.Fault500] {
		t.Errorf("injected %v, drawn %v", inj, got)
	}
}
