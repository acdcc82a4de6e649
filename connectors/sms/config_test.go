package sms

import (
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"github.com/gjjid/gjjid/connectors/connectorstest"
	"github.com/gjjid/gjjid/connectors/yamlconfig/yamlconfigtest"
)

const aliyunYAML = `sender:
  type: aliyun
  aliyun:
    access_key_id: LTAI5tExample
    access_key_secret: s3cret
    sign_name: 成都住房公积金
    template_code: SMS_123456789
`

func TestConfig(t *testing.T) {
	t.Parallel()
	logDefaults := defaultConfig()
	logDefaults.Sender = SenderConfig{Type: SenderLog}
	aliyunDefaults := defaultConfig()
	aliyunDefaults.Sender = SenderConfig{Type: SenderAliyun, Aliyun: &AliyunConfig{Endpoint: DefaultAliyunEndpoint,
		AccessKeyID: "LTAI5tExample", AccessKeySecret: "s3cret", SignName: "成都住房公积金", TemplateCode: "SMS_123456789",
		RegionID: DefaultAliyunRegion, Timeout: DefaultAliyunTimeout}}
	allSet := Config{CodeTTL: 10 * time.Minute, MaxAttempts: 3, ResendInterval: 90 * time.Second, DailyLimit: 5, IPHourlyLimit: 100, ACR: "gjj:loa:2",
		UnavailableWindow: 10 * time.Minute, UnavailableAfter: 5, UnavailablePercent: 80,
		Sender: SenderConfig{Type: SenderAliyun, Aliyun: &AliyunConfig{Endpoint: "http://127.0.0.1:8080", AccessKeyID: "id", AccessKeySecret: "secret",
			SignName: "公积金 中心", TemplateCode: "SMS_1", RegionID: "cn-shanghai", Timeout: 2 * time.Second}}}
	const p = "connectors[2].config"
	tests := []yamlconfigtest.Case[Config]{
		{Name: "log sender, all defaults", YAML: "sender: {type: log}", Want: logDefaults},
		{Name: "aliyun, defaults", YAML: aliyunYAML, Want: aliyunDefaults},
		{Name: "all set", YAML: `code_ttl: 10m
max_attempts: 3
resend_interval: 90s
daily_limit: 5
ip_hourly_limit: 100
acr: gjj:loa:2
unavailable_window: 10m
unavailable_after: 5
unavailable_percent: 80
sender:
  type: aliyun
  aliyun:
    endpoint: http://127.0.0.1:8080
    access_key_id: id
    access_key_secret: secret
    sign_name: 公积金 中心
    template_code: SMS_1
    region_id: cn-shanghai
    timeout: 2s`, Want: allSet},

		{Name: "unavailable_percent over 100", YAML: "unavailable_percent: 101\nsender: {type: log}", WantErr: []string{p + ".unavailable_percent: must be at most 100"}},
		{Name: "unavailable_window too short", YAML: "unavailable_window: 1s\nsender: {type: log}", WantErr: []string{p + ".unavailable_window: must be at least 30s"}},
		{Name: "absent", YAML: "", WantErr: []string{p + ".sender: required"}},
		{Name: "no sender", YAML: "code_ttl: 5m", WantErr: []string{p + ".sender: required"}},
		{Name: "sender without type", YAML: "sender: {}", WantErr: []string{p + ".sender.type: required: aliyun or log"}},
		{Name: "sender type unknown", YAML: "sender: {type: twilio}", WantErr: []string{p + `.sender.type: must be aliyun or log, got "twilio"`}},
		{Name: "sender not a mapping", YAML: "sender: log", WantErr: []string{p + ".sender: must be a mapping with the keys type, aliyun"}},
		{Name: "sender unknown key", YAML: "sender: {type: log, url: x}", WantErr: []string{p + ".sender.url: unknown key (line 2); known keys: type, aliyun"}},
		{Name: "aliyun block missing", YAML: "sender: {type: aliyun}", WantErr: []string{p + ".sender.aliyun: required with type aliyun"}},
		{Name: "aliyun block with log", YAML: "sender: {type: log, aliyun: {sign_name: x}}", WantErr: []string{p + ".sender.aliyun: only used with type aliyun"}},
		{Name: "aliyun fields required", YAML: "sender: {type: aliyun, aliyun: {region_id: \"\"}}", WantErr: []string{
			p + ".sender.aliyun.access_key_id: required", p + ".sender.aliyun.access_key_secret: required",
			p + ".sender.aliyun.sign_name: required", p + ".sender.aliyun.template_code: required", p + ".sender.aliyun.region_id: required",
		}},
		{Name: "aliyun sign_name missing", YAML: strings.Replace(aliyunYAML, "    sign_name: 成都住房公积金\n", "", 1), WantErr: []string{p + ".sender.aliyun.sign_name: required"}},
		{Name: "aliyun unknown key", YAML: aliyunYAML + "    secret: x\n", WantErr: []string{p + ".sender.aliyun.secret: unknown key (line 9); known keys: endpoint,"}},
		{Name: "aliyun endpoint http", YAML: aliyunYAML + "    endpoint: http://dysmsapi.aliyuncs.com/\n", WantErr: []string{p + ".sender.aliyun.endpoint: must be https (http only on 127.0.0.1"}},
		{Name: "aliyun endpoint relative", YAML: aliyunYAML + "    endpoint: dysmsapi.aliyuncs.com\n", WantErr: []string{p + ".sender.aliyun.endpoint: must be an absolute URL"}},
		{Name: "aliyun endpoint with query", YAML: aliyunYAML + "    endpoint: https://dysmsapi.aliyuncs.com/?a=b\n", WantErr: []string{p + ".sender.aliyun.endpoint: must have no query"}},
		{Name: "aliyun key id with space", YAML: strings.Replace(aliyunYAML, "LTAI5tExample", `"LTAI 5t"`, 1), WantErr: []string{p + ".sender.aliyun.access_key_id: must not contain spaces"}},
		{Name: "aliyun timeout", YAML: aliyunYAML + "    timeout: 10ms\n", WantErr: []string{p + ".sender.aliyun.timeout: must be at least 1s"}},
		{Name: "aliyun timeout garbage", YAML: aliyunYAML + "    timeout: soon\n", WantErr: []string{p + `.sender.aliyun.timeout: must be a duration such as 5s, got "soon" (line 9)`}},
		{Name: "aliyun not a mapping", YAML: "sender: {type: aliyun, aliyun: [x]}", WantErr: []string{p + ".sender.aliyun: must be a mapping with the keys endpoint,"}},

		{Name: "code_ttl too short", YAML: "code_ttl: 30s\nsender: {type: log}", WantErr: []string{p + ".code_ttl: must be at least 1m0s"}},
		{Name: "code_ttl too long", YAML: "code_ttl: 1h\nsender: {type: log}", WantErr: []string{p + ".code_ttl: must be at most 30m0s"}},
		{Name: "code_ttl without unit", YAML: "code_ttl: 5\nsender: {type: log}", WantErr: []string{p + `.code_ttl: must be a duration such as 5m, got "5" (line 2)`}},
		{Name: "max_attempts zero", YAML: "max_attempts: 0\nsender: {type: log}", WantErr: []string{p + ".max_attempts: must be at least 1"}},
		{Name: "max_attempts too high", YAML: "max_attempts: 100\nsender: {type: log}", WantErr: []string{p + ".max_attempts: must be at most 10"}},
		{Name: "max_attempts not a number", YAML: "max_attempts: five\nsender: {type: log}", WantErr: []string{p + `.max_attempts: must be a whole number such as 5, got "five"`}},
		{Name: "resend_interval too short", YAML: "resend_interval: 1s\nsender: {type: log}", WantErr: []string{p + ".resend_interval: must be at least 10s"}},
		{Name: "daily_limit too high", YAML: "daily_limit: 1000\nsender: {type: log}", WantErr: []string{p + ".daily_limit: must be at most 100"}},
		{Name: "ip_hourly_limit negative", YAML: "ip_hourly_limit: -1\nsender: {type: log}", WantErr: []string{p + ".ip_hourly_limit: must be at least 1"}},
		{Name: "acr with space", YAML: "acr: \"a b\"\nsender: {type: log}", WantErr: []string{p + ".acr: must not contain spaces"}},
		{Name: "acr empty", YAML: "acr: \"\"\nsender: {type: log}", WantErr: []string{p + ".acr: must not be empty"}},
		{Name: "unknown key", YAML: "code_tll: 5m\nsender: {type: log}", WantErr: []string{p + ".code_tll: unknown key (line 2); known keys: code_ttl,"}},
		{Name: "not a mapping", YAML: "- 5", WantErr: []string{p + ": must be a mapping with the keys code_ttl,"}},
		{Name: "every error at once", YAML: "code_ttl: 1s\nmax_attempts: 0\nextra: 1\nsender: {type: aliyun, aliyun: {sign_name: x}}", WantErr: []string{
			p + ".code_ttl:", p + ".max_attempts:", p + ".extra: unknown key", p + ".sender.aliyun.access_key_id: required", p + ".sender.aliyun.template_code: required",
		}},
	}
	yamlconfigtest.Run(t, p, tests, parseConfig)
}

