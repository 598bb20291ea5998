package config

import (
	"fmt"
	"math"
)

func sprint(v any) string { return fmt.Sprintf("%+v", v) }

func nan() float64 { return math.NaN() }
