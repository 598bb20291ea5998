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
//
// The layering itself is github.com/spf13/viper's: each Load checks every
// layer against the field types (a YAML node walk that keeps line numbers
// for its messages) and puts the typed values into a fresh viper instance,
// never the global one, so that loads are independent and safe to run
// concurrently. The embedded defaults and then Pre are viper defaults, the
// file and then the environment are merged into viper's config, and --set
// values are viper overrides; viper's precedence (override > config >
// default) makes later layers win and Pre yield to the file and the
// environment. The environment is read through viper's binding (EnvPrefix,
// "." as "_", a set but empty variable counts as set). Viper's
// UnmarshalExact then decodes the layered values into the struct, with
// mapstructure's ErrorUnused and ZeroFields and no weak typing.
package config