func TestConfigDuplicateKey(t *testing.T) {
	t.Parallel()
	n := yamlconfigtest.Node(t, "code_ttl: 5m\nsender: {type: log}")
	n.Content = append(n.Content, n.Content[0], n.Content[1])
	if _, err := parseConfig(&n, "c"); err == nil || !strings.Contains(err.Error(), "c.code_ttl: given twice") {
		t.Errorf("duplicate key: error %v", err)
	}
}

func TestFactory(t *testing.T) {
	t.Parallel()
	key := connectors.Secrets{IDHashKey: []byte("k")}
	h := connectorstest.New()
	good := connectors.Deps{Accounts: h, Values: h, Counters: h, Secrets: key}
	tests := []connectorstest.FactoryCase{
		{Name: "opens with log sender", Deps: good, Config: "sender: {type: log}"},
		{Name: "opens with aliyun sender", Deps: good, Config: aliyunYAML},
		{Name: "bad config names its path", Deps: good,
			Config: strings.Replace(aliyunYAML, "    sign_name: 成都住房公积金\n", "", 1), WantErr: "connectors[2].config.sender.aliyun.sign_name: required"},
		{Name: "no directory", Deps: connectors.Deps{Values: h, Counters: h, Secrets: key}, Config: "sender: {type: log}", WantErr: "the host gave no Accounts"},
		{Name: "store without values", Deps: connectors.Deps{Accounts: h, Counters: h, Secrets: key}, Config: "sender: {type: log}", WantErr: "the host gave no Values"},
		{Name: "store without counters", Deps: connectors.Deps{Accounts: h, Values: h, Secrets: key}, Config: "sender: {type: log}", WantErr: "the host gave no Counters"},
		{Name: "no id hash key", Deps: connectors.Deps{Accounts: h, Values: h, Counters: h}, Config: "sender: {type: log}", WantErr: "the host gave no Secrets.IDHashKey"},
	}
	connectorstest.Factory(t, Factory, connectors.Spec{ID: "sms", Type: Type, Path: "connectors[2].config"}, tests, func(t *testing.T, c connectors.Connector) {
		if c.ID() != "sms" || c.Type() != "sms" || c.(*Connector).ACR() != DefaultACR {
			t.Errorf("ID, Type, ACR = %q, %q, %q", c.ID(), c.Type(), c.(*Connector).ACR())
		}
	})
}

