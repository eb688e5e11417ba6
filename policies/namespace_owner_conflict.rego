# METADATA
# title: Two owners create the same Namespace
# description: |-
#   ## What it does
#   Finds a Namespace that two owners both define, among the files no Flux Kustomization
#   applies (the owner is then the top-level directory). For objects Flux applies, the
#   built-in rule `duplicate-object` reports the same problem, with both locations, so this
#   rule leaves them alone rather than report it twice. In a repository without any cluster
#   (no Flux cluster roots, none configured) the rule says nothing: its directories may be
#   alternatives applied one at a time, not one deployment.
#
#   ## Why is this bad?
#   Both Kustomizations manage the object: labels and annotations flap between the two
#   versions, and when one team prunes its copy, Flux deletes the Namespace and everything the
#   other team runs in it.
#
#   ## Example
#   ```yaml
#   # infrastructure/monitoring/namespace.yaml and apps/team-a/namespace.yaml
#   apiVersion: v1
#   kind: Namespace
#   metadata:
#     name: monitoring
#   ```
#
#   ## How to fix
#   Let one owner (usually the platform team) create the Namespace; others depend on it with
#   `dependsOn`.
# custom:
#   code: GL311
#   name: namespace-owner-conflict
#   level: error
#   scope: repository
package gitops_lint.namespace_owner_conflict

import rego.v1

# Without a cluster (no Flux roots, none configured) directories are not deployed together.
has_clusters if count(object.get(input, "clusters", [])) > 0

namespaces contains ns if {
	has_clusters
	some obj in input.objects
	obj.kind == "Namespace"
	obj.apiVersion == "v1"
	object.get(obj, "cluster", null) == null # Flux-applied: `duplicate-object`
	ns := {
		"key": [object.get(obj, "cluster", ""), obj.metadata.name],
		"owner": object.get(obj, "owner", ""),
		"object": {
			"kind": "Namespace",
			"name": obj.metadata.name,
			"file": object.get(obj, "file", ""),
			"line": object.get(obj, "line", 0),
		},
	}
}

owners[key] contains owner if {
	some ns in namespaces
	key := ns.key
	owner := ns.owner
}

deny contains result if {
	some ns in namespaces
	others := owners[ns.key] - {ns.owner}
	count(others) > 0
	result := {
		"msg": sprintf("Namespace `%s` is also created by owner %s", [
			ns.key[1],
			concat(", ", [sprintf("`%s`", [o]) | some o in sort(others)]),
		]),
		"object": ns.object,
		"path": "/metadata/name",
	}
}
