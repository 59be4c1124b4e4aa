{{/*
Every value the chart cannot honour fails the install here, all at once,
with a message naming the value: an upstream value exodns has no
counterpart for must never be ignored silently.
*/}}
{{- define "exodns.validate" -}}
{{- $errs := list }}
{{- $provider := include "exodns.provider" . }}
{{- /* files/*.txt list what the exodns binary accepts; test/deploy keeps them in step */ -}}
{{- $providers := .Files.Get "files/providers.txt" | trim | splitList "\n" }}
{{- if not (has $provider $providers) }}
{{- $errs = append $errs (printf "provider.name=%s: exodns has no such provider; its providers are %s" $provider (join ", " $providers)) }}
{{- end }}
{{- $registries := .Files.Get "files/registries.txt" | trim | splitList "\n" }}
{{- if not (has .Values.registry $registries) }}
{{- $errs = append $errs (printf "registry=%s: exodns has no such registry; its registries are %s" .Values.registry (join ", " $registries)) }}
{{- end }}
{{- $policy := include "exodns.policy" . }}
{{- if not (has $policy (list "sync" "upsert-only" "create-only")) }}
{{- $errs = append $errs (printf "policy=%s: must be sync, upsert-only or create-only" $policy) }}
{{- end }}
{{- $level := include "exodns.logLevel" . }}
{{- if not (has $level (list "debug" "info" "warn" "error")) }}
{{- $errs = append $errs (printf "logLevel=%s: exodns logs at debug, info, warning or error (it has no panic or fatal level; error is the quietest)" .Values.logLevel) }}
{{- end }}
{{- if not (has .Values.logFormat (list "text" "json")) }}
{{- $errs = append $errs (printf "logFormat=%s: must be text or json" .Values.logFormat) }}
{{- end }}
{{- $known := .Files.Get "files/sources.txt" | trim | splitList "\n" }}
{{- if not .Values.sources }}
{{- $errs = append $errs "sources: at least one source is needed" }}
{{- end }}
{{- range .Values.sources }}
{{- if not (has . $known) }}
{{- $errs = append $errs (printf "sources: %q is not an exodns source; exodns reads %s" . (join ", " $known)) }}
{{- end }}
{{- end }}
{{- if and .Values.txtPrefix .Values.txtSuffix }}
{{- $errs = append $errs "txtPrefix and txtSuffix: set one of them; upstream's chart would drop txtSuffix without a word, and the ownership records would not be the ones you expect" }}
{{- end }}
{{- if and .Values.namespaced .Values.sourceNamespace (ne .Values.sourceNamespace (include "exodns.namespace" .)) }}
{{- $errs = append $errs (printf "namespaced=true watches the release namespace %s, but sourceNamespace is %s" (include "exodns.namespace" .) .Values.sourceNamespace) }}
{{- end }}
{{- if .Values.secretConfiguration.enabled }}
{{- if not .Values.secretConfiguration.mountPath }}
{{- $errs = append $errs "secretConfiguration.enabled needs secretConfiguration.mountPath" }}
{{- end }}
{{- end }}
{{- if and .Values.extraContainers (not (kindIs "slice" .Values.extraContainers)) }}
{{- $errs = append $errs "extraContainers must be a list of containers" }}
{{- end }}

{{- /* replicas */ -}}
{{- if and (not (kindIs "invalid" .Values.replicas)) (not (kindIs "invalid" .Values.replicaCount)) (ne (int .Values.replicas) (int .Values.replicaCount)) }}
{{- $errs = append $errs (printf "replicas=%v and replicaCount=%v disagree; set one of them" .Values.replicas .Values.replicaCount) }}
{{- end }}
{{- $replicas := int (include "exodns.replicas" .) }}
{{- if lt $replicas 1 }}
{{- $errs = append $errs "replicas must be at least 1" }}
{{- end }}
{{- if and (gt $replicas 1) (eq (include "exodns.leaderElect" .) "false") }}
{{- $errs = append $errs (printf "replicas=%d with leaderElection.enabled=false: every replica would write the same records; leave leaderElection.enabled unset" $replicas) }}
{{- end }}
{{- if and (eq (include "exodns.leaderElect" .) "true") (not (include "exodns.kubeSources" . | fromJsonArray)) }}
{{- $errs = append $errs "leader election needs a Kubernetes source (service, ingress, crd, gateway-*): the Lease is kept in the API server" }}
{{- end }}

