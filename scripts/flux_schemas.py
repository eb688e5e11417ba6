"""JSON Schemas of the Flux custom resources, written by hand from the public Flux API reference
(https://fluxcd.io/flux/components/*/api/). Not generated from the Flux CRDs: compare them with
`scripts/check-flux-schemas`.

Objects are strict (unknown fields are errors) where every field is listed here, and open
(`strict=False`) where this description does not go into detail."""

DURATION = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"


def S(**kw):
    return {"type": "string", **kw}


def I(**kw):
    return {"type": "integer", **kw}


def B():
    return {"type": "boolean"}


def dur():
    return {"type": "string", "pattern": DURATION}


def enum(*values):
    return {"type": "string", "enum": list(values)}


def arr(items, **kw):
    return {"type": "array", "items": items, **kw}


def smap():
    return {"type": "object", "additionalProperties": {"type": "string"}}


def anything():
    return {}


def obj(props=None, required=(), strict=True):
    out = {"type": "object"}
    if props is not None:
        out["properties"] = props
        if strict:
            out["additionalProperties"] = False
    if required:
        out["required"] = list(required)
    return out


def open_obj(props=None, required=()):
    return obj(props, required, strict=False)


local_ref = obj({"name": S()}, ["name"])
ns_ref = obj({"name": S(), "namespace": S()}, ["name"])
secret_key_ref = obj({"name": S(), "key": S()}, ["name"])
metadata = open_obj({"name": S(), "namespace": S(), "labels": smap(), "annotations": smap()})
depends_on = arr(open_obj({"name": S(), "namespace": S(), "readyExpr": S()}, ["name"]))
selector = open_obj({"matchLabels": smap(), "matchExpressions": arr(open_obj())})
common_metadata = obj({"labels": smap(), "annotations": smap()})
kustomize_target = obj({
    "group": S(), "version": S(), "kind": S(), "name": S(), "namespace": S(),
    "annotationSelector": S(), "labelSelector": S(),
})
patch = obj({"patch": S(), "target": kustomize_target}, ["patch"])
kubeconfig = open_obj({"secretRef": secret_key_ref, "configMapRef": local_ref})


def resource(spec, spec_required=()):
    return obj({
        "apiVersion": S(), "kind": S(), "metadata": metadata,
        "spec": obj(spec, spec_required) if spec is not None else open_obj(),
        "status": open_obj(),
    })


def kustomization():
    return resource({
        "buildMetadata": anything(),  # newer than the API reference this was written from
        "commonMetadata": common_metadata,
        "components": arr(S()),
        "ignore": S(),
        "decryption": obj({"provider": enum("sops"), "secretRef": local_ref, "serviceAccountName": S()}, ["provider"]),
        "deletionPolicy": enum("MirrorPrune", "Delete", "WaitForTermination", "Orphan"),
        "dependsOn": depends_on,
        "force": B(),
        "healthChecks": arr(open_obj({"apiVersion": S(), "kind": S(), "name": S(), "namespace": S()}, ["kind", "name"])),
        "healthCheckExprs": arr(open_obj()),
        "ignoreMissingComponents": B(),
        "images": arr(obj({"name": S(), "newName": S(), "newTag": S(), "digest": S()}, ["name"])),
        "interval": dur(),
        "kubeConfig": kubeconfig,
        "namePrefix": S(), "nameSuffix": S(),
        "patches": arr(patch),
        "path": S(),
        "postBuild": obj({
            "substitute": smap(),
            "substituteStrategy": S(),
            "substituteFrom": arr(obj({"kind": enum("Secret", "ConfigMap"), "name": S(), "optional": B()}, ["kind", "name"])),
        }),
        "prune": B(),
        "retryInterval": dur(),
        "serviceAccountName": S(),
        "sourceRef": obj({"apiVersion": S(), "kind": enum("OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"),
                          "name": S(), "namespace": S()}, ["kind", "name"]),
        "suspend": B(),
        "targetNamespace": S(),
        "timeout": dur(),
        "wait": B(),
    }, ["interval", "prune", "sourceRef"])


def git_repository():
    return resource({
        "url": S(pattern=r"^(http|https|ssh)://.*$"),
        "secretRef": local_ref,
        "provider": enum("generic", "aws", "azure", "github"),
        "serviceAccountName": S(),
        "interval": dur(),
        "timeout": dur(),
        "ref": obj({"branch": S(), "tag": S(), "semver": S(), "name": S(), "commit": S()}),
        "verify": obj({"mode": enum("head", "HEAD", "Tag", "TagAndHEAD"), "secretRef": local_ref}, ["secretRef"]),
        "proxySecretRef": local_ref,
        "ignore": S(),
        "suspend": B(),
        "recurseSubmodules": B(),
        "include": arr(obj({"repository": local_ref, "fromPath": S(), "toPath": S()}, ["repository"])),
        "sparseCheckout": arr(S()),
    }, ["interval", "url"])


