package connectors

import (
	"fmt"
	"maps"
	"slices"

	"go.yaml.in/yaml/v3"
)

// Spec is one entry of the config's connectors list.
type Spec struct {
	ID     string
	Type   string
	Name   string    // zh-CN display name
	NameEN string    // English display name
	Config yaml.Node // the connector's own settings, decoded by its factory
	Path   string    // YAML path of Config for error messages, e.g. "connectors[0].config"
}

// ConfigPath is the YAML path config errors name: Path, or "config" for
// a spec built outside a config file.
func (s Spec) ConfigPath() string {
	if s.Path == "" {
		return "config"
	}
	return s.Path
}

// Factory validates spec.Config and opens the connector. Validation errors
// must name the YAML path (spec.Path + "." + key).
type Factory func(spec Spec, deps Deps) (Connector, error)

// FactoryOf turns a connector package's Open into its Factory. A failed
// Open gives a nil Connector, not an interface holding a nil pointer.
func FactoryOf[C Connector](open func(Spec, Deps) (C, error)) Factory {
	return func(spec Spec, deps Deps) (Connector, error) {
		c, err := open(spec, deps)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// Configured is the Open of a connector whose config is parsed by parse:
// it decodes spec.Config at spec.ConfigPath() first, so that a config
// error is reported before any dependency is looked at, then opens the
// connector with the typed config. A connector whose parser has this
// form writes its Open as one of these, so the decoding step is written
// once (x509's parser also takes the connector's logger, so it does not).
func Configured[Cfg, C any](parse func(n *yaml.Node, path string) (Cfg, error), open func(Spec, Deps, Cfg) (C, error)) func(Spec, Deps) (C, error) {
	return func(spec Spec, deps Deps) (C, error) {
		cfg, err := parse(&spec.Config, spec.ConfigPath())
		if err != nil {
			var none C
			return none, err
		}
		return open(spec, deps, cfg)
	}
}

// Registry maps a config `type` to its factory. Built in main, passed down.
type Registry map[string]Factory

// Open opens every spec with the Deps the host gives it (deps is called
// once per spec, so the host can scope each connector's logger),
// collecting all errors, then checks that the connectors work together
// (a self-bind connector needs a password or sms connector).
func (r Registry) Open(specs []Spec, deps func(Spec) Deps) ([]Connector, []error) {
	var (
		out  []Connector
		errs []error
	)
	paths := make(map[string]string, len(specs))
	for _, s := range specs {
		f, ok := r[s.Type]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown connector type %q (known: %v)", typePath(s.Path), s.Type, r.Types()))
			continue
		}
		c, err := f(s, deps(s))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
		paths[c.ID()] = s.Path
	}
	errs = append(errs, checkProofMethods(out, paths)...)
	return out, errs
}

// Types lists the registered types, sorted.
func (r Registry) Types() []string {
	return slices.Sorted(maps.Keys(r))
}

func typePath(configPath string) string {
	const suffix = ".config"
	if len(configPath) > len(suffix) && configPath[len(configPath)-len(suffix):] == suffix {
		return configPath[:len(configPath)-len(suffix)] + ".type"
	}
	return configPath
}

// Same gives every connector the same deps (tests, `gjjid config check`).
func Same(d Deps) func(Spec) Deps { return func(Spec) Deps { return d } }
