package gitops_lint.service_port_mismatch

import rego.v1

deployment(ports) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {"template": {
		"metadata": {"labels": {"app": "api", "tier": "backend"}},
		"spec": {"containers": [{"name": "api", "image": "api:1", "ports": ports}]},
	}},
	"owner": "team-a",
}

service(target) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {"selector": {"app": "api"}, "ports": [{"port": 80, "targetPort": target}]},
	"owner": "team-b",
}

test_named_port_missing if {
	results := deny with input as {"objects": [deployment([{"name": "web", "containerPort": 8080}]), service("http")]}
	count(results) == 1
	some r in results
	r.path == "/spec/ports/0/targetPort"
	r.object.name == "api"
}

test_named_port_present if {
	count(deny) == 0 with input as {"objects": [deployment([{"name": "http", "containerPort": 8080}]), service("http")]}
}

test_numeric_port_missing if {
	count(deny) == 1 with input as {"objects": [deployment([{"containerPort": 8080}]), service(9090)]}
}

test_numeric_port_present if {
	count(deny) == 0 with input as {"objects": [deployment([{"containerPort": 8080}]), service(8080)]}
}

test_numeric_port_without_declared_ports if {
	count(deny) == 0 with input as {"objects": [deployment([]), service(8080)]}
}

test_no_selected_pods_is_another_rule if {
	other := object.union(service("http"), {"spec": {"selector": {"app": "other"}}})
	count(deny) == 0 with input as {"objects": [deployment([{"name": "web", "containerPort": 8080}]), other]}
}

test_other_namespace_not_selected if {
	other := object.union(service("http"), {"metadata": {"namespace": "elsewhere"}})
	count(deny) == 0 with input as {"objects": [deployment([{"name": "web", "containerPort": 8080}]), other]}
}

test_substituted_port_is_skipped if {
	count(deny) == 0 with input as {"objects": [deployment([{"name": "web", "containerPort": 8080}]), service("${PORT_NAME}")]}
}

test_services_sharing_a_selector_are_each_checked if {
	good := object.union(service("http"), {"metadata": {"name": "api-good"}})
	bad := object.union(service("metrics"), {"metadata": {"name": "api-bad"}})
	results := deny with input as {"objects": [deployment([{"name": "http", "containerPort": 8080}]), good, bad]}
	count(results) == 1
	some r in results
	r.object.name == "api-bad"
}
