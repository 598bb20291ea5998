package kv

import (
	"fmt"
	"math"
	"strconv"
)

// Number is a report value that JSON encodes as null when it is not
// finite (JSON has no NaN or infinity); the report's warnings then say
// which key is null and why.
type Number float64

// MarshalJSON encodes a finite number as a JSON number and NaN or ±Inf as
// null.
func (x Number) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// nullReasons explains, per report key, why its value can be non-finite.
var nullReasons = map[string]string{
	"caote_error_mean": "a step evicted a token that held all of the previous query's attention (a = 1: the CAOTE error a/(1-a)||o-v|| is infinite)",
	"caote_error":      "this step evicted a token that held all of the previous query's attention (a = 1: the CAOTE error a/(1-a)||o-v|| is infinite)",
}

// nullWarning is the warning for a non-finite value of key written as
// null, or "" when x is finite.
func nullWarning(key string, x float64) string {
	if !math.IsNaN(x) && !math.IsInf(x, 0) {
		return ""
	}
	why, ok := nullReasons[key]
	if !ok {
		why = "no decode step produced a finite value"
	}
	return fmt.Sprintf("%s is %g, written as null: %s", key, x, why)
}
