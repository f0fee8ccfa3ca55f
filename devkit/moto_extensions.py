"""Where moto 5.2.1 answers differently from AWS in ways locksmith's tests depend on, this
module makes it answer as AWS documents. Installed by moto-server.py, the launcher every moto
that devkit/moto.ts starts runs through. docs/moto.md lists each change and its source.

Each patch replaces one moto method and keeps moto's own data model: what AWS would have
answered is computed from the same state moto keeps.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import importlib.abc
import importlib.machinery
import json
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from urllib.parse import urlparse

import moto.core.utils as core_utils
from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError
from moto.core.responses import ActionResult
from moto.iam.access_control import IAMRequest
from moto.iam.exceptions import IAMException
from moto.iam.models import IAMBackend, User
from moto.iam.responses import IamResponse
from moto.secretsmanager.responses import SecretsManagerResponse

_DATE = "%Y-%m-%dT%H:%M:%S+00:00"
# "You can generate a credential report as often as once every four hours" (IAM User Guide,
# "Generate credential reports for your AWS account").
_REPORT_LIFETIME = datetime.timedelta(hours=4)


def _now() -> datetime.datetime:
    # Looked up at each call, so the movable clock of moto-server.py applies.
    return core_utils.utcnow()


# ---------------------------------------------------------------------------------------------
# IAM credential report
#
# moto: GetCredentialReport builds the CSV at the time of the *download*, reports GeneratedTime
# as 2015-02-02T20:02:02Z always, leaves out the <root_account> row, writes "not_supported" for
# every key's last-used region and service, "not_supported" for password_last_used and a date for
# password_last_changed of users without a password, and never says the report is in progress.
# AWS (API reference GenerateCredentialReport / GetCredentialReport; IAM User Guide, "Generate
# credential reports"): the report is a snapshot made when it is generated; a generation answers
# STARTED, INPROGRESS while it runs, COMPLETE once done; a report younger than four hours is
# reused; GetCredentialReport answers ReportNotPresent (410) before any report, ReportInProgress
# (404) while one is generated, ReportExpired (410) for one older than four hours; the CSV's
# first row is the account root user; fields that do not apply are "N/A".


class ReportInProgress(IAMException):
    code = "ReportInProgress"


class ReportNotPresent(IAMException):
    code = "ReportNotPresent"


class ReportExpired(IAMException):
    code = "ReportExpired"


# moto finds an error's service (and so its HTTP status in the AWS model) from the module
# the exception class is defined in.
for _cls in (ReportInProgress, ReportNotPresent, ReportExpired):
    _cls.__module__ = "moto.iam.exceptions"


_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)


def _generation_time() -> datetime.timedelta:
    # How long a generation takes here; real IAM takes seconds to minutes in a large account.
    return datetime.timedelta(milliseconds=float(os.environ.get("LOCKSMITH_MOTO_REPORT_MS", "200")))


def _key_fields(key: Any) -> list[str]:
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    used = key.last_used
    # moto accepts a plain datetime there too (see its AccessKey); only AccessKeyLastUsed has
    # a service and a region.
    when = getattr(used, "timestamp", used)
    return [
        "true" if key.status == "Active" else "false",
        key.create_date.strftime(_DATE),
        when.strftime(_DATE) if when is not None else "N/A",
        getattr(used, "region", None) or "N/A",
        getattr(used, "service", None) or "N/A",
    ]


def _user_row(user: User) -> str:
    has_password = bool(user.password)
    password_last_used = "N/A"
    if has_password:
        password_last_used = (
            user.password_last_used.strftime(_DATE) if user.password_last_used else "no_information"
        )
    keys = list(user.access_keys)[:2]
    certs = list(user.signing_certificates.values())[:2]
    fields = [
        user.name,
        user.arn,
        user.create_date.strftime(_DATE),
        "true" if has_password else "false",
        password_last_used,
        user.create_date.strftime(_DATE) if has_password else "N/A",
        "N/A",
        "true" if user.mfa_devices else "false",
        *_key_fields(keys[0] if len(keys) > 0 else None),
        *_key_fields(keys[1] if len(keys) > 1 else None),
    ]
    for i in range(2):
        cert = certs[i] if len(certs) > i else None
        fields += ["true" if cert is not None and cert.status == "Active" else "false", "N/A"]
    return ",".join(fields)


def _root_row(backend: IAMBackend, at: datetime.datetime) -> str:
    created = min((u.create_date for u in backend.users.values()), default=at)
    fields = [
        "<root_account>",
        f"arn:{backend.partition}:iam::{backend.account_id}:root",
        created.strftime(_DATE),
        "not_supported",
        "no_information",
        "not_supported",
        "not_supported",
        "false",
        *_key_fields(None),
        *_key_fields(None),
        "false",
        "N/A",
        "false",
        "N/A",
    ]
    return ",".join(fields)


def _snapshot(backend: IAMBackend, at: datetime.datetime) -> str:
    users = sorted(backend.users.values(), key=lambda u: u.create_date)
    rows = [_HEADER, _root_row(backend, at), *(_user_row(u) for u in users)]
    return "\n".join(rows) + "\n"


def _report_of(backend: IAMBackend) -> dict[str, Any] | None:
    return getattr(backend, "_locksmith_report", None)


def _generate_credential_report(self: IamResponse) -> ActionResult:
    backend = self.backend
    now = _now()
    report = _report_of(backend)
    if report is not None and now - report["generated_at"] < _REPORT_LIFETIME:
        return ActionResult({"State": "COMPLETE" if now >= report["ready_at"] else "INPROGRESS"})
    backend._locksmith_report = {  # type: ignore[attr-defined]
        "generated_at": now,
        "ready_at": now + _generation_time(),
        "content": _snapshot(backend, now),
    }
    description = (
        "No report exists. Starting a new report generation task"
        if report is None
        else "The report has expired. Starting a new report generation task"
    )
    return ActionResult({"State": "STARTED", "Description": description})


def _get_credential_report(self: IamResponse) -> ActionResult:
    report = _report_of(self.backend)
    now = _now()
    if report is None:
        raise ReportNotPresent("Credential report not present")
    if now < report["ready_at"]:
        raise ReportInProgress("Credential report is being generated")
    if now - report["generated_at"] >= _REPORT_LIFETIME:
        raise ReportExpired("Credential report has expired")
    return ActionResult(
        {
            "Content": report["content"],
            "ReportFormat": "text/csv",
            "GeneratedTime": report["generated_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


# ---------------------------------------------------------------------------------------------
# Secrets Manager BatchGetSecretValue
#
# moto: with IAM enforced, checks only secretsmanager:BatchGetSecretValue (on "*") and returns
# every secret's value. AWS (API reference, BatchGetSecretValue): "you must have
# secretsmanager:GetSecretValue for each secret"; a secret the caller may not read is left out
# of SecretValues and reported in Errors ("If Secrets Manager encounters errors such as
# AccessDeniedException while attempting to retrieve any of the secrets, you can see the errors
# in Errors"). Here each returned secret is checked against the caller's policies for
# secretsmanager:GetSecretValue on that secret's ARN, and moved to Errors when denied.


def _auth_enforced() -> bool:
    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def _may_get_secret_value(response: SecretsManagerResponse, arn: str) -> bool:
    request = IAMRequest(
        account_id=response.current_account,
        method=response.method,
        path=urlparse(response.uri).path,
        data=response.data,
        body=response.raw_body,
        headers=response.headers,
        action="GetSecretValue",
    )
    try:
        request.check_action_permitted(arn)
        return True
    except AccessDeniedError:
        return False


_original_batch_get_secret_value = SecretsManagerResponse.batch_get_secret_value


def _batch_get_secret_value(self: SecretsManagerResponse) -> str:
    body = _original_batch_get_secret_value(self)
    if not _auth_enforced():
        return body
    result = json.loads(body)
    allowed, errors = [], list(result.get("Errors") or [])
    for value in result.get("SecretValues") or []:
        arn = value.get("ARN", "")
        if _may_get_secret_value(self, arn):
            allowed.append(value)
        else:
            errors.append(
                {
                    "SecretId": arn,
                    "ErrorCode": "AccessDeniedException",
                    "Message": f"User is not authorized to perform: secretsmanager:GetSecretValue on resource: {arn}",
                }
            )
    result["SecretValues"], result["Errors"] = allowed, errors
    return json.dumps(result)


# ---------------------------------------------------------------------------------------------
# Parameter Store PutParameter with Overwrite
#
# moto: a SecureString overwritten without KeyId keeps the KMS key of the previous version.
# AWS (API reference, PutParameter, KeyId): "If you don't specify a key ID, the system uses the
# default key associated with your AWS account" (alias/aws/ssm). So a bot that forgot to name the
# key would silently move a parameter to the default key; here it does, as on AWS.

def _patch_ssm(models: ModuleType) -> None:
    backend = models.SimpleSystemManagerBackend
    original = backend.put_parameter

    def put_parameter(self: Any, name: str, description: Any, value: Any, parameter_type: Any,
                      allowed_pattern: Any, keyid: Any, overwrite: bool, *args: Any, **kwargs: Any) -> Any:
        if keyid is None and overwrite and name in self._parameters and self._parameters[name]:
            previous = self._parameters[name][-1]
            if (parameter_type or previous.parameter_type) == "SecureString":
                keyid = "alias/aws/ssm"
        return original(
            self, name, description, value, parameter_type, allowed_pattern, keyid, overwrite, *args, **kwargs
        )

    backend.put_parameter = put_parameter


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches a module when it is first imported: moto loads a service's models on its first
    request, and importing moto.ssm.models up front (it pulls in EC2) doubles moto's start-up."""

    def __init__(self, name: str, patch: Callable[[ModuleType], None]) -> None:
        self.name, self.patch = name, patch

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader, patch = spec.loader, self.patch

        class Loader(importlib.abc.Loader):
            def create_module(self, spec: Any) -> Any:
                return loader.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                loader.exec_module(module)
                patch(module)

        spec.loader = Loader()
        return spec


