{{- define "target-api.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "target-api.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "target-api.labels" -}}
{{ include "target-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: perflab
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- /*
Replicas of the Deployment. Without autoscaling: replicaCount. With it, the HPA owns the count,
but a Deployment without `replicas` starts at 1: Helm's wait is satisfied by that one pod, and the
lab stays below its floor until the HPA controller's next sync raises it (it does so even without
metrics, when the controller-manager runs it at all). So the Deployment starts at
autoscaling.minReplicas, and on an upgrade keeps what the HPA has scaled it to (read from the
cluster; `helm template` sees no cluster and renders the floor).
*/ -}}
{{- define "target-api.replicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- $floor := int .Values.autoscaling.minReplicas -}}
{{- $live := lookup "apps/v1" "Deployment" .Release.Namespace (include "target-api.fullname" .) -}}
{{- $current := 0 -}}
{{- if and $live $live.spec -}}{{- $current = int (default 0 $live.spec.replicas) -}}{{- end -}}
{{- max $floor $current -}}
{{- else -}}
{{- .Values.replicaCount -}}
{{- end -}}
{{- end -}}
