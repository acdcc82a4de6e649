{{/* Names and labels. */}}
{{- define "gjjid.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "gjjid.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gjjid.labels" -}}
{{ include "gjjid.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The container port, from config.listen.addr. */}}
{{- define "gjjid.port" -}}
{{- $addr := .Values.config.listen.addr | default "0.0.0.0:5556" -}}
{{- last (splitList ":" $addr) -}}
{{- end -}}

{{/* store: from .Values.redis, in the config's store.redis keys. */}}
{{- define "gjjid.store" -}}
{{- $r := .Values.redis -}}
{{- $redis := dict "key_prefix" $r.keyPrefix "timeout" $r.timeout "tls" $r.tls -}}
{{- if eq $r.mode "standalone" -}}
{{- $_ := set $redis "url" (required "redis.url is required with redis.mode standalone" $r.url) -}}
{{- else if eq $r.mode "sentinel" -}}
{{- if not $r.addrs }}{{ fail "redis.addrs (the Sentinels) is required with redis.mode sentinel" }}{{ end -}}
{{- $_ := set $redis "addrs" $r.addrs -}}
{{- $_ := set $redis "master_name" (required "redis.masterName is required with redis.mode sentinel" $r.masterName) -}}
{{- $_ := set $redis "db" ($r.db | int) -}}
{{- else if eq $r.mode "cluster" -}}
{{- if not $r.addrs }}{{ fail "redis.addrs (Cluster nodes) is required with redis.mode cluster" }}{{ end -}}
{{- $_ := set $redis "addrs" $r.addrs -}}
{{- else -}}
{{- fail (printf "redis.mode %q: use standalone, sentinel or cluster" $r.mode) -}}
{{- end -}}
{{- if $r.username }}{{ $_ := set $redis "username" $r.username }}{{ end -}}
{{- if $r.passwordKey }}{{ $_ := set $redis "password" "${GJJID_REDIS_PASSWORD}" }}{{ end -}}
{{- toYaml (dict "type" "redis" "redis" $redis) -}}
{{- end -}}

{{/* The whole gjjid configuration file. */}}
{{- define "gjjid.config" -}}
{{- $cfg := deepCopy .Values.config -}}
{{- $_ := set $cfg "store" (include "gjjid.store" . | fromYaml) -}}
{{- toYaml $cfg -}}
{{- end -}}