def _patch_when_imported(name: str, patch: Callable[[ModuleType], None]) -> None:
    if name in sys.modules:
        patch(sys.modules[name])
        return
    sys.meta_path.insert(0, _AfterImport(name, patch))
    # Imported in the background a moment after the server is up (not competing with its
    # start-up), so the first request for the service does not wait for it: a client with a 3 s
    # timeout would give up on a busy machine.
    timer = threading.Timer(1.0, importlib.import_module, args=(name,))
    timer.daemon = True
    timer.start()


# ---------------------------------------------------------------------------------------------
# Secrets Manager's secret store
#
# moto: every look-up of a secret by name or ARN walks all secrets (`for secret in
# dict.values(self)`), while other server threads may be adding one: concurrent CreateSecret
# calls then fail with HTTP 500 ("dictionary changed size during iteration"), and every call costs
# time in proportion to the number of secrets (10,000 secrets took minutes to create). AWS
# answers both. Here a name is looked up directly and an ARN through an index rebuilt from a
# snapshot when it misses: the same answers, safe under concurrent writes.


def _find_secret(store: Any, key: str) -> Any:
    from moto.secretsmanager.utils import get_secret_name_from_partial_arn

    found = dict.get(store, key)
    if found is not None and found.name == key:
        return found
    index = store.__dict__.get("_locksmith_arns")
    name = index.get(key) if index else None
    secret = dict.get(store, name) if name else None
    if secret is None or secret.arn != key:
        index = {s.arn: s.name for s in list(dict.values(store))}
        store.__dict__["_locksmith_arns"] = index
        name = index.get(key)
        secret = dict.get(store, name) if name else None
    if secret is not None:
        return secret
    return dict.get(store, get_secret_name_from_partial_arn(key))


