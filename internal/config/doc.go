// Package config is swatsim's one configuration loader. A configuration is
// a Go struct whose fields carry mapstructure tags; its value is built from
// layers, later ones winning: the embedded defaults (YAML), key=value
// defaults that yield to explicit settings (Pre), the --config YAML file,
// SWATSIM_* environment variables and --set key=value overrides.
//
// Every layer is held to the struct's field types, so a file and --set
// agree: integers must be integers (2.5 and 1e3 are refused), booleans are
// only true or false, groups must be maps, floats must be finite, a file
// holds one YAML document, unknown keys are errors and an environment
// variable with the prefix that names no key is a warning. Errors are one
// line naming the field, the value, where it came from and what is allowed.
package config
