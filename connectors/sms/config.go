package sms

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gjjid/gjjid/connectors/yamlconfig"
)

// Defaults of Config.
const (
	DefaultCodeTTL        = 5 * time.Minute
	DefaultMaxAttempts    = 5
	DefaultResendInterval = 60 * time.Second
	DefaultDailyLimit     = 10
	DefaultIPHourlyLimit  = 30
	// DefaultACR is the broker-wide assurance level of an SMS code login.
	DefaultACR = "gjj:loa:1"

	// Provider health: the SMS page says text messages are unavailable
	// while, over the last one to two windows, at least
	// DefaultUnavailableAfter sends failed and they were at least
	// DefaultUnavailablePercent of all sends.
	DefaultUnavailableWindow  = 5 * time.Minute
	DefaultUnavailableAfter   = 3
	DefaultUnavailablePercent = 50

	DefaultAliyunEndpoint = "https://dysmsapi.aliyuncs.com/"
	DefaultAliyunRegion   = "cn-hangzhou"
	DefaultAliyunTimeout  = 5 * time.Second
)

// Sender types.
const (
	SenderLog    = "log"
	SenderAliyun = "aliyun"
)

// Bounds of Config. A six-digit code has 10⁶ values: the guesses a mobile
// gets per day (daily_limit × max_attempts) must stay small against that.
const (
	minCodeTTL           = time.Minute
	maxCodeTTL           = 30 * time.Minute
	maxMaxAttempts       = 10
	minResendInterval    = 10 * time.Second
	maxResendInterval    = time.Hour
	maxDailyLimit        = 100
	maxIPHourlyLimit     = 100000
	minUnavailableWindow = 30 * time.Second
	maxUnavailableWindow = time.Hour
	maxUnavailableAfter  = 1000
	minTimeout           = time.Second
	maxTimeout           = time.Minute
)

// Config is the connector's `config:` block.
//
//	config:
//	  code_ttl: 5m           # how long a code works (1m–30m)
//	  max_attempts: 5        # wrong codes before a code is dead (1–10)
//	  resend_interval: 60s   # least time between two codes to one mobile (10s–1h)
//	  daily_limit: 10        # codes per mobile per day, China time (1–100)
//	  ip_hourly_limit: 30    # codes per client IP per clock hour
//	  acr: gjj:loa:1         # the acr this method yields
//	  unavailable_window: 5m # provider health window (30s–1h)
//	  unavailable_after: 3   # failed sends in the window that make texts "unavailable"
//	  unavailable_percent: 50 # … when they are at least this share of the sends (1–100)
//	  sender:
//	    type: aliyun         # log (development only) or aliyun
//	    aliyun:
//	      endpoint: https://dysmsapi.aliyuncs.com/
//	      access_key_id: ${ALIYUN_SMS_KEY_ID}
//	      access_key_secret: ${ALIYUN_SMS_KEY_SECRET}
//	      sign_name: 某某住房公积金中心
//	      template_code: SMS_123456789  # template with a ${code} variable
//	      region_id: cn-hangzhou
//	      timeout: 5s
type Config struct {
	CodeTTL        time.Duration
	MaxAttempts    int
	ResendInterval time.Duration
	DailyLimit     int
	IPHourlyLimit  int
	ACR            string
	// UnavailableWindow, UnavailableAfter and UnavailablePercent decide
	// when the provider is failing (health.go).
	UnavailableWindow  time.Duration
	UnavailableAfter   int
	UnavailablePercent int
	Sender             SenderConfig
}

// SenderConfig says how codes reach the phone.
type SenderConfig struct {
	// Type is SenderLog or SenderAliyun.
	Type string
	// Aliyun is set when Type is SenderAliyun.
	Aliyun *AliyunConfig
}

