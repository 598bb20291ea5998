package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// EnvPrefix prefixes the environment overrides of every configuration:
// SWATSIM_MODEL_SEQ_LEN=8192 sets model.seq_len.
const EnvPrefix = "SWATSIM"

// reservedEnv are SWATSIM_* variables that are not configuration keys
// (hdlgen's Verilator cache directory).
var reservedEnv = []string{EnvPrefix + "_CACHE_DIR"}

// Schema is one configuration: a struct type and its embedded defaults.
type Schema struct {
	name     string
	defaults []byte
	typ      reflect.Type
}

var (
	registryMu sync.Mutex
	registry   []*Schema
)

// NewSchema describes the configuration held by values of zero's struct
// type, with defaults (YAML, keys as zero's mapstructure tags). It is
// registered, so that an environment variable naming a key of any schema
// is not reported as unknown by another.
func NewSchema(name string, defaults []byte, zero any) (*Schema, error) {
	t := reflect.TypeOf(zero)
	if t == nil || t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("config %s: the schema must be a struct, not %v", name, t)
	}
	s := &Schema{name: name, defaults: bytes.Clone(defaults), typ: t}
	if _, err := s.defaultTree(); err != nil {
		return nil, err
	}
	registryMu.Lock()
	registry = append(registry, s)
	registryMu.Unlock()
	return s, nil
}

// MustSchema is NewSchema for embedded defaults, which must be valid.
func MustSchema(name string, defaults []byte, zero any) *Schema {
	s, err := NewSchema(name, defaults, zero)
	if err != nil {
		panic(err)
	}
	return s
}

// Layers are the sources of one load, applied over the defaults in this
// order: Pre (only keys that File and the environment leave unset), File,
// the environment (when Env), Sets.
type Layers struct {
	File string   // YAML file ("" for none), e.g. --config
	Env  bool     // read SWATSIM_* variables
	Pre  []string // key=value defaults that yield to File and the environment
	Sets []string // key=value overrides, e.g. --set
}

// Load builds the configuration into dst, a pointer to the schema's
// struct, and checks that every float in it is finite. The layers are
// checked one by one, in order, and their typed values are layered by a
// fresh viper instance (see newStore), which then decodes them into dst.
func (s *Schema) Load(l Layers, dst any) error {
	if rv := reflect.ValueOf(dst); rv.Kind() != reflect.Pointer || rv.Elem().Type() != s.typ {
		return fmt.Errorf("config %s: Load needs a *%v, not %T", s.name, s.typ, dst)
	}
	defaults, err := s.defaultTree()
	if err != nil {
		return err
	}
	v := newStore(defaults)
	explicit := map[string]bool{}
	if l.File != "" {
		ft, err := s.fileTree(l.File)
		if err != nil {
			return err
		}
		flatten(ft, "", explicit)
		if err := v.MergeConfigMap(ft); err != nil {
			return fmt.Errorf("%s: %v", l.File, err)
		}
	}
	if l.Env {
		et, err := s.envTree(explicit)
		if err != nil {
			return err
		}
		if err := v.MergeConfigMap(et); err != nil {
			return fmt.Errorf("%s_*: %v", EnvPrefix, err)
		}
		warnUnknownEnv()
	}
	for _, kv := range l.Pre {
		if k, _, _ := strings.Cut(kv, "="); explicit[strings.ToLower(strings.TrimSpace(k))] {
			continue
		}
		k, val, err := s.parseSet(kv, "default from the inputs")
		if err != nil {
			return err
		}
		v.SetDefault(k, val)
	}
	for _, kv := range l.Sets {
		k, val, err := s.parseSet(kv, "--set")
		if err != nil {
			return err
		}
		v.Set(k, val)
	}
	return s.decode(v, dst)
}

// Keys lists the schema's leaf keys, sorted.
func (s *Schema) Keys() []string {
	var out []string
	for _, f := range leaves(s.typ, "") {
		out = append(out, f.key)
	}
	return out
}

// newStore is the viper instance of one load, holding the embedded
// defaults. Viper layers what the loader puts into it, later layers
// winning: its defaults (the embedded defaults, then Pre), its config
// (the file, then the environment, merged key by key) and its overrides
// (--set). A fresh instance per load keeps loads independent.
func newStore(defaults map[string]any) *viper.Viper {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	return v
}

// decode has viper decode its layered values into dst: every key must
// land in a field (ErrorUnused), and the values, already of the fields'
// types, are not converted further (no weak typing, no hooks).
func (s *Schema) decode(v *viper.Viper, dst any) error {
	strict := func(c *mapstructure.DecoderConfig) {
		c.ZeroFields = true
		c.WeaklyTypedInput = false
		c.DecodeHook = nil
	}
	if err := v.UnmarshalExact(dst, strict); err != nil {
		return fmt.Errorf("%s: %v", s.name, err)
	}
	return CheckFinite(dst)
}

func (s *Schema) defaultTree() (map[string]any, error) {
	t, err := s.yamlTree(s.defaults, "embedded defaults of "+s.name)
	if err != nil {
		return nil, fmt.Errorf("config: %v", err)
	}
	return t, nil
}

func (s *Schema) fileTree(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %v", err)
	}
	return s.yamlTree(b, path)
}

// yamlTree reads one YAML document holding keys of the schema.
func (s *Schema) yamlTree(b []byte, src string) (map[string]any, error) {
	root, err := oneDocument(b, src)
	if err != nil {
		return nil, err
	}
	t, err := convertStruct(s.typ, root)
	if err != nil {
		return nil, describe(err, "", src)
	}
	return t, nil
}

