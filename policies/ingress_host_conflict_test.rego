package gitops_lint.ingress_host_conflict

import rego.v1

ingress(name, owner, host, path) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": name, "namespace": owner},
	"spec": {"rules": [{"host": host, "http": {"paths": [{"path": path, "pathType": "Prefix"}]}}]},
	"owner": owner,
	"cluster": "production",
	"file": sprintf("apps/%s/ingress.yaml", [owner]),
	"line": 1,
}

test_same_host_and_path_two_owners if {
	results := deny with input as {"objects": [
		ingress("shop", "team-a", "shop.example.com", "/"),
		ingress("shop", "team-b", "shop.example.com", "/"),
	]}
	count(results) == 2
	some r in results
	r.object.namespace == "team-a"
	contains(r.msg, "`team-b`")
	r.path == "/spec/rules/0/host"
}

test_same_owner_twice_is_fine if {
	count(deny) == 0 with input as {"objects": [
		ingress("a", "team-a", "shop.example.com", "/"),
		ingress("b", "team-a", "shop.example.com", "/"),
	]}
}

test_different_paths_are_fine if {
	count(deny) == 0 with input as {"objects": [
		ingress("a", "team-a", "shop.example.com", "/cart"),
		ingress("b", "team-b", "shop.example.com", "/pay"),
	]}
}

test_different_clusters_are_fine if {
	other := object.union(ingress("b", "team-b", "shop.example.com", "/"), {"cluster": "staging"})
	count(deny) == 0 with input as {"objects": [ingress("a", "team-a", "shop.example.com", "/"), other]}
}