// AliyunConfig is Alibaba Cloud SMS (dysmsapi, SendSms, API 2017-05-25).
type AliyunConfig struct {
	Endpoint        string
	AccessKeyID     string
	AccessKeySecret string
	SignName        string
	TemplateCode    string
	RegionID        string
	Timeout         time.Duration
}

func defaultConfig() Config {
	return Config{CodeTTL: DefaultCodeTTL, MaxAttempts: DefaultMaxAttempts, ResendInterval: DefaultResendInterval,
		DailyLimit: DefaultDailyLimit, IPHourlyLimit: DefaultIPHourlyLimit, ACR: DefaultACR,
		UnavailableWindow: DefaultUnavailableWindow, UnavailableAfter: DefaultUnavailableAfter, UnavailablePercent: DefaultUnavailablePercent}
}

func defaultAliyun() AliyunConfig {
	return AliyunConfig{Endpoint: DefaultAliyunEndpoint, RegionID: DefaultAliyunRegion, Timeout: DefaultAliyunTimeout}
}

const knownAliyunKeys = "endpoint, access_key_id, access_key_secret, sign_name, template_code, region_id, timeout"

// parseConfig decodes n strictly (unknown and repeated keys are errors),
// applies defaults and validates. Every error names its YAML path below
// path; all of them are returned together.
func parseConfig(n *yaml.Node, path string) (Config, error) {
	cfg := defaultConfig()
	if yamlconfig.Resolve(n) == nil {
		return cfg, fmt.Errorf("%s.sender: required: a mapping with type %s or %s", path, SenderAliyun, SenderLog)
	}
	var sender *yaml.Node
	errs, ok := yamlconfig.Mapping(n, path,
		yamlconfig.Duration("code_ttl", &cfg.CodeTTL, "5m"),
		yamlconfig.Whole("max_attempts", &cfg.MaxAttempts, "5"),
		yamlconfig.Duration("resend_interval", &cfg.ResendInterval, "60s"),
		yamlconfig.Whole("daily_limit", &cfg.DailyLimit, "10"),
		yamlconfig.Whole("ip_hourly_limit", &cfg.IPHourlyLimit, "30"),
		yamlconfig.Str("acr", &cfg.ACR, DefaultACR),
		yamlconfig.Duration("unavailable_window", &cfg.UnavailableWindow, "5m"),
		yamlconfig.Whole("unavailable_after", &cfg.UnavailableAfter, "3"),
		yamlconfig.Whole("unavailable_percent", &cfg.UnavailablePercent, "50"),
		yamlconfig.Node("sender", &sender),
	)
	if !ok {
		return cfg, errors.Join(errs...)
	}
	var senderErrs []error
	cfg.Sender, senderErrs = parseSender(sender, path+".sender")
	errs = append(errs, senderErrs...)
	// Fields that failed to decode kept their defaults, so validating now
	// reports only the values that were read.
	return cfg, errors.Join(append(errs, cfg.validate(path))...)
}

func parseSender(n *yaml.Node, path string) (SenderConfig, []error) {
	var s SenderConfig
	if n == nil {
		return s, []error{fmt.Errorf("%s: required: a mapping with type %s or %s", path, SenderAliyun, SenderLog)}
	}
	var aliyun *yaml.Node
	errs, ok := yamlconfig.Mapping(n, path,
		yamlconfig.Str("type", &s.Type, SenderAliyun),
		yamlconfig.Node("aliyun", &aliyun),
	)
	if !ok {
		return s, errs
	}
	switch s.Type {
	case "":
		errs = append(errs, fmt.Errorf("%s.type: required: %s or %s", path, SenderAliyun, SenderLog))
	case SenderLog:
		if aliyun != nil {
			errs = append(errs, fmt.Errorf("%s.aliyun: only used with type %s (line %d); remove it or set type: %s", path, SenderAliyun, aliyun.Line, SenderAliyun))
		}
	case SenderAliyun:
		ap := path + ".aliyun"
		if aliyun == nil {
			errs = append(errs, fmt.Errorf("%s: required with type %s: a mapping with the keys %s", ap, SenderAliyun, knownAliyunKeys))
			break
		}
		a, aerrs := parseAliyun(aliyun, ap)
		s.Aliyun = &a
		errs = append(errs, aerrs...)
	default:
		errs = append(errs, fmt.Errorf("%s.type: must be %s or %s, got %q", path, SenderAliyun, SenderLog, s.Type))
	}
	return s, errs
}

