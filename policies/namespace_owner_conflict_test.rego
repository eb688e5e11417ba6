package gitops_lint.namespace_owner_conflict

import rego.v1

# The repository has a Flux cluster (the objects below are outside it).
clusters := [{"name": "clusters/prod", "root": "Kustomization/flux-system/flux-system", "kustomizations": []}]

namespace_obj(name, owner, cluster) := {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {"name": name},
	"owner": owner,
	"cluster": cluster,
	"file": sprintf("%s/namespace.yaml", [owner]),
	"line": 1,
}

test_two_owners_same_namespace if {
	results := deny with input as {"clusters": clusters, "objects": [
		namespace_obj("monitoring", "infrastructure", null),
		namespace_obj("monitoring", "apps", null),
		namespace_obj("other", "apps", null),
	]}
	count(results) == 2
	msgs := {r.msg | some r in results}
	msgs == {
		"Namespace `monitoring` is also created by owner `apps`",
		"Namespace `monitoring` is also created by owner `infrastructure`",
	}
}

test_one_owner_is_fine if {
	count(deny) == 0 with input as {"clusters": clusters, "objects": [
		namespace_obj("monitoring", "infrastructure", null),
		namespace_obj("other", "apps", null),
	]}
}

test_namespaces_flux_applies_are_left_to_duplicate_object if {
	count(deny) == 0 with input as {"clusters": clusters, "objects": [
		namespace_obj("monitoring", "infrastructure", "prod"),
		namespace_obj("monitoring", "apps", "prod"),
	]}
}

test_no_cluster_no_conflict if {
	objects := [namespace_obj("monitoring", "infrastructure", null), namespace_obj("monitoring", "apps", null)]
	count(deny) == 0 with input as {"objects": objects}
	count(deny) == 0 with input as {"clusters": [], "objects": objects}
}