// oneDocument parses b, which must hold at most one YAML document whose
// top level is a map.
func oneDocument(b []byte, src string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %v", src, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, fmt.Errorf("%s: a second YAML document starts at line %d; a config file holds one document", src, next.Line)
	case !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%s: not valid YAML: %v", src, err)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: line %d: the top level must be a map of keys (e.g. model:), not %s", src, root.Line, bad(root, "").shown)
	}
	return root, nil
}

// describe turns a conversion error into one line naming the key, the
// value, the source and what is allowed.
func describe(err error, key, src string) error {
	at := func(line int) string {
		if line > 0 {
			return fmt.Sprintf("%s line %d", src, line)
		}
		return src
	}
	switch e := err.(type) {
	case *valueError:
		return fmt.Errorf("%s = %s (from %s): %s", key, e.shown, at(e.line), e.why)
	case *pathError:
		return fmt.Errorf("%s = %s (from %s): %s", strings.TrimPrefix(key+e.suffix, "."), e.err.shown, at(e.err.line), e.err.why)
	case *keyError:
		k := join(key, e.suffix)
		if e.dup {
			return fmt.Errorf("%s: key %s is given twice", at(e.line), k)
		}
		return fmt.Errorf("%s: unknown key %q; known keys here: %s", at(e.line), k, prefixAll(key, e.known))
	}
	return fmt.Errorf("%s: %v", src, err)
}

// parseSet checks one key=value from --set (src names the layer) and
// returns the key and its typed value.
func (s *Schema) parseSet(kv, src string) (string, any, error) {
	k, val, ok := strings.Cut(kv, "=")
	k = strings.ToLower(strings.TrimSpace(k))
	if !ok || k == "" {
		return "", nil, fmt.Errorf("%s %q: want key=value, e.g. --set model.window=256", src, kv)
	}
	t, err := lookup(s.typ, k)
	if err != nil {
		return "", nil, fmt.Errorf("%s %v", src, err)
	}
	v, err := parseText(k, t, strings.TrimSpace(val), src)
	return k, v, err
}

// parseText converts the text of key (of type t), given on the command
// line or in the environment, read as a YAML value.
func parseText(key string, t reflect.Type, text, src string) (any, error) {
	if t.Kind() == reflect.Struct {
		return nil, fmt.Errorf("%s %s: %s is a group of keys; set one of %s", src, key, key, knownKeys(t, key))
	}
	v, err := convert(t, textNode(t, text))
	if err != nil {
		return nil, describe(err, key, src)
	}
	return v, nil
}

// textNode reads command-line text as a YAML value; a string field takes
// the text as it is.
func textNode(t reflect.Type, text string) *yaml.Node {
	str := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text}
	if t.Kind() == reflect.String {
		return str
	}
	var doc yaml.Node
	if strings.TrimSpace(text) == "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: `""`}
	}
	if yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) != 1 {
		return str
	}
	n := doc.Content[0]
	n.Line = 0
	return n
}

// envTree reads the SWATSIM_* variables that name keys of the schema,
// through viper's environment binding (EnvPrefix, "." read as "_", set but
// empty counts as set), into a tree of checked values; it records their
// keys in explicit.
func (s *Schema) envTree(explicit map[string]bool) (map[string]any, error) {
	env := viper.New()
	env.SetEnvPrefix(EnvPrefix)
	env.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	env.AllowEmptyEnv(true)
	tree := map[string]any{}
	for _, f := range leaves(s.typ, "") {
		if err := env.BindEnv(f.key); err != nil {
			return nil, fmt.Errorf("%s: %v", envName(f.key), err)
		}
		if !env.IsSet(f.key) {
			continue
		}
		v, err := parseText(f.key, f.typ, strings.TrimSpace(env.GetString(f.key)), envName(f.key))
		if err != nil {
			return nil, err
		}
		setPath(tree, f.key, v)
		explicit[f.key] = true
	}
	return tree, nil
}

var (
	warnedMu sync.Mutex
	warned   = map[string]bool{}
)

// Warn prints a warning on standard error, once per message and process.
func Warn(msg string) {
	warnedMu.Lock()
	defer warnedMu.Unlock()
	if warned[msg] {
		return
	}
	warned[msg] = true
	fmt.Fprintf(os.Stderr, "swatsim: warning: %s\n", msg)
}

// warnUnknownEnv warns about SWATSIM_* variables that name no key of any
// registered schema.
func warnUnknownEnv() {
	for _, name := range UnknownEnv() {
		Warn(fmt.Sprintf("%s names no configuration key; it is ignored (keys: see docs/cli.md)", name))
	}
}

// UnknownEnv lists the set SWATSIM_* variables that name no key of any
// registered schema, sorted.
func UnknownEnv() []string {
	known := map[string]bool{}
	for _, r := range reservedEnv {
		known[r] = true
	}
	registryMu.Lock()
	for _, s := range registry {
		for _, f := range leaves(s.typ, "") {
			known[envName(f.key)] = true
		}
	}
	registryMu.Unlock()
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix+"_") && !known[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// setPath stores v at the dotted key, creating groups as needed.
func setPath(tree map[string]any, key string, v any) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := tree[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			tree[p] = sub
		}
		tree = sub
	}
	tree[parts[len(parts)-1]] = v
}

// flatten records the dotted keys of the leaves of tree.
func flatten(tree map[string]any, prefix string, out map[string]bool) {
	for k, v := range tree {
		if m, ok := v.(map[string]any); ok {
			flatten(m, join(prefix, k), out)
			continue
		}
		out[join(prefix, k)] = true
	}
}