def helm_repository():
    return resource({
        "url": S(pattern=r"^(http|https|oci)://.*$"),
        "secretRef": local_ref,
        "certSecretRef": local_ref,
        "passCredentials": B(),
        "interval": dur(),
        "insecure": B(),
        "timeout": dur(),
        "suspend": B(),
        "accessFrom": open_obj(),
        "type": enum("default", "oci"),
        "provider": enum("generic", "aws", "azure", "gcp"),
    }, ["url"])


def helm_chart():
    return resource({
        "chart": S(),
        "version": S(),
        "sourceRef": obj({"apiVersion": S(), "kind": enum("HelmRepository", "GitRepository", "Bucket"), "name": S()}, ["kind", "name"]),
        "interval": dur(),
        "reconcileStrategy": enum("ChartVersion", "Revision"),
        "valuesFiles": arr(S()),
        "ignoreMissingValuesFiles": B(),
        "suspend": B(),
        "verify": open_obj({"provider": enum("cosign", "notation"), "secretRef": local_ref}, ["provider"]),
    }, ["chart", "interval", "sourceRef"])


def bucket():
    return resource({
        "provider": enum("generic", "aws", "gcp", "azure"),
        "bucketName": S(),
        "endpoint": S(),
        "sts": open_obj(),
        "insecure": B(),
        "region": S(),
        "prefix": S(),
        "secretRef": local_ref,
        "certSecretRef": local_ref,
        "proxySecretRef": local_ref,
        "serviceAccountName": S(),
        "interval": dur(),
        "timeout": dur(),
        "ignore": S(),
        "suspend": B(),
    }, ["bucketName", "endpoint", "interval"])


def oci_repository():
    return resource({
        "url": S(pattern=r"^oci://.*$"),
        "ref": obj({"digest": S(), "semver": S(), "semverFilter": S(), "tag": S()}),
        "layerSelector": obj({"mediaType": S(), "operation": enum("extract", "copy")}),
        "provider": enum("generic", "aws", "azure", "gcp"),
        "secretRef": local_ref,
        "verify": open_obj({"provider": enum("cosign", "notation"), "secretRef": local_ref}, ["provider"]),
        "serviceAccountName": S(),
        "certSecretRef": local_ref,
        "proxySecretRef": local_ref,
        "interval": dur(),
        "timeout": dur(),
        "ignore": S(),
        "insecure": B(),
        "suspend": B(),
    }, ["interval", "url"])


def external_artifact():
    return resource({
        "sourceRef": obj({"apiVersion": S(), "kind": S(), "name": S(), "namespace": S()}, ["kind", "name"]),
    })


