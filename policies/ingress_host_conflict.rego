# METADATA
# title: Two owners route the same Ingress host and path
# description: |-
#   ## What it does
#   Finds Ingress rules whose host and path are claimed by Ingresses of two different owners
#   (Flux Kustomizations, or top-level directories when no Kustomization applies them) in the
#   same cluster.
#
#   ## Why is this bad?
#   Ingress controllers resolve such conflicts silently: one team's traffic goes to the other
#   team's Service, depending on creation order or controller-specific tie breaks.
#
#   ## Example
#   ```yaml
#   # apps/team-a/ingress.yaml          # apps/team-b/ingress.yaml
#   rules:                               rules:
#     - host: shop.example.com             - host: shop.example.com
#       http: {paths: [{path: /}]}           http: {paths: [{path: /}]}
#   ```
#
#   ## How to fix
#   Give each team its own host or path prefix, or move the route into one owner's Ingress.
# custom:
#   code: GL310
#   name: ingress-host-conflict
#   level: error
#   scope: repository
package gitops_lint.ingress_host_conflict

import rego.v1

# One claim per (Ingress, host, path). A rule without host matches every host: `*`.
claims contains claim if {
	some obj in input.objects
	obj.kind == "Ingress"
	some i, rule in obj.spec.rules
	some j, p in rule.http.paths
	host := object.get(rule, "host", "*")
	claim := {
		"key": [object.get(obj, "cluster", ""), host, object.get(p, "path", "/")],
		"owner": object.get(obj, "owner", ""),
		"object": ref(obj),
		"path": pointer(rule, i, j),
	}
}

pointer(rule, i, _) := sprintf("/spec/rules/%d/host", [i]) if rule.host

pointer(rule, i, j) := sprintf("/spec/rules/%d/http/paths/%d", [i, j]) if not rule.host

ref(obj) := {
	"kind": obj.kind,
	"namespace": object.get(obj.metadata, "namespace", ""),
	"name": obj.metadata.name,
	"file": object.get(obj, "file", ""),
	"line": object.get(obj, "line", 0),
}

# Owners per (cluster, host, path), built in one pass over the claims.
owners[key] contains owner if {
	some claim in claims
	key := claim.key
	owner := claim.owner
}

deny contains result if {
	some claim in claims
	others := owners[claim.key] - {claim.owner}
	count(others) > 0
	result := {
		"msg": sprintf("host `%s` path `%s` is also routed by owner %s", [
			claim.key[1], claim.key[2],
			concat(", ", [sprintf("`%s`", [o]) | some o in sort(others)]),
		]),
		"object": claim.object,
		"path": claim.path,
	}
}
