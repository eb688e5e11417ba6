# METADATA
# title: A cluster-scoped object is defined by two owners with different content
# description: |-
#   ## What it does
#   Finds cluster-scoped objects (ClusterRole, CustomResourceDefinition, PriorityClass,
#   StorageClass, webhooks, cluster-scoped custom resources …) that two owners define with
#   different content, among the files no Flux Kustomization applies (the owner is then the
#   top-level directory). Namespaces have their own rule, `namespace-owner-conflict`. For
#   objects Flux applies, the built-in rule `duplicate-object` reports any second copy in a
#   cluster, with both locations, so this rule leaves them alone rather than report it twice.
#   In a repository without any cluster (no Flux cluster roots, none configured) the rule says
#   nothing: its directories may be alternatives applied one at a time, not one deployment.
#
#   ## Why is this bad?
#   Cluster-scoped objects are shared by every team. Two Kustomizations applying different
#   versions fight over the object: every reconciliation overwrites the other team's version, and
#   a prune by one owner deletes it for both.
#
#   ## Example
#   ```yaml
#   # platform/rbac.yaml                 # apps/team-a/rbac.yaml
#   kind: ClusterRole                    kind: ClusterRole
#   metadata: {name: view-pods}          metadata: {name: view-pods}
#   rules: [{verbs: [get]}]              rules: [{verbs: [get, list]}]
#   ```
#
#   ## How to fix
#   Keep one definition, owned by one team, or give each copy its own name.
# custom:
#   code: GL312
#   name: duplicate-cluster-object
#   level: error
#   scope: repository
package gitops_lint.duplicate_cluster_object

import rego.v1

# Without a cluster (no Flux roots, none configured) directories are not deployed together.
has_clusters if count(object.get(input, "clusters", [])) > 0

# Kubernetes kinds that are cluster-scoped (Namespace has its own rule).
cluster_kinds := {
	"APIService", "CSIDriver", "CSINode", "CertificateSigningRequest", "ClusterRole",
	"ClusterRoleBinding", "CustomResourceDefinition", "FlowSchema", "IngressClass",
	"MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration",
	"PersistentVolume", "PriorityClass", "PriorityLevelConfiguration", "RuntimeClass",
	"StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
}

# Custom kinds that the repository's CRDs declare cluster-scoped.
crd_cluster_kinds contains [crd.spec.group, crd.spec.names.kind] if {
	some crd in input.objects
	crd.kind == "CustomResourceDefinition"
	crd.spec.scope == "Cluster"
}

group(api_version) := split(api_version, "/")[0] if contains(api_version, "/")

group(api_version) := "" if not contains(api_version, "/")

# Every kind that may be cluster-scoped: a cheap first filter before looking at groups.
candidate_kinds := cluster_kinds | {kind | some [_, kind] in crd_cluster_kinds}

cluster_scoped(obj, _) if cluster_kinds[obj.kind]

cluster_scoped(obj, g) if crd_cluster_kinds[[g, obj.kind]]

definitions contains d if {
	has_clusters
	some obj in input.objects
	candidate_kinds[obj.kind]
	object.get(obj, "cluster", null) == null # Flux-applied: `duplicate-object`
	g := group(obj.apiVersion)
	cluster_scoped(obj, g)
	d := {
		"key": [object.get(obj, "cluster", ""), g, obj.kind, obj.metadata.name],
		"owner": object.get(obj, "owner", ""),
		"content": object.remove(obj, ["file", "line", "owner", "cluster", "status"]),
		"object": {
			"apiVersion": obj.apiVersion,
			"kind": obj.kind,
			"name": obj.metadata.name,
			"file": object.get(obj, "file", ""),
			"line": object.get(obj, "line", 0),
		},
	}
}

owners[key] contains d.owner if {
	some d in definitions
	key := d.key
}

contents[key] contains d.content if {
	some d in definitions
	key := d.key
}

deny contains result if {
	some d in definitions
	others := owners[d.key] - {d.owner}
	count(others) > 0
	count(contents[d.key]) > 1
	result := {
		"msg": sprintf("%s `%s` is also defined, with different content, by owner %s", [
			d.key[2], d.key[3],
			concat(", ", [sprintf("`%s`", [o]) | some o in sort(others)]),
		]),
		"object": d.object,
		"path": "/metadata/name",
	}
}
