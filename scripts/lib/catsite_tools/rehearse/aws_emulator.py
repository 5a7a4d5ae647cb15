"""The local AWS emulator of the deploy rehearsal: moto's server, with what Zappa needs and moto lacks.

    python scripts/lib/catsite_tools/rehearse/aws_emulator.py [-H 127.0.0.1] [-p PORT]

Runs `moto.server` (every service, one HTTP endpoint, its own process) after adding nine AWS
behaviours that Zappa 0.63 and the deploy's edge rely on (or the rehearsal reads back) and moto 5.2
does not have.
Each is written from AWS's API reference, not from Zappa's expectations, and each is small:

1. `ListFunctionUrlConfigs` (GET /2021-10-31/functions/{name}/urls), called by `zappa update`
   and `zappa status`: the function's URL configurations, an empty list when it has none, 404
   ResourceNotFoundException for an unknown function.
2. CloudFormation deleting an `AWS::ApiGateway::RestApi`: deleting the stack deletes the API it
   created (`zappa undeploy` relies on it; moto keeps the API). An API already gone is no error.
3. `DeregisterTargets` of a target that is not registered succeeds and changes nothing, as on
   AWS (Zappa registers `<function>:current` and deregisters `<function>`; moto refuses).
4. `DescribeTargetHealth` of a target that is not registered answers `unused`,
   `Target.NotRegistered`, as on AWS for Lambda targets (moto answers `unavailable` for
   non-instance targets, so Zappa's `target_deregistered` waiter would never finish).
5. A function's SnapStart setting: `SnapStart.ApplyOn` given to CreateFunction or
   UpdateFunctionConfiguration is kept (moto drops it and always answers `None`), copied into the
   versions PublishVersion makes, and answered by GetFunction(Configuration) as AWS's
   `SnapStartResponse` says: `ApplyOn` as set, and `OptimizationStatus` `On` for a published
   version whose `ApplyOn` is `PublishedVersions` (SnapStart applies to published versions
   only), `Off` for `$LATEST` and otherwise.
6. CloudFormation's `AWS::ApiGateway::Method` keeps its `Integration.Credentials` (the role API
   Gateway assumes to call the integration, CloudFormation reference), which moto drops: the
   rehearsal checks that this role may invoke what the integration names.
7. A distribution's origin keeps its `OriginAccessControlId` and `S3OriginConfig` (CloudFront API
   reference, Origin), which moto drops: the bucket origin would lose the OAC that lets it read
   the bucket, and read back as no S3 origin at all.
8. Origin request policies (CloudFront API reference: CreateOriginRequestPolicy,
   GetOriginRequestPolicy, ListOriginRequestPolicies, UpdateOriginRequestPolicy and
   DeleteOriginRequestPolicy, the last two with `If-Match`), kept in memory; moto has none.
9. A stack's `AWS::ApiGateway::RestApi` has the endpoint type its `EndpointConfiguration` names
   (CloudFormation template reference: `Types`; the REST API's `endpointConfiguration.types`):
   moto keeps the template's spelling, so the API reads back with no endpoint type.

Lambda `Invoke` stays moto's (it needs Docker): the rehearsal never invokes through the emulator.
"""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import unquote


def _list_function_url_configs(self) -> Any:
    """GET .../functions/{FunctionName}/urls: AWS's ListFunctionUrlConfigs (no paging needed:
    moto keeps at most one URL configuration per function, the unqualified one)."""
    from moto.awslambda.exceptions import UnknownFunctionException

    name = unquote(self.path.split("?")[0].rstrip("/").split("/")[-2])
    function = self.backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(name)
    if function is None:
        raise UnknownFunctionException(arn=name)
    configs = [function.url_config.to_dict()] if function.url_config else []
    return 200, {"status": 200}, json.dumps({"FunctionUrlConfigs": configs})


def _delete_rest_api_with_stack(cls, resource_name, cloudformation_json, account_id, region_name) -> None:
    """AWS::ApiGateway::RestApi deleted with its stack; `resource_name` is the API's id."""
    from moto.apigateway.models import apigateway_backends

    apigateway_backends[account_id][region_name].apis.pop(resource_name, None)


def _tolerant_deregister(self, targets: list[dict[str, Any]]) -> None:
    """DeregisterTargets: registered targets move to deregistered; others are left alone."""
    for target in targets:
        registered = self.targets.pop(target["Id"], None)
        if registered:
            self.deregistered_targets[target["Id"]] = registered