def _patch_secrets_store() -> None:
    from moto.secretsmanager.models import SecretsStore

    def getitem(self: Any, key: str) -> Any:
        secret = _find_secret(self, key)
        if secret is None:
            raise KeyError(key)
        return secret

    def contains(self: Any, key: str) -> bool:
        return _find_secret(self, key) is not None

    def get(self: Any, key: str) -> Any:
        return _find_secret(self, key)

    def pop(self: Any, key: str) -> Any:
        secret = _find_secret(self, key)
        return dict.pop(self, secret.name, None) if secret is not None else None

    SecretsStore.__getitem__ = getitem  # type: ignore[method-assign]
    SecretsStore.__contains__ = contains  # type: ignore[method-assign,assignment]
    SecretsStore.get = get  # type: ignore[method-assign,assignment]
    SecretsStore.pop = pop  # type: ignore[method-assign,assignment]


# ---------------------------------------------------------------------------------------------
# ListSecretVersionIds
#
# moto: every version's CreatedDate (and LastAccessedDate) is the time of the call. AWS (API
# reference, ListSecretVersionIds / SecretVersionsListEntry): CreatedDate is "the date and time
# this version of the secret was created"; LastAccessedDate is the day it was last read, and moto
# does not keep that, so it is left out (AWS leaves it out for a version never read). moto keeps
# each version's creation time ("createdate", on its clock) and reports it from GetSecretValue.


