{{/* Names and labels shared by every object of a release. */}}
{{- define "anywhere.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "anywhere.selectorLabels" -}}
app.kubernetes.io/name: {{ include "anywhere.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: app
{{- end -}}

{{- define "anywhere.labels" -}}
{{ include "anywhere.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "anywhere.runtimeConfig" -}}
{{- if .Values.app.runtimeConfig.existingSecret -}}secret{{- else if .Values.app.runtimeConfig.inline -}}configmap{{- end -}}
{{- end -}}
