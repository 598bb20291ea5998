package config

import (
	"fmt"
	"sync"
	"testing"
)

// TestLayerPrecedence sets inner.n in every subset of the layers and
// checks that the latest layer present wins: defaults (1) < Pre (10) <
// file (20) < environment (30) < --set (40). Pre also sets inner.u8, which
// no other layer sets, so a Pre that yields on one key still applies to
// the others.
func TestLayerPrecedence(t *testing.T) {
	file := writeFile(t, "inner:\n  n: 20\n")
	for mask := range 16 {
		pre, inFile, env, set := mask&1 != 0, mask&2 != 0, mask&4 != 0, mask&8 != 0
		t.Run(fmt.Sprintf("pre=%v,file=%v,env=%v,set=%v", pre, inFile, env, set), func(t *testing.T) {
			l := Layers{Env: true}
			want, wantU8 := 1, uint8(7)
			if pre {
				l.Pre = []string{"inner.n=10", "inner.u8=11"}
				want, wantU8 = 10, 11
			}
			if inFile {
				l.File = file
				want = 20
			}
			if env {
				t.Setenv("SWATSIM_INNER_N", "30")
				want = 30
			}
			if set {
				l.Sets = []string{"inner.n=40"}
				want = 40
			}
			var got testConfig
			if err := testSchema.Load(l, &got); err != nil {
				t.Fatal(err)
			}
			if got.Inner.N != want || got.Inner.U8 != wantU8 || got.Name != "base" {
				t.Errorf("inner.n = %d, inner.u8 = %d, name = %q; want %d, %d, \"base\"", got.Inner.N, got.Inner.U8, got.Name, want, wantU8)
			}
		})
	}
}

// TestPreYieldsUnchecked pins that a Pre value for a key the file sets
// is not even read (it cannot fail the load), while one for a key no
// explicit layer sets is checked like --set.
func TestPreYieldsUnchecked(t *testing.T) {
	file := writeFile(t, "inner:\n  n: 20\n")
	var got testConfig
	if err := testSchema.Load(Layers{File: file, Pre: []string{"inner.n=2.5"}}, &got); err != nil || got.Inner.N != 20 {
		t.Errorf("Pre on a key the file sets: n = %d, %v; want 20, no error", got.Inner.N, err)
	}
	err := testSchema.Load(Layers{Pre: []string{"inner.n=2.5"}}, &got)
	want := "inner.n = 2.5 (from default from the inputs): must be an integer (digits only: 1000, not 1e3 or 2.5)"
	if err == nil || err.Error() != want {
		t.Errorf("Pre on an unset key: error %v; want %q", err, want)
	}
}

// TestConcurrentLoads runs loads of different files and overrides at the
// same time: each must give what it gives alone (every load has its own
// viper instance, none touches viper's global one).
func TestConcurrentLoads(t *testing.T) {
	type job struct {
		l    Layers
		want testConfig
	}
	var jobs []job
	for i := range 4 {
		l := Layers{File: writeFile(t, fmt.Sprintf("name: file%d\ninner:\n  n: %d\n  tags: [t%d]\n", i, i, i)),
			Pre: []string{fmt.Sprintf("inner.u8=%d", 100+i)}, Sets: []string{fmt.Sprintf("inner.f=%d.5", i)}}
		var want testConfig
		if err := testSchema.Load(l, &want); err != nil {
			t.Fatal(err)
		}
		if want.Inner.N != i || want.Inner.U8 != uint8(100+i) || want.Inner.F != float64(i)+0.5 {
			t.Fatalf("load %d alone: %+v", i, want)
		}
		jobs = append(jobs, job{l, want})
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(jobs)*50)
	for _, j := range jobs {
		for range 50 {
			wg.Go(func() {
				var got testConfig
				if err := testSchema.Load(j.l, &got); err != nil {
					errs <- err
				} else if !equal(got, j.want) {
					errs <- fmt.Errorf("concurrent load gives %+v, alone %+v", got, j.want)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