def _list_secret_version_ids(self: Any, secret_id: str) -> str:
    secret = self.secrets[secret_id]
    versions = [
        {
            "CreatedDate": version.get("createdate"),
            "VersionId": version_id,
            "VersionStages": version["version_stages"],
        }
        for version_id, version in secret.versions.items()
    ]
    # AWS answers the secret's ARN here; moto answered its name.
    return json.dumps({"ARN": secret.arn, "Name": secret.name, "Versions": versions})


# ---------------------------------------------------------------------------------------------
# Secrets Manager UpdateSecretVersionStage
#
# moto: moving AWSCURRENT moves the label, but not the version moto answers a GetSecretValue
# (or BatchGetSecretValue, which cannot name a stage) with when neither VersionId nor VersionStage
# is given: after a rollback it still returns the newer value. AWS (API reference,
# GetSecretValue, VersionStage): "If you don't specify either a VersionStage or VersionId,
# Secrets Manager returns the AWSCURRENT version." Here moving AWSCURRENT moves that default too.


def _patch_version_stage() -> None:
    from moto.secretsmanager.models import SecretsManagerBackend

    original = SecretsManagerBackend.update_secret_version_stage

    def update_secret_version_stage(self: Any, secret_id: str, version_stage: str,
                                    remove_from_version_id: str, move_to_version_id: str) -> Any:
        result = original(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
        if version_stage == "AWSCURRENT" and move_to_version_id:
            self.secrets[secret_id].set_default_version_id(move_to_version_id)
        return result

    SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage  # type: ignore[method-assign]


def install() -> None:
    """Applies every patch; call once, before the server starts."""
    from moto.secretsmanager.models import SecretsManagerBackend

    SecretsManagerBackend.list_secret_version_ids = _list_secret_version_ids  # type: ignore[method-assign]
    _patch_secrets_store()
    _patch_version_stage()
    IamResponse.generate_credential_report = _generate_credential_report  # type: ignore[method-assign]
    IamResponse.get_credential_report = _get_credential_report  # type: ignore[method-assign]
    SecretsManagerResponse.batch_get_secret_value = _batch_get_secret_value  # type: ignore[method-assign]
    _patch_when_imported("moto.ssm.models", _patch_ssm)
