package sms

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gjjid/gjjid/connectors"
	"go.yaml.in/yaml/v3"
)

// configNode parses src the way the config package does: as the value of a
// connector's `config:` key.
func configNode(t *testing.T, src string) yaml.Node {
	t.Helper()
	var doc struct {
		Config yaml.Node `yaml:"config"`
	}
	if err := yaml.Unmarshal([]byte("config:\n"+indent(src)), &doc); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return doc.Config
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

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
	tests := []struct {
		name    string
		yaml    string
		want    Config
		wantErr []string // substrings, each must appear
	}{
		{name: "log sender, all defaults", yaml: "sender: {type: log}", want: logDefaults},
		{name: "aliyun, defaults", yaml: aliyunYAML, want: aliyunDefaults},
		{name: "all set", yaml: `code_ttl: 10m
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
    timeout: 2s`, want: allSet},

		{name: "unavailable_percent over 100", yaml: "unavailable_percent: 101\nsender: {type: log}", wantErr: []string{p + ".unavailable_percent: must be at most 100"}},
		{name: "unavailable_window too short", yaml: "unavailable_window: 1s\nsender: {type: log}", wantErr: []string{p + ".unavailable_window: must be at least 30s"}},
		{name: "absent", yaml: "", wantErr: []string{p + ".sender: required"}},
		{name: "no sender", yaml: "code_ttl: 5m", wantErr: []string{p + ".sender: required"}},
		{name: "sender without type", yaml: "sender: {}", wantErr: []string{p + ".sender.type: required: aliyun or log"}},
		{name: "sender type unknown", yaml: "sender: {type: twilio}", wantErr: []string{p + `.sender.type: must be aliyun or log, got "twilio"`}},
		{name: "sender not a mapping", yaml: "sender: log", wantErr: []string{p + ".sender: must be a mapping with the keys type, aliyun"}},
		{name: "sender unknown key", yaml: "sender: {type: log, url: x}", wantErr: []string{p + ".sender.url: unknown key (line 2); known keys: type, aliyun"}},
		{name: "aliyun block missing", yaml: "sender: {type: aliyun}", wantErr: []string{p + ".sender.aliyun: required with type aliyun"}},
		{name: "aliyun block with log", yaml: "sender: {type: log, aliyun: {sign_name: x}}", wantErr: []string{p + ".sender.aliyun: only used with type aliyun"}},
		{name: "aliyun fields required", yaml: "sender: {type: aliyun, aliyun: {region_id: \"\"}}", wantErr: []string{
			p + ".sender.aliyun.access_key_id: required", p + ".sender.aliyun.access_key_secret: required",
			p + ".sender.aliyun.sign_name: required", p + ".sender.aliyun.template_code: required", p + ".sender.aliyun.region_id: required",
		}},
		{name: "aliyun sign_name missing", yaml: strings.Replace(aliyunYAML, "    sign_name: 成都住房公积金\n", "", 1), wantErr: []string{p + ".sender.aliyun.sign_name: required"}},
		{name: "aliyun unknown key", yaml: aliyunYAML + "    secret: x\n", wantErr: []string{p + ".sender.aliyun.secret: unknown key (line 9); known keys: endpoint,"}},
		{name: "aliyun endpoint http", yaml: aliyunYAML + "    endpoint: http://dysmsapi.aliyuncs.com/\n", wantErr: []string{p + ".sender.aliyun.endpoint: must be https (http only on 127.0.0.1"}},
		{name: "aliyun endpoint relative", yaml: aliyunYAML + "    endpoint: dysmsapi.aliyuncs.com\n", wantErr: []string{p + ".sender.aliyun.endpoint: must be an absolute URL"}},
		{name: "aliyun endpoint with query", yaml: aliyunYAML + "    endpoint: https://dysmsapi.aliyuncs.com/?a=b\n", wantErr: []string{p + ".sender.aliyun.endpoint: must have no query"}},
		{name: "aliyun key id with space", yaml: strings.Replace(aliyunYAML, "LTAI5tExample", `"LTAI 5t"`, 1), wantErr: []string{p + ".sender.aliyun.access_key_id: must not contain spaces"}},
		{name: "aliyun timeout", yaml: aliyunYAML + "    timeout: 10ms\n", wantErr: []string{p + ".sender.aliyun.timeout: must be at least 1s"}},
		{name: "aliyun timeout garbage", yaml: aliyunYAML + "    timeout: soon\n", wantErr: []string{p + `.sender.aliyun.timeout: must be a duration such as 5s, got "soon" (line 9)`}},
		{name: "aliyun not a mapping", yaml: "sender: {type: aliyun, aliyun: [x]}", wantErr: []string{p + ".sender.aliyun: must be a mapping with the keys endpoint,"}},

		{name: "code_ttl too short", yaml: "code_ttl: 30s\nsender: {type: log}", wantErr: []string{p + ".code_ttl: must be at least 1m0s"}},
		{name: "code_ttl too long", yaml: "code_ttl: 1h\nsender: {type: log}", wantErr: []string{p + ".code_ttl: must be at most 30m0s"}},
		{name: "code_ttl without unit", yaml: "code_ttl: 5\nsender: {type: log}", wantErr: []string{p + `.code_ttl: must be a duration such as 5m, got "5" (line 2)`}},
		{name: "max_attempts zero", yaml: "max_attempts: 0\nsender: {type: log}", wantErr: []string{p + ".max_attempts: must be at least 1"}},
		{name: "max_attempts too high", yaml: "max_attempts: 100\nsender: {type: log}", wantErr: []string{p + ".max_attempts: must be at most 10"}},
		{name: "max_attempts not a number", yaml: "max_attempts: five\nsender: {type: log}", wantErr: []string{p + `.max_attempts: must be a whole number such as 5, got "five"`}},
		{name: "resend_interval too short", yaml: "resend_interval: 1s\nsender: {type: log}", wantErr: []string{p + ".resend_interval: must be at least 10s"}},
		{name: "daily_limit too high", yaml: "daily_limit: 1000\nsender: {type: log}", wantErr: []string{p + ".daily_limit: must be at most 100"}},
		{name: "ip_hourly_limit negative", yaml: "ip_hourly_limit: -1\nsender: {type: log}", wantErr: []string{p + ".ip_hourly_limit: must be at least 1"}},
		{name: "acr with space", yaml: "acr: \"a b\"\nsender: {type: log}", wantErr: []string{p + ".acr: must not contain spaces"}},
		{name: "acr empty", yaml: "acr: \"\"\nsender: {type: log}", wantErr: []string{p + ".acr: must not be empty"}},
		{name: "unknown key", yaml: "code_tll: 5m\nsender: {type: log}", wantErr: []string{p + ".code_tll: unknown key (line 2); known keys: code_ttl,"}},
		{name: "not a mapping", yaml: "- 5", wantErr: []string{p + ": must be a mapping with the keys code_ttl,"}},
		{name: "every error at once", yaml: "code_ttl: 1s\nmax_attempts: 0\nextra: 1\nsender: {type: aliyun, aliyun: {sign_name: x}}", wantErr: []string{
			p + ".code_ttl:", p + ".max_attempts:", p + ".extra: unknown key", p + ".sender.aliyun.access_key_id: required", p + ".sender.aliyun.template_code: required",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := configNode(t, tt.yaml)
			got, err := parseConfig(&n, p)
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("parseConfig: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("parseConfig = %+v (aliyun %+v), want %+v (aliyun %+v)", got, got.Sender.Aliyun, tt.want, tt.want.Sender.Aliyun)
				}
				return
			}
			if err == nil {
				t.Fatalf("parseConfig accepted %q as %+v", tt.yaml, got)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestConfigDuplicateKey(t *testing.T) {
	t.Parallel()
	n := configNode(t, "code_ttl: 5m\nsender: {type: log}")
	n.Content = append(n.Content, n.Content[0], n.Content[1])
	if _, err := parseConfig(&n, "c"); err == nil || !strings.Contains(err.Error(), "c.code_ttl: given twice") {
		t.Errorf("duplicate key: error %v", err)
	}
}

func TestFactory(t *testing.T) {
	t.Parallel()
	key := connectors.Secrets{IDHashKey: []byte("k")}
	good := Options{Directory: &fakeDirectory{}, IsNotFound: isNotFound}
	tests := []struct {
		name    string
		opts    Options
		deps    connectors.Deps
		config  string
		wantErr string
	}{
		{name: "opens with log sender", opts: good, deps: connectors.Deps{Store: newFakeStore(), Secrets: key}, config: "sender: {type: log}"},
		{name: "opens with aliyun sender", opts: good, deps: connectors.Deps{Store: newFakeStore(), Secrets: key}, config: aliyunYAML},
		{name: "bad config names its path", opts: good, deps: connectors.Deps{Store: newFakeStore(), Secrets: key},
			config: strings.Replace(aliyunYAML, "    sign_name: 成都住房公积金\n", "", 1), wantErr: "connectors[2].config.sender.aliyun.sign_name: required"},
		{name: "no directory", opts: Options{IsNotFound: isNotFound}, deps: connectors.Deps{Store: newFakeStore(), Secrets: key}, config: "sender: {type: log}", wantErr: "no account directory"},
		{name: "no IsNotFound", opts: Options{Directory: &fakeDirectory{}}, deps: connectors.Deps{Store: newFakeStore(), Secrets: key}, config: "sender: {type: log}", wantErr: "no IsNotFound"},
		{name: "store without values", opts: good, deps: connectors.Deps{Store: struct{}{}, Secrets: key}, config: "sender: {type: log}", wantErr: "has no short-lived values and counters"},
		{name: "no id hash key", opts: good, deps: connectors.Deps{Store: newFakeStore()}, config: "sender: {type: log}", wantErr: "secrets.id_hash_key is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := connectors.Registry{Type: Factory(tt.opts)}
			spec := connectors.Spec{ID: "sms", Type: Type, Path: "connectors[2].config", Config: configNode(t, tt.config)}
			cs, errs := reg.Open([]connectors.Spec{spec}, tt.deps)
			if tt.wantErr == "" {
				if len(errs) != 0 || len(cs) != 1 {
					t.Fatalf("Open: %v", errs)
				}
				c := cs[0].(*Connector)
				if c.ID() != "sms" || c.Type() != "sms" || c.ACR() != DefaultACR {
					t.Errorf("ID, Type, ACR = %q, %q, %q", c.ID(), c.Type(), c.ACR())
				}
				return
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr) || len(cs) != 0 {
				t.Fatalf("Open = %v, %v; want one error with %q", cs, errs, tt.wantErr)
			}
		})
	}
}

func TestLogSenderWarnsAtOpen(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		config   string
		wantWarn bool
	}{{"sender: {type: log}", true}, {aliyunYAML, false}} {
		log := &recLogger{}
		spec := connectors.Spec{ID: "sms", Type: Type, Config: configNode(t, tc.config)}
		if _, err := Open(spec, connectors.Deps{Store: newFakeStore(), Secrets: connectors.Secrets{IDHashKey: []byte("k")}, Logger: log},
			Options{Directory: &fakeDirectory{}, IsNotFound: isNotFound}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(log.text(), "WARN sms connector writes codes to the log"); got != tc.wantWarn {
			t.Errorf("%s: warning logged %v, want %v:\n%s", tc.config, got, tc.wantWarn, log.text())
		}
	}
}

func TestDisplayName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, nameEN, lang, want string }{
		{"", "", "zh-CN", "短信验证码登录"},
		{"", "", "en", "Sign in with a text message code"},
		{"手机验证码", "", "zh-CN", "手机验证码"},
		{"手机验证码", "SMS code", "en", "SMS code"},
	} {
		c := &Connector{name: tc.name, nameEN: tc.nameEN}
		if got := c.DisplayName(tc.lang); got != tc.want {
			t.Errorf("DisplayName(%q) with name %q = %q, want %q", tc.lang, tc.name, got, tc.want)
		}
	}
}