def _health_with_not_registered(original):
    def health_for(self, target, ec2_backend):
        from moto.elbv2.models import FakeHealthStatus

        known = target["Id"] in self.targets or target["Id"] in self.terminated_targets
        if known or target["Id"].startswith("i-"):
            return original(self, target, ec2_backend)
        port = target.get("Port", self.port)
        return FakeHealthStatus(
            target["Id"],
            port,
            self.health_check_port,
            "unused",
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )

    return health_for


def _keeps_snap_start(original_init, original_update, original_configuration):
    """LambdaFunction with its SnapStart setting kept (behaviour 5). A published version is a
    copy of `$LATEST` (`copy.copy`), so it carries the setting it was published with."""

    def init(self, account_id, spec, region, version=1):
        original_init(self, account_id, spec, region, version)
        self.snap_start_apply_on = (spec.get("SnapStart") or {}).get("ApplyOn", "None")

    def update_configuration(self, config_updates):
        if "SnapStart" in config_updates:
            self.snap_start_apply_on = (config_updates["SnapStart"] or {}).get("ApplyOn", "None")
            self.code_or_config_updated = True
        return original_update(self, config_updates)

    def get_configuration(self, on_create=False):
        config = original_configuration(self, on_create)
        apply_on = getattr(self, "snap_start_apply_on", "None")
        on = apply_on == "PublishedVersions" and str(self.version) != "$LATEST"
        config["SnapStart"] = {"ApplyOn": apply_on, "OptimizationStatus": "On" if on else "Off"}
        return config

    return init, update_configuration, get_configuration


def _method_with_credentials(original):
    """AWS::ApiGateway::Method from a stack, its integration's credentials kept (behaviour 6)."""

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        from moto.apigateway.models import apigateway_backends

        method = original.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        properties = cloudformation_json["Properties"]
        credentials = properties["Integration"].get("Credentials")
        if credentials:
            integration = apigateway_backends[account_id][region_name].get_integration(
                properties["RestApiId"], properties["ResourceId"], properties["HttpMethod"]
            )
            integration.credentials = credentials
        return method

    return classmethod(create)


def _origin_keeping_oac(original_init):
    """Behaviour 7: an Origin with its OriginAccessControlId ("" without one, as AWS answers) and
    its S3OriginConfig."""

    def init(self, origin):
        original_init(self, origin)
        self.origin_access_control_id = origin.get("OriginAccessControlId") or ""
        if "S3OriginConfig" in origin:
            self.s3_origin_config = {
                "OriginAccessIdentity": origin["S3OriginConfig"].get("OriginAccessIdentity", "")
            }

    return init


#: Behaviour 8's store: policy id -> {"Id", "LastModifiedTime", "OriginRequestPolicyConfig", "ETag"}.
_ORIGIN_REQUEST_POLICIES: dict[str, dict] = {}