def helm_release():
    chart_template = obj({
        "metadata": obj({"labels": smap(), "annotations": smap()}),
        "spec": obj({
            "chart": S(), "version": S(),
            "sourceRef": obj({"apiVersion": S(), "kind": enum("HelmRepository", "GitRepository", "Bucket"),
                              "name": S(), "namespace": S()}, ["kind", "name"]),
            "interval": dur(),
            "reconcileStrategy": enum("ChartVersion", "Revision"),
            "valuesFiles": arr(S()),
            "ignoreMissingValuesFiles": B(),
            "verify": open_obj({"provider": enum("cosign", "notation"), "secretRef": local_ref}, ["provider"]),
        }, ["chart", "sourceRef"]),
    }, ["spec"])
    remediation = open_obj({"retries": I(), "ignoreTestFailures": B(), "remediateLastFailure": B(),
                            "strategy": enum("rollback", "uninstall")})
    return resource({
        "chart": chart_template,
        "chartRef": obj({"apiVersion": S(), "kind": enum("OCIRepository", "HelmChart", "ExternalArtifact"),
                         "name": S(), "namespace": S()}, ["kind", "name"]),
        "interval": dur(),
        "kubeConfig": kubeconfig,
        "suspend": B(),
        "releaseName": S(maxLength=53, minLength=1),
        "targetNamespace": S(maxLength=63, minLength=1),
        "storageNamespace": S(maxLength=63, minLength=1),
        "dependsOn": depends_on,
        "timeout": dur(),
        "maxHistory": I(),
        "serviceAccountName": S(),
        "persistentClient": B(),
        "driftDetection": open_obj({"mode": enum("enabled", "warn", "disabled"), "ignore": arr(open_obj())}),
        "install": open_obj({"timeout": dur(), "remediation": remediation, "disableWait": B(), "disableWaitForJobs": B(),
                             "disableHooks": B(), "disableOpenAPIValidation": B(), "replace": B(), "skipCRDs": B(),
                             "crds": enum("Skip", "Create", "CreateReplace"), "createNamespace": B()}),
        "upgrade": open_obj({"timeout": dur(), "remediation": remediation, "disableWait": B(), "disableWaitForJobs": B(),
                             "disableHooks": B(), "disableOpenAPIValidation": B(), "force": B(), "preserveValues": B(),
                             "cleanupOnFail": B(), "crds": enum("Skip", "Create", "CreateReplace")}),
        "test": open_obj({"enable": B(), "timeout": dur(), "ignoreFailures": B(), "filters": arr(open_obj())}),
        "rollback": open_obj({"timeout": dur(), "disableWait": B(), "disableWaitForJobs": B(), "disableHooks": B(),
                              "recreate": B(), "force": B(), "cleanupOnFail": B()}),
        "uninstall": open_obj({"timeout": dur(), "disableHooks": B(), "keepHistory": B(), "disableWait": B(),
                               "deletionPropagation": enum("background", "foreground", "orphan")}),
        "valuesFrom": arr(obj({"kind": enum("Secret", "ConfigMap"), "name": S(maxLength=253, minLength=1),
                               "valuesKey": S(maxLength=253), "targetPath": S(maxLength=250), "optional": B(),
                               "literal": anything()},
                              ["kind", "name"])),
        "values": anything(),
        "postRenderers": arr(open_obj({"kustomize": open_obj({"patches": arr(patch), "images": arr(open_obj())})})),
        "commonMetadata": common_metadata,
        "healthCheckExprs": arr(open_obj()),
        "postRenderStrategy": S(),
        "waitStrategy": open_obj(),
    }, ["interval"])


def alert():
    return resource({
        "providerRef": local_ref,
        "eventSeverity": enum("info", "error"),
        "eventSources": arr(open_obj({"apiVersion": S(), "kind": S(), "name": S(), "namespace": S(),
                                      "matchLabels": smap()}, ["kind", "name"])),
        "eventMetadata": smap(),
        "inclusionList": arr(S()),
        "exclusionList": arr(S()),
        "summary": S(),
        "suspend": B(),
    }, ["eventSources", "providerRef"])


PROVIDER_TYPES = ("slack", "discord", "msteams", "rocket", "generic", "generic-hmac", "github", "gitlab", "gitea",
                  "bitbucketserver", "bitbucket", "azuredevops", "googlechat", "googlepubsub", "webex", "sentry",
                  "azureeventhub", "telegram", "lark", "matrix", "opsgenie", "alertmanager", "grafana", "githubdispatch",
                  "pagerduty", "datadog", "nats", "zulip", "otel")


def provider():
    return resource({
        "type": {"type": "string"},  # the list of provider types grows with every release
        "interval": dur(),
        "channel": S(maxLength=2048),
        "username": S(maxLength=2048),
        "address": S(maxLength=2048),
        "timeout": dur(),
        "proxy": S(),
        "proxySecretRef": local_ref,
        "secretRef": local_ref,
        "certSecretRef": local_ref,
        "serviceAccountName": S(),
        "commitStatusExpr": S(),
        "suspend": B(),
    }, ["type"])


def receiver():
    return resource({
        "type": enum("generic", "generic-hmac", "generic-oidc", "github", "gitlab", "bitbucket", "harbor", "dockerhub", "quay", "gcr",
                     "nexus", "acr", "cdevents"),
        "interval": dur(),
        "events": arr(S()),
        "resources": arr(open_obj({"apiVersion": S(), "kind": S(), "name": S(), "namespace": S(),
                                   "matchLabels": smap()}, ["kind", "name"])),
        "resourceFilter": S(),
        "secretRef": local_ref,
        "oidcProviders": anything(),
        "suspend": B(),
    }, ["resources", "type"])


def image_repository():
    return resource({
        "image": S(),
        "interval": dur(),
        "timeout": dur(),
        "secretRef": local_ref,
        "proxySecretRef": local_ref,
        "serviceAccountName": S(),
        "certSecretRef": local_ref,
        "accessFrom": open_obj(),
        "suspend": B(),
        "provider": enum("generic", "aws", "azure", "gcp"),
        "exclusionList": arr(S()),
        "insecure": B(),
    }, ["image", "interval"])


