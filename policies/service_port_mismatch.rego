# METADATA
# title: A Service targetPort that no selected container exposes
# description: |-
#   ## What it does
#   For each Service with a selector, finds the workloads (Deployment, StatefulSet, DaemonSet,
#   ReplicaSet, Job, CronJob, Pod) of the same namespace and cluster whose pod labels match it,
#   and checks every `targetPort`: a named port must be a container port name of a selected pod;
#   a numeric port must be one of their `containerPort`s when they declare any.
#
#   ## Why is this bad?
#   The Service has no ready endpoints for that port: requests time out or are refused, often
#   after a team renamed a port in its Deployment without telling the team that owns the Service.
#
#   ## Example
#   ```yaml
#   kind: Service
#   spec:
#     selector: {app: api}
#     ports: [{port: 80, targetPort: http}]   # the Deployment names its port `web`
#   ```
#
#   ## How to fix
#   Use a port name or number that the selected containers declare.
# custom:
#   code: GL313
#   name: service-port-mismatch
#   level: error
#   scope: repository
package gitops_lint.service_port_mismatch

import rego.v1

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

pod_template(obj) := obj.spec.template if workload_kinds[obj.kind]

pod_template(obj) := obj.spec.jobTemplate.spec.template if obj.kind == "CronJob"

pod_template(obj) := {"metadata": obj.metadata, "spec": obj.spec} if obj.kind == "Pod"

namespace(obj) := object.get(obj.metadata, "namespace", "")

# Ports declared by a pod template: {"numbers": {...}, "names": {...}}.
ports(template) := {
	"numbers": {p.containerPort | some c in template.spec.containers; some p in c.ports},
	"names": {p.name | some c in template.spec.containers; some p in c.ports; p.name},
}

pod_kinds := workload_kinds | {"CronJob", "Pod"}

# Pod templates by object index: labels and declared ports, computed once per workload.
pods[i] := pod if {
	some i, obj in input.objects
	pod_kinds[obj.kind]
	template := pod_template(obj)
	pod := {
		"cluster": object.get(obj, "cluster", ""),
		"namespace": namespace(obj),
		"labels": object.get(template.metadata, "labels", {}),
		"ports": ports(template),
	}
}

# Pod indexes by (cluster, namespace, label, value): one pass, no pairwise loop.
pods_by_label[key] contains i if {
	some i, pod in pods
	some k, v in pod.labels
	key := [pod.cluster, pod.namespace, k, v]
}

services contains svc if {
	some svc in input.objects
	svc.kind == "Service"
	svc.apiVersion == "v1"
	count(svc.spec.selector) > 0
}

# Where a Service looks for pods: its cluster, its namespace and its selector.
selection_key(svc) := [object.get(svc, "cluster", ""), namespace(svc), svc.spec.selector]

# What the pods selected by each distinct selector expose, computed once per selector (many
# Services share one) from the label index: no Service × workload loop. Comprehensions over the
# distinct keys, because a partial rule looked up by key is evaluated again for every lookup.
selection_keys := {selection_key(svc) | some svc in services}

selections := {key: summary |
	some key in selection_keys
	[cluster, ns, selector] := key
	first := sort(object.keys(selector))[0]
	matched := [pod |
		some i in pods_by_label[[cluster, ns, first, selector[first]]]
		pod := pods[i]
		every k, v in selector {
			pod.labels[k] == v
		}
	]
	count(matched) > 0
	summary := {
		"count": count(matched),
		"names": {n | some pod in matched; some n in pod.ports.names},
		"numbers": {n | some pod in matched; some n in pod.ports.numbers},
	}
}

exposed(selected, target) if {
	is_string(target)
	selected.names[target]
}

exposed(selected, target) if {
	is_number(target)
	selected.numbers[target]
}

# A numeric targetPort is only checked when the selected containers declare ports at all.
exposed(selected, target) if {
	is_number(target)
	count(selected.numbers) == 0
}

# Flux postBuild substitutes `${var}` later: nothing to compare yet.
exposed(_, target) if {
	is_string(target)
	contains(target, "${")
}

deny contains result if {
	some svc in services
	selected := selections[selection_key(svc)]
	some i, port in svc.spec.ports
	target := object.get(port, "targetPort", port.port)
	not exposed(selected, target)
	result := {
		"msg": sprintf("targetPort `%v` of Service `%s` is not a port of the %d selected pod template(s)", [target, svc.metadata.name, selected.count]),
		"object": {
			"kind": "Service",
			"namespace": namespace(svc),
			"name": svc.metadata.name,
			"file": object.get(svc, "file", ""),
			"line": object.get(svc, "line", 0),
		},
		"path": target_path(port, i),
	}
}

target_path(port, i) := sprintf("/spec/ports/%d/targetPort", [i]) if port.targetPort

target_path(port, i) := sprintf("/spec/ports/%d/port", [i]) if not port.targetPort
