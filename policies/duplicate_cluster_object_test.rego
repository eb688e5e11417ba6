package gitops_lint.duplicate_cluster_object

import rego.v1

# The repository has a Flux cluster (the objects below are outside it).
clusters := [{"name": "clusters/prod", "root": "Kustomization/flux-system/flux-system", "kustomizations": []}]

role(owner, verbs) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": "ClusterRole",
	"metadata": {"name": "view-pods"},
	"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": verbs}],
	"owner": owner,
	"file": sprintf("%s/rbac.yaml", [owner]),
	"line": 1,
}

test_different_content_two_owners if {
	results := deny with input as {"clusters": clusters, "objects": [role("platform", ["get"]), role("team-a", ["get", "list"])]}
	count(results) == 2
}

test_identical_content_is_fine if {
	count(deny) == 0 with input as {"clusters": clusters, "objects": [role("platform", ["get"]), role("team-a", ["get"])]}
}

test_namespaced_kinds_are_ignored if {
	a := object.union(role("platform", ["get"]), {"kind": "Role"})
	b := object.union(role("team-a", ["list"]), {"kind": "Role"})
	count(deny) == 0 with input as {"clusters": clusters, "objects": [a, b]}
}

test_cluster_scoped_custom_kind if {
	crd := {
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind": "CustomResourceDefinition",
		"metadata": {"name": "clusterissuers.cert-manager.io"},
		"spec": {"group": "cert-manager.io", "scope": "Cluster", "names": {"kind": "ClusterIssuer"}},
		"owner": "platform",
	}
	results := deny with input as {"clusters": clusters, "objects": [crd, issuer("platform", "a"), issuer("team-a", "b")]}
	count(results) == 2
}

issuer(owner, server) := {
	"apiVersion": "cert-manager.io/v1",
	"kind": "ClusterIssuer",
	"metadata": {"name": "letsencrypt"},
	"spec": {"acme": {"server": server}},
	"owner": owner,
}

test_objects_flux_applies_are_left_to_duplicate_object if {
	a := object.union(role("platform", ["get"]), {"cluster": "prod"})
	b := object.union(role("team-a", ["get", "list"]), {"cluster": "prod"})
	count(deny) == 0 with input as {"clusters": clusters, "objects": [a, b]}
}

test_no_cluster_no_conflict if {
	objects := [role("platform", ["get"]), role("team-a", ["get", "list"])]
	count(deny) == 0 with input as {"objects": objects}
	count(deny) == 0 with input as {"clusters": [], "objects": objects}
}
