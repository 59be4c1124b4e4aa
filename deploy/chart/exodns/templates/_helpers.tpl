{{/* Names, as upstream's chart forms them, so existing selectors keep working. */}}
{{- define "exodns.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "exodns.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "exodns.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{- define "exodns.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "exodns.selectorLabels" -}}
app.kubernetes.io/name: {{ include "exodns.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "exodns.labels" -}}
helm.sh/chart: {{ include "exodns.chart" . }}
{{ include "exodns.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "exodns.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "exodns.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "exodns.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* provider.name, or the older string form `provider: aws`. */}}
{{- define "exodns.provider" -}}
{{- if kindIs "string" .Values.provider }}
{{- .Values.provider }}
{{- else }}
{{- .Values.provider.name | default "aws" }}
{{- end }}
{{- end }}

{{/* replicas, or upstream's replicaCount; 1 when neither is set. */}}
{{- define "exodns.replicas" -}}
{{- $r := .Values.replicas }}
{{- if kindIs "invalid" $r }}{{ $r = .Values.replicaCount }}{{ end }}
{{- if kindIs "invalid" $r }}{{ $r = 1 }}{{ end }}
{{- int $r }}
{{- end }}

{{- define "exodns.leaderElect" -}}
{{- if kindIs "bool" .Values.leaderElection.enabled }}
{{- .Values.leaderElection.enabled }}
{{- else }}
{{- gt (int (include "exodns.replicas" .)) 1 }}
{{- end }}
{{- end }}

{{- define "exodns.pdb" -}}
{{- if kindIs "bool" .Values.podDisruptionBudget.enabled }}
{{- .Values.podDisruptionBudget.enabled }}
{{- else }}
{{- gt (int (include "exodns.replicas" .)) 1 }}
{{- end }}
{{- end }}

{{/* The Lease's name, as exodns names it: passed explicitly so that RBAC and
the command agree. */}}
{{- define "exodns.leaseName" -}}
{{- .Values.leaderElection.leaseName | default (printf "exodns-leader-%s" (.Values.txtOwnerId | default "default")) }}
{{- end }}

{{- define "exodns.policy" -}}
{{- .Values.policy | default "upsert-only" }}
{{- end }}

{{/* Upstream's logLevel names; "warning" is exodns's "warn". */}}
{{- define "exodns.logLevel" -}}
{{- $l := lower (toString .Values.logLevel) }}
{{- if eq $l "warning" }}warn{{ else }}{{ $l }}{{ end }}
{{- end }}

{{- define "exodns.embeddedZones" -}}
{{- $z := .Values.embedded.zones | default .Values.domainFilters | default list }}
{{- toJson $z }}
{{- end }}

{{- define "exodns.isEmbedded" -}}
{{- eq (include "exodns.provider" .) "embedded" }}
{{- end }}

{{- define "exodns.pvc" -}}
{{- and (eq (include "exodns.isEmbedded" .) "true") (eq .Values.embedded.storage.type "persistentVolumeClaim") }}
{{- end }}

{{/* Sources that read the Kubernetes API (all but manifest). */}}
{{- define "exodns.kubeSources" -}}
{{- $out := list }}
{{- range .Values.sources }}{{ if ne . "manifest" }}{{ $out = append $out . }}{{ end }}{{ end }}
{{- toJson $out }}
{{- end }}

{{/*
The flags the chart itself sets, as a list of [flag, value] pairs in a fixed
order; a value of null gives the bare flag. A flag that extraArgs sets as a
map key is left out here, so the map's value overrides it.
*/}}
{{- define "exodns.baseArgs" -}}
{{- $a := list }}
{{- $a = append $a (list "log-level" (include "exodns.logLevel" .)) }}
{{- $a = append $a (list "log-format" .Values.logFormat) }}
{{- $a = append $a (list "interval" .Values.interval) }}
{{- if .Values.triggerLoopOnEvent }}{{ $a = append $a (list "events" nil) }}{{ end }}
{{- range .Values.sources }}{{ $a = append $a (list "source" .) }}{{ end }}
{{- $a = append $a (list "policy" (include "exodns.policy" .)) }}
{{- $a = append $a (list "registry" .Values.registry) }}
{{- with .Values.txtOwnerId }}{{ $a = append $a (list "txt-owner-id" .) }}{{ end }}
{{- with .Values.txtPrefix }}{{ $a = append $a (list "txt-prefix" .) }}{{ end }}
{{- with .Values.txtSuffix }}{{ $a = append $a (list "txt-suffix" .) }}{{ end }}
{{- if .Values.namespaced }}
{{- $a = append $a (list "namespace" (include "exodns.namespace" .)) }}
{{- else if .Values.sourceNamespace }}
{{- $a = append $a (list "namespace" .Values.sourceNamespace) }}
{{- end }}
{{- with .Values.gatewayNamespace }}{{ $a = append $a (list "gateway-namespace" .) }}{{ end }}
{{- if .Values.enableGatewayListenerSets }}{{ $a = append $a (list "gateway-listener-sets" nil) }}{{ end }}
{{- range .Values.domainFilters }}{{ $a = append $a (list "domain-filter" .) }}{{ end }}
{{- range .Values.excludeDomains }}{{ $a = append $a (list "exclude-domains" .) }}{{ end }}
{{- with .Values.labelFilter }}{{ $a = append $a (list "label-filter" .) }}{{ end }}
{{- with .Values.annotationFilter }}{{ $a = append $a (list "annotation-filter" .) }}{{ end }}
{{- with .Values.annotationPrefix }}{{ $a = append $a (list "annotation-prefix" .) }}{{ end }}
{{- range .Values.managedRecordTypes }}{{ $a = append $a (list "managed-record-types" .) }}{{ end }}
{{- $a = append $a (list "provider" (include "exodns.provider" .)) }}
{{- $a = append $a (list "metrics-address" ":7979") }}
{{- if eq (include "exodns.leaderElect" .) "true" }}
{{- $a = append $a (list "leader-elect" nil) }}
{{- $a = append $a (list "leader-election-id" (include "exodns.leaseName" .)) }}
{{- end }}
{{- if eq (include "exodns.isEmbedded" .) "true" }}
{{- range (include "exodns.embeddedZones" . | fromJsonArray) }}{{ $a = append $a (list "embedded-zone" .) }}{{ end }}
{{- range .Values.embedded.nameservers }}{{ $a = append $a (list "embedded-nameserver" .) }}{{ end }}
{{- $a = append $a (list "embedded-listen" (printf ":%d" (int .Values.embedded.containerPort))) }}
{{- $a = append $a (list "embedded-db" "/var/lib/exodns/embedded.db") }}
{{- end }}
{{- toJson $a }}
{{- end }}

{{/* The container's args: the chart's flags, then extraArgs. */}}
{{- define "exodns.args" -}}
{{- $overridden := dict }}
{{- if kindIs "map" .Values.extraArgs }}
{{- range $k, $v := .Values.extraArgs }}{{ $_ := set $overridden (trimPrefix "--" $k) true }}{{ end }}
{{- end }}
{{- $out := list }}
{{- range (include "exodns.baseArgs" . | fromJsonArray) }}
{{- $flag := index . 0 }}
{{- if not (hasKey $overridden $flag) }}
{{- if kindIs "invalid" (index . 1) }}
{{- $out = append $out (printf "--%s" $flag) }}
{{- else }}
{{- $out = append $out (printf "--%s=%v" $flag (index . 1)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if kindIs "map" .Values.extraArgs }}
{{- range $k, $v := .Values.extraArgs }}
{{- $flag := trimPrefix "--" $k }}
{{- if kindIs "slice" $v }}
{{- range $v }}{{ $out = append $out (printf "--%s=%s" $flag (tpl (toString .) $)) }}{{ end }}
{{- else if or (kindIs "invalid" $v) (eq (toString $v) "") }}
{{- $out = append $out (printf "--%s" $flag) }}
{{- else }}
{{- $out = append $out (printf "--%s=%s" $flag (tpl (toString $v) $)) }}
{{- end }}
{{- end }}
{{- else }}
{{- range .Values.extraArgs }}{{ $out = append $out (tpl (toString .) $) }}{{ end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/*
RBAC rules for what the enabled sources read, as JSON: "namespaced" rules
can live in a Role, "cluster" rules only in a ClusterRole.
*/}}
{{- define "exodns.rules" -}}
{{- $ns := list }}
{{- $cl := list }}
{{- $src := .Values.sources }}
{{- if has "service" $src }}
{{- $ns = append $ns (dict "apiGroups" (list "") "resources" (list "services" "pods") "verbs" (list "get" "list" "watch")) }}
{{- /* NodePort Services publish node addresses */ -}}
{{- $cl = append $cl (dict "apiGroups" (list "") "resources" (list "nodes") "verbs" (list "get" "list" "watch")) }}
{{- end }}
{{- if has "ingress" $src }}
{{- $ns = append $ns (dict "apiGroups" (list "networking.k8s.io") "resources" (list "ingresses") "verbs" (list "get" "list" "watch")) }}
{{- end }}
{{- if has "crd" $src }}
{{- $groups := list "externaldns.k8s.io" "externaldns.nginx.org" }}
{{- $ns = append $ns (dict "apiGroups" $groups "resources" (list "dnsendpoints") "verbs" (list "get" "list" "watch")) }}
{{- $ns = append $ns (dict "apiGroups" $groups "resources" (list "dnsendpoints/status") "verbs" (list "update")) }}
{{- end }}
{{- $routes := list }}
{{- range $src }}{{ if hasPrefix "gateway-" . }}{{ $routes = append $routes (printf "%ss" (trimPrefix "gateway-" .)) }}{{ end }}{{ end }}
{{- if $routes }}
{{- $res := concat $routes (list "gateways") }}
{{- if .Values.enableGatewayListenerSets }}{{ $res = append $res "listenersets" }}{{ end }}
{{- $ns = append $ns (dict "apiGroups" (list "gateway.networking.k8s.io") "resources" $res "verbs" (list "get" "list" "watch")) }}
{{- /* a listener's allowedRoutes may select namespaces by label */ -}}
{{- $cl = append $cl (dict "apiGroups" (list "") "resources" (list "namespaces") "verbs" (list "get" "list" "watch")) }}
{{- end }}
{{- if include "exodns.kubeSources" . | fromJsonArray }}
{{- /* Events on objects: invalid input, conflicts, record changes */ -}}
{{- $ns = append $ns (dict "apiGroups" (list "") "resources" (list "events") "verbs" (list "create" "patch" "update")) }}
{{- end }}
{{- toJson (dict "namespaced" $ns "cluster" $cl) }}
{{- end }}

{{- define "exodns.strategy" -}}
{{- if .Values.deploymentStrategy }}
{{- toJson .Values.deploymentStrategy }}
{{- else if gt (int (include "exodns.replicas" .)) 1 }}
{{- toJson (dict "type" "RollingUpdate" "rollingUpdate" (dict "maxSurge" 1 "maxUnavailable" 0)) }}
{{- else }}
{{- toJson (dict "type" "Recreate") }}
{{- end }}
{{- end }}