func TestLogSenderWarnsAtOpen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		config   string
		wantWarn bool
	}{{"sender: {type: log}", true}, {aliyunYAML, false}} {
		log := &recLogger{}
		spec := connectors.Spec{ID: "sms", Type: Type, Config: yamlconfigtest.Node(t, tc.config)}
		deps := connectorstest.New().Deps()
		deps.Logger = log
		if _, err := Open(spec, deps); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(log.String(), "WARN sms connector writes codes to the log"); got != tc.wantWarn {
			t.Errorf("%s: warning logged %v, want %v:\n%s", tc.config, got, tc.wantWarn, log.String())
		}
	}
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	h := connectorstest.New()
	deps := connectors.Deps{Accounts: h, Values: h, Counters: h, Secrets: connectors.Secrets{IDHashKey: []byte("k")}, Logger: &recLogger{}}
	spec := connectors.Spec{ID: "sms", Type: Type, Config: yamlconfigtest.Node(t, "sender: {type: log}")}
	connectorstest.Labels(t, Factory, spec, deps, []connectorstest.Label{
		{Lang: "zh-CN", Want: "短信验证码登录"},
		{Lang: "en", Want: "Sign in with a text message code"},
		{Name: "手机验证码", Lang: "zh-CN", Want: "手机验证码"},
		{Name: "手机验证码", NameEN: "SMS code", Lang: "en", Want: "SMS code"},
	})
}
