package password

import (
	"errors"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Defaults of Config.
const (
	DefaultMaxFailures = 5
	DefaultLockout     = 15 * time.Minute
	// DefaultACR is the broker-wide assurance level of a password login.
	DefaultACR = "gjj:loa:1"
)

// Bounds of Config. A six-digit password has only 10⁶ values, so the
// number of guesses per lockout window must stay small.
const (
	maxMaxFailures = 20
	minLockout     = time.Minute
	maxLockout     = 24 * time.Hour
)

// Config is the connector's `config:` block.
//
//	config:
//	  max_failures: 5  # consecutive failures of one login before it locks (1–20)
//	  lockout: 15m     # how long a locked login stays locked (1m–24h)
//	  acr: gjj:loa:1   # the acr this method yields
type Config struct {
	MaxFailures int           `yaml:"max_failures"`
	Lockout     time.Duration `yaml:"lockout"`
	ACR         string        `yaml:"acr"`
}

// parseConfig decodes n strictly (unknown and repeated keys are errors),
// applies defaults and validates. Every error names its YAML path below
// path; all of them are returned together.
func parseConfig(n *yaml.Node, path string) (Config, error) {
	cfg := Config{MaxFailures: DefaultMaxFailures, Lockout: DefaultLockout, ACR: DefaultACR}
	errs, ok := yamlconfig.Mapping(n, path,
		yamlconfig.Whole("max_failures", &cfg.MaxFailures, "5"),
		yamlconfig.Duration("lockout", &cfg.Lockout, "15m or 1h"),
		yamlconfig.Str("acr", &cfg.ACR, DefaultACR),
	)
	if !ok {
		return cfg, errors.Join(errs...)
	}
	// Fields that failed to decode kept their defaults, so validating now
	// reports only the values that were read.
	return cfg, errors.Join(append(errs, cfg.validate(path))...)
}

func (c Config) validate(path string) error {
	return errors.Join(
		yamlconfig.CheckRange(path+".max_failures", c.MaxFailures, 1, maxMaxFailures, ": a six-digit password must not get more guesses"),
		yamlconfig.CheckRange(path+".lockout", c.Lockout, minLockout, maxLockout, ""),
		yamlconfig.CheckACR(path+".acr", c.ACR, DefaultACR),
	)
}
