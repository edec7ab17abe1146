{{/* The release's full name: the release name, or <release>-<chart> when the release name does not contain it. */}}
{{- define "relay.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Selector: stable across upgrades, and the same as the kustomize base's (infra/k8s/relay). */}}
{{- define "relay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "relay.fullname" . }}
{{- end -}}

{{- define "relay.labels" -}}
{{ include "relay.selectorLabels" . }}
app.kubernetes.io/part-of: instance-manager
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "relay.serviceAccountName" -}}
{{- default (include "relay.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "relay.leaseName" -}}
{{- default (include "relay.fullname" .) .Values.leaseName -}}
{{- end -}}

{{/* repository@digest when a digest is given, else repository:tag (tag defaults to the chart's appVersion). */}}
{{- define "relay.image" -}}
{{- $repo := required "image.repository is required: the registry path you pushed the relay image to (docs/operations/install.md)" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}