{{- /* webhook: the provider may run anywhere; this chart does not render upstream's sidecar */ -}}
{{- if and (eq $provider "webhook") (.Values.provider.webhook | default dict).image }}
{{- $errs = append $errs "provider.webhook.image: this chart does not render upstream's webhook sidecar yet; run the webhook provider apart (for exodns's own providers: exodns webhook) and set --webhook-provider-url in extraArgs" }}
{{- end }}

{{- /* embedded */ -}}
{{- if eq $provider "embedded" }}
{{- if not (include "exodns.embeddedZones" . | fromJsonArray) }}
{{- $errs = append $errs "provider.name=embedded needs embedded.zones (or domainFilters): the zones the server is authoritative for" }}
{{- end }}
{{- $st := .Values.embedded.storage.type }}
{{- if not (has $st (list "emptyDir" "persistentVolumeClaim")) }}
{{- $errs = append $errs (printf "embedded.storage.type=%s: must be emptyDir or persistentVolumeClaim" $st) }}
{{- end }}
{{- if and (eq $st "persistentVolumeClaim") (gt $replicas 1) }}
{{- $errs = append $errs "embedded.storage.type=persistentVolumeClaim holds one replica's store (the file is locked by its writer); with replicas > 1 use emptyDir: each replica fills its own store from the sources" }}
{{- end }}
{{- if and (eq $st "persistentVolumeClaim") (ne (include "exodns.strategy" . | fromJson).type "Recreate") }}
{{- $errs = append $errs "embedded.storage.type=persistentVolumeClaim needs deploymentStrategy.type=Recreate: a new pod cannot open the store while the old one holds it" }}
{{- end }}
{{- if and .Values.embedded.tsigKeySecret.name (not .Values.embedded.tsigKeySecret.key) }}
{{- $errs = append $errs "embedded.tsigKeySecret.name needs embedded.tsigKeySecret.key" }}
{{- end }}
{{- end }}

{{- /* extraArgs: only flags exodns knows, and nothing the chart owns */ -}}
{{- $flags := .Files.Get "files/flags.txt" | trim | splitList "\n" }}
{{- $owned := list "metrics-address" "embedded-listen" "embedded-db" }}
{{- $names := list }}
{{- if kindIs "map" .Values.extraArgs }}
{{- range $k, $_ := .Values.extraArgs }}{{ $names = append $names (trimPrefix "--" $k) }}{{ end }}
{{- else if kindIs "slice" .Values.extraArgs }}
{{- range .Values.extraArgs }}
{{- $s := toString . }}
{{- if not (hasPrefix "--" $s) }}
{{- $errs = append $errs (printf "extraArgs: %q is not a flag (--name=value)" $s) }}
{{- else }}
{{- $names = append $names (regexReplaceAll "=.*$" (trimPrefix "--" $s) "") }}
{{- end }}
{{- end }}
{{- else if .Values.extraArgs }}
{{- $errs = append $errs "extraArgs must be a list or a map" }}
{{- end }}
{{- range $names }}
{{- if not (has . $flags) }}
{{- $errs = append $errs (printf "extraArgs: --%s is not an exodns flag (exodns --help lists them)" .) }}
{{- else if has . $owned }}
{{- $errs = append $errs (printf "extraArgs: --%s is set by the chart (ports, probes and volumes depend on it)" .) }}
{{- end }}
{{- end }}
{{- if and (has "manifest" .Values.sources) (not (has "manifest-path" $names)) }}
{{- $errs = append $errs "sources: manifest needs --manifest-path in extraArgs (and the files in extraVolumes)" }}
{{- end }}

{{- if $errs }}
{{- fail (printf "\n\nexodns cannot honour these values:\n  - %s\n" (join "\n  - " $errs)) }}
{{- end }}
{{- end }}