def _origin_request_policy_methods():
    """Behaviour 8: the five operations, as methods of moto's CloudFrontResponse."""
    import uuid
    from datetime import UTC, datetime

    from moto.cloudfront.exceptions import CloudFrontException
    from moto.core.responses import ActionResult, EmptyResult

    def answer(policy: dict, status: int = 200):
        shown = {key: policy[key] for key in ("Id", "LastModifiedTime", "OriginRequestPolicyConfig")}
        return ActionResult({"OriginRequestPolicy": shown, "ETag": policy["ETag"]})

    def found(self) -> dict:
        policy = _ORIGIN_REQUEST_POLICIES.get(self._get_param("Id"))
        if policy is None:
            raise CloudFrontException(
                "NoSuchOriginRequestPolicy", "The origin request policy does not exist."
            )
        return policy

    def matched(self) -> dict:
        policy = found(self)
        if self._get_param("IfMatch") != policy["ETag"]:
            raise CloudFrontException(
                "PreconditionFailed", "The If-Match version is not valid for the resource."
            )
        return policy

    def create_origin_request_policy(self):
        config = self._get_param("OriginRequestPolicyConfig", {})
        if any(
            p["OriginRequestPolicyConfig"]["Name"] == config.get("Name")
            for p in _ORIGIN_REQUEST_POLICIES.values()
        ):
            raise CloudFrontException(
                "OriginRequestPolicyAlreadyExists", "A policy with this name already exists."
            )
        policy_id = str(uuid.uuid4())
        _ORIGIN_REQUEST_POLICIES[policy_id] = {
            "Id": policy_id,
            "LastModifiedTime": datetime.now(UTC),
            "OriginRequestPolicyConfig": config,
            "ETag": uuid.uuid4().hex,
        }
        return answer(_ORIGIN_REQUEST_POLICIES[policy_id])

    def get_origin_request_policy(self):
        return answer(found(self))

    def list_origin_request_policies(self):
        chosen = [] if self._get_param("Type") == "managed" else list(_ORIGIN_REQUEST_POLICIES.values())
        listed = [
            {
                "Type": "custom",
                "OriginRequestPolicy": {
                    k: p[k] for k in ("Id", "LastModifiedTime", "OriginRequestPolicyConfig")
                },
            }
            for p in chosen
        ]
        return ActionResult(
            {"OriginRequestPolicyList": {"MaxItems": 100, "Quantity": len(listed), "Items": listed}}
        )

    def update_origin_request_policy(self):
        policy = matched(self)
        policy.update(
            OriginRequestPolicyConfig=self._get_param("OriginRequestPolicyConfig", {}),
            LastModifiedTime=datetime.now(UTC),
            ETag=uuid.uuid4().hex,
        )
        return answer(policy)

    def delete_origin_request_policy(self):
        _ORIGIN_REQUEST_POLICIES.pop(matched(self)["Id"])
        return EmptyResult()

    return {
        f.__name__: f
        for f in (
            create_origin_request_policy,
            get_origin_request_policy,
            list_origin_request_policies,
            update_origin_request_policy,
            delete_origin_request_policy,
        )
    }


def _rest_api_with_its_endpoint_type(original):
    """Behaviour 9: the template's EndpointConfiguration in the API's own member names."""

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        given = properties.get("EndpointConfiguration")
        if isinstance(given, dict):
            names = {"Types": "types", "VpcEndpointIds": "vpcEndpointIds"}
            properties = {
                **properties,
                "EndpointConfiguration": {names.get(k, k): v for k, v in given.items()},
            }
            cloudformation_json = {**cloudformation_json, "Properties": properties}
        return original.__func__(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    return classmethod(create)


def extend_moto() -> None:
    """Add the nine behaviours to moto's backends, before its server builds its URL maps."""
    from moto.apigateway.models import Method, RestAPI
    from moto.awslambda import urls as lambda_urls
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.responses import LambdaResponse
    from moto.cloudfront import urls as cloudfront_urls
    from moto.cloudfront.models import Origin
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.elbv2.models import FakeTargetGroup

    pattern = r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/urls/?$"
    lambda_urls.url_paths[pattern] = LambdaResponse.dispatch
    LambdaResponse.list_function_url_configs = _list_function_url_configs
    RestAPI.delete_from_cloudformation_json = classmethod(_delete_rest_api_with_stack)
    RestAPI.create_from_cloudformation_json = _rest_api_with_its_endpoint_type(
        RestAPI.create_from_cloudformation_json
    )
    Method.create_from_cloudformation_json = _method_with_credentials(Method.create_from_cloudformation_json)
    FakeTargetGroup.deregister = _tolerant_deregister
    FakeTargetGroup.health_for = _health_with_not_registered(FakeTargetGroup.health_for)
    LambdaFunction.__init__, LambdaFunction.update_configuration, LambdaFunction.get_configuration = (
        _keeps_snap_start(
            LambdaFunction.__init__, LambdaFunction.update_configuration, LambdaFunction.get_configuration
        )
    )
    Origin.__init__ = _origin_keeping_oac(Origin.__init__)
    for name, method in _origin_request_policy_methods().items():
        setattr(CloudFrontResponse, name, method)
    cloudfront_urls.url_paths["{0}/2020-05-31/origin-request-policy$"] = CloudFrontResponse.dispatch
    cloudfront_urls.url_paths["{0}/2020-05-31/origin-request-policy/(?P<policy_id>[^/]+)$"] = (
        CloudFrontResponse.dispatch
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return
    extend_moto()
    from moto.server import main as moto_main

    moto_main(argv)


if __name__ == "__main__":
    main()