func parseAliyun(n *yaml.Node, path string) (AliyunConfig, []error) {
	a := defaultAliyun()
	errs, ok := yamlconfig.Mapping(n, path,
		yamlconfig.Str("endpoint", &a.Endpoint, DefaultAliyunEndpoint),
		yamlconfig.Str("access_key_id", &a.AccessKeyID, "${ALIYUN_SMS_ACCESS_KEY_ID}"),
		yamlconfig.Str("access_key_secret", &a.AccessKeySecret, "${ALIYUN_SMS_ACCESS_KEY_SECRET}"),
		yamlconfig.Str("sign_name", &a.SignName, "某某住房公积金中心"),
		yamlconfig.Str("template_code", &a.TemplateCode, "SMS_123456789"),
		yamlconfig.Str("region_id", &a.RegionID, DefaultAliyunRegion),
		yamlconfig.Duration("timeout", &a.Timeout, "5s"),
	)
	if !ok {
		return a, errs
	}
	return a, append(errs, a.validate(path))
}

func (c Config) validate(path string) error {
	return errors.Join(
		yamlconfig.CheckRange(path+".code_ttl", c.CodeTTL, minCodeTTL, maxCodeTTL, ": a code that lives longer gives more time to guess and to phish"),
		yamlconfig.CheckRange(path+".max_attempts", c.MaxAttempts, 1, maxMaxAttempts, ": a six-digit code must not get more guesses"),
		yamlconfig.CheckRange(path+".resend_interval", c.ResendInterval, minResendInterval, maxResendInterval, ""),
		yamlconfig.CheckRange(path+".daily_limit", c.DailyLimit, 1, maxDailyLimit, ": every code brings max_attempts more guesses"),
		yamlconfig.CheckRange(path+".ip_hourly_limit", c.IPHourlyLimit, 1, maxIPHourlyLimit, ""),
		yamlconfig.CheckRange(path+".unavailable_window", c.UnavailableWindow, minUnavailableWindow, maxUnavailableWindow, ""),
		yamlconfig.CheckRange(path+".unavailable_after", c.UnavailableAfter, 1, maxUnavailableAfter, ""),
		yamlconfig.CheckRange(path+".unavailable_percent", c.UnavailablePercent, 1, 100, ": it is a percentage"),
		yamlconfig.CheckACR(path+".acr", c.ACR, DefaultACR),
	)
}

func (a AliyunConfig) validate(path string) error {
	var errs []error
	if err := yamlconfig.CheckURL(a.Endpoint, false); err != nil {
		errs = append(errs, fmt.Errorf("%s.endpoint: %w", path, err))
	}
	for _, f := range []struct{ key, v string }{
		{"access_key_id", a.AccessKeyID}, {"access_key_secret", a.AccessKeySecret},
		{"sign_name", a.SignName}, {"template_code", a.TemplateCode}, {"region_id", a.RegionID},
	} {
		switch {
		case strings.TrimSpace(f.v) == "":
			errs = append(errs, fmt.Errorf("%s.%s: required", path, f.key))
		case f.key != "sign_name" && strings.ContainsFunc(f.v, func(r rune) bool { return r <= ' ' }):
			errs = append(errs, fmt.Errorf("%s.%s: must not contain spaces", path, f.key))
		}
	}
	return errors.Join(append(errs, yamlconfig.CheckRange(path+".timeout", a.Timeout, minTimeout, maxTimeout, ""))...)
}