def image_policy():
    return resource({
        "imageRepositoryRef": ns_ref,
        "policy": obj({
            "semver": obj({"range": S()}, ["range"]),
            "alphabetical": obj({"order": enum("asc", "desc")}),
            "numerical": obj({"order": enum("asc", "desc")}),
        }),
        "filterTags": obj({"pattern": S(), "extract": S()}),
        "digestReflectionPolicy": enum("Always", "IfNotPresent", "Never"),
        "interval": dur(),
        "suspend": B(),
    }, ["imageRepositoryRef", "policy"])


def image_update_automation():
    return resource({
        "sourceRef": obj({"apiVersion": S(), "kind": enum("GitRepository"), "name": S(), "namespace": S()}, ["kind", "name"]),
        "git": open_obj({"checkout": open_obj({"ref": open_obj()}), "commit": open_obj({"author": open_obj(), "signingKey": open_obj(),
                         "messageTemplate": S(), "messageTemplateValues": smap()}, ["author"]), "push": open_obj()}, ["commit"]),
        "interval": dur(),
        "policySelector": selector,
        "update": obj({"path": S(), "strategy": enum("Setters")}),
        "suspend": B(),
    }, ["interval", "sourceRef"])


# (apiVersion, kind) → schema. Older served versions get the same fields with an open spec: their
# field sets differ in detail and an old object must never get a false unknown-field error.
CURRENT = {
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): kustomization,
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): git_repository,
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): helm_repository,
    ("source.toolkit.fluxcd.io/v1", "HelmChart"): helm_chart,
    ("source.toolkit.fluxcd.io/v1", "Bucket"): bucket,
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"): oci_repository,
    ("source.toolkit.fluxcd.io/v1", "ExternalArtifact"): external_artifact,
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): helm_release,
    ("notification.toolkit.fluxcd.io/v1beta3", "Alert"): alert,
    ("notification.toolkit.fluxcd.io/v1beta3", "Provider"): provider,
    ("notification.toolkit.fluxcd.io/v1", "Receiver"): receiver,
    ("image.toolkit.fluxcd.io/v1", "ImageRepository"): image_repository,
    ("image.toolkit.fluxcd.io/v1", "ImagePolicy"): image_policy,
    ("image.toolkit.fluxcd.io/v1", "ImageUpdateAutomation"): image_update_automation,
}
OLDER = {
    ("kustomize.toolkit.fluxcd.io", "Kustomization"): ["v1beta2"],
    ("source.toolkit.fluxcd.io", "GitRepository"): ["v1beta2"],
    ("source.toolkit.fluxcd.io", "HelmRepository"): ["v1beta2"],
    ("source.toolkit.fluxcd.io", "HelmChart"): ["v1beta2"],
    ("source.toolkit.fluxcd.io", "Bucket"): ["v1beta2"],
    ("source.toolkit.fluxcd.io", "OCIRepository"): ["v1beta2"],
    ("helm.toolkit.fluxcd.io", "HelmRelease"): ["v2beta2", "v2beta1"],
    ("notification.toolkit.fluxcd.io", "Alert"): ["v1beta2"],
    ("notification.toolkit.fluxcd.io", "Provider"): ["v1beta2"],
    ("notification.toolkit.fluxcd.io", "Receiver"): ["v1beta2", "v1beta3"],
    ("image.toolkit.fluxcd.io", "ImageRepository"): ["v1beta2"],
    ("image.toolkit.fluxcd.io", "ImagePolicy"): ["v1beta2"],
    ("image.toolkit.fluxcd.io", "ImageUpdateAutomation"): ["v1beta2"],
}


def loosen(node):
    if isinstance(node, dict):
        return {k: loosen(v) for k, v in node.items() if not (k == "additionalProperties" and v is False)}
    if isinstance(node, list):
        return [loosen(v) for v in node]
    return node


def all_schemas():
    out = {}
    for (api_version, kind), build in CURRENT.items():
        schema = build()
        out[f"{api_version}/{kind}"] = schema
        group = api_version.rsplit("/", 1)[0]
        for older in OLDER.get((group, kind), []):
            old = dict(schema)
            old["properties"] = dict(schema["properties"], spec=loosen(schema["properties"]["spec"]))
            # Required fields changed between versions too.
            old["properties"]["spec"].pop("required", None)
            out[f"{group}/{older}/{kind}"] = old
    return out
