"""CloudTrail event history for moto: every API request moto serves becomes a management event,
and CloudTrail's LookupEvents answers from that history.

moto 5.2.1 has CloudTrail trails but no event history (LookupEvents is not implemented), so a
bot that reads CloudTrail cannot be tested against it. This module adds the two halves, kept
to AWS's documented shapes (docs/moto.md lists the sources and what is simplified):

- a WSGI middleware around moto that records each signed JSON- or query-protocol request as a
  CloudTrail record: eventVersion, userIdentity (IAMUser, AssumedRole with sessionContext and
  sourceIdentity, or Root), eventTime, eventSource, eventName, awsRegion, sourceIPAddress,
  userAgent, requestParameters (secret values left out), responseElements for writes,
  errorCode/errorMessage, requestID, eventID, readOnly, eventType, managementEvent,
  recipientAccountId, eventCategory. DynamoDB item calls are data events, which event history
  does not hold, so they are not recorded; REST-protocol services (S3, Lambda) are not recorded.
- `LookupEvents` on moto's CloudTrail responses: one lookup attribute (EventId, EventName,
  ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId), StartTime/EndTime,
  MaxResults 1-50 (default 50), NextToken bound to the parameters it was issued for, newest
  first, the last 90 days, AWS's error names, and throttling: 2 requests per second per account
  and Region (a token bucket holding 2), answered with ThrottlingException beyond that.

`GET /_cloudtrail/stats` reports per account and Region how many LookupEvents were served and
throttled, for tests that prove a client stays under the limit. `POST /moto-api/reset` clears
the history with everything else.
"""

from __future__ import annotations

import base64
import bisect
import datetime
import hashlib
import io
import json
import re
import threading
import time
import uuid
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import moto.core.utils as core_utils
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.exceptions import JsonRESTError

EVENT_VERSION = "1.08"
RETENTION = datetime.timedelta(days=90)
#: Events kept per account and Region (the oldest go first): enough for any test or benchmark.
MAX_EVENTS = 20_000
#: LookupEvents: "two per second, per account, per Region" (CloudTrail API reference).
LOOKUP_RATE_PER_SECOND = 2.0
LOOKUP_BURST = 2.0

LOOKUP_KEYS = {
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
}

#: Services whose events CloudTrail files under us-east-1 whatever Region the caller names.
GLOBAL_SERVICES = {"iam"}

#: DynamoDB item-level calls are data events: CloudTrail event history does not hold them.
DATA_EVENTS = {
    "dynamodb": {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchGetItem",
        "BatchWriteItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
    }
}

#: Request fields that carry secret material; CloudTrail never logs their values.
SENSITIVE_FIELDS = {
    "SecretString",
    "SecretBinary",
    "SecretAccessKey",
    "Password",
    "NewPassword",
    "OldPassword",
    "SessionToken",
    "PrivateKey",
}

READ_ONLY_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Lookup",
    "BatchGet",
    "Head",
    "Search",
    "Check",
    "Validate",
    "Simulate",
    "Test",
    "Estimate",
)

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


def _now() -> datetime.datetime:
    # Through the module attribute, so the devkit's movable clock (moto-server.py) applies.
    return core_utils.utcnow()


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(moment: datetime.datetime) -> float:
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def _lower_first(key: str) -> str:
    """`SecretId` -> `secretId`, `ARN` -> `arn`, `KMSKeyId` -> `kmsKeyId` (a leading acronym is
    lowercased whole: AWS's Secrets Manager records say `arn`, no longer `aRN`)."""
    run = len(key) - len(key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if run > 1 and run < len(key) and key[run].islower():
        run -= 1
    run = max(run, 1)
    return key[:run].lower() + key[run:]


def _camel(value: Any) -> Any:
    """CloudTrail's requestParameters spell API member names with a lowercase first letter."""
    if isinstance(value, dict):
        return {_lower_first(k): _camel(v) for k, v in value.items() if k not in SENSITIVE_FIELDS}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _query_params(form: dict[str, list[str]]) -> dict[str, Any]:
    """Query-protocol parameters (`Tags.member.1.Key=x`) as nested requestParameters."""
    out: dict[str, Any] = {}
    for raw_key, values in sorted(form.items()):
        parts = raw_key.split(".")
        if raw_key in ("Action", "Version") or not values or any(p in SENSITIVE_FIELDS for p in parts):
            continue
        path: list[Any] = []
        i = 0
        while i < len(parts):
            if parts[i] in ("member", "entry") and i + 1 < len(parts) and parts[i + 1].isdigit():
                path.append(int(parts[i + 1]) - 1)
                i += 2
            else:
                path.append(_lower_first(parts[i]))
                i += 1
        _set_path(out, path, values[0])
    return out


def _set_path(node: Any, path: list[Any], value: str) -> None:
    for i, step in enumerate(path):
        last = i == len(path) - 1
        fresh: Any = None if last else ([] if isinstance(path[i + 1], int) else {})
        if isinstance(node, list):
            while len(node) <= step:
                node.append(None)
            if last:
                node[step] = value
                return
            if not isinstance(node[step], (list, dict)):
                node[step] = fresh
            node = node[step]
        else:
            if last:
                node[step] = value
                return
            if not isinstance(node.get(step), (list, dict)):
                node[step] = fresh
            node = node[step]


class EventStore:
    """The event history, per (account, Region), oldest first; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[tuple[str, str], list[tuple[float, int, dict[str, Any]]]] = {}
        self._seq = 0
        #: Session access key -> what the AssumeRole call that made it said (sourceIdentity, date).
        self.sessions: dict[str, dict[str, str]] = {}
        self._buckets: dict[tuple[str, str], list[float]] = {}
        self.lookup_stats: dict[tuple[str, str], dict[str, int]] = {}

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self.sessions.clear()
            self._buckets.clear()
            self.lookup_stats.clear()

    def add(self, account: str, region: str, event: dict[str, Any]) -> None:
        with self._lock:
            self._seq += 1
            entry = (event["_epoch"], self._seq, event)
            events = self._events.setdefault((account, region), [])
            if not events or events[-1][:2] <= entry[:2]:
                events.append(entry)
            else:
                bisect.insort(events, entry, key=lambda e: e[:2])
            if len(events) > MAX_EVENTS:
                del events[: len(events) - MAX_EVENTS]

    def newest_first(self, account: str, region: str) -> list[tuple[float, int, dict[str, Any]]]:
        with self._lock:
            return list(reversed(self._events.get((account, region), [])))

    def take_lookup_token(self, account: str, region: str) -> bool:
        """One LookupEvents from the account's bucket for the Region; False when throttled."""
        key = (account, region)
        now = time.monotonic()
        with self._lock:
            stats = self.lookup_stats.setdefault(key, {"served": 0, "throttled": 0})
            tokens, last = self._buckets.get(key, [LOOKUP_BURST, now])
            tokens = min(LOOKUP_BURST, tokens + (now - last) * LOOKUP_RATE_PER_SECOND)
            if tokens < 1.0:
                self._buckets[key] = [tokens, now]
                stats["throttled"] += 1
                return False
            self._buckets[key] = [tokens - 1.0, now]
            stats["served"] += 1
            return True

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "lookupEvents": [
                    {"account": a, "region": r, **counts}
                    for (a, r), counts in sorted(self.lookup_stats.items())
                ],
                "events": sum(len(v) for v in self._events.values()),
            }


STORE = EventStore()


# ---------------------------------------------------------------------------------------------
# Who signed the request


def _identity(access_key: str) -> tuple[str, dict[str, Any], str | None]:
    """(account, userIdentity, Username) for the key that signed a request."""
    from moto.iam.models import get_account_id_from, iam_backends
    from moto.sts.models import sts_backends

    account = get_account_id_from(access_key)
    iam = iam_backends[account]["aws"]
    sts = sts_backends[account]["aws"]
    role = sts.get_assumed_role_from_access_key(access_key)
    if role is not None:
        role_name = role.role_arn.split("/")[-1]
        try:
            role_id = iam.get_role_by_arn(role.role_arn).id
        except Exception:  # the role was deleted since; AWS would still name the session
            role_id = role.user_id.split(":")[0]
        session = STORE.sessions.get(access_key, {})
        context: dict[str, Any] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": role.role_arn,
                "accountId": account,
                "userName": role_name,
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": session.get("creationDate", _iso(_now())),
                "mfaAuthenticated": "false",
            },
        }
        if session.get("sourceIdentity"):
            context["sourceIdentity"] = session["sourceIdentity"]
        identity = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{role.session_name}",
            "arn": role.arn,
            "accountId": account,
            "accessKeyId": access_key,
            "sessionContext": context,
        }
        return account, identity, role.session_name
    key = iam.access_keys.get(access_key)
    user_name = getattr(key, "user_name", None)
    user = iam.users.get(user_name) if user_name else None
    if user is not None:
        identity = {
            "type": "IAMUser",
            "principalId": user.id,
            "arn": user.arn,
            "accountId": account,
            "accessKeyId": access_key,
            "userName": user.name,
        }
        return account, identity, user.name
    # A key moto does not know: moto serves it as the account itself.
    identity = {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        "accessKeyId": access_key,
    }
    return account, identity, "root"


# ---------------------------------------------------------------------------------------------
# What the request was


class _Call:
    def __init__(self, service: str, action: str, region: str, access_key: str, params: dict[str, Any]):
        self.service = service
        self.action = action
        self.region = region
        self.access_key = access_key
        self.params = params


def _describe(environ: dict[str, Any], body: bytes) -> _Call | None:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = CREDENTIAL.search(auth)
    if not match:
        return None  # unsigned: CloudTrail records authenticated calls
    access_key, _, region, service = match.groups()
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    params: dict[str, Any]
    if target:
        action = target.rsplit(".", 1)[-1]
        try:
            decoded = json.loads(body or b"{}")
        except ValueError:
            decoded = {}
        params = _camel(decoded) if isinstance(decoded, dict) else {}
    else:
        content_type = environ.get("CONTENT_TYPE", "")
        form: dict[str, list[str]] = {}
        if "x-www-form-urlencoded" in content_type:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        for key, values in parse_qs(environ.get("QUERY_STRING", "")).items():
            form.setdefault(key, values)
        action = (form.get("Action") or [""])[0]
        if not action:
            return None  # a REST-protocol service (S3, Lambda): not modelled
        params = _query_params(form)
    if action in DATA_EVENTS.get(service, ()):
        return None
    if service in GLOBAL_SERVICES:
        region = "us-east-1"
    return _Call(service, action, region, access_key, params)


def _read_only(action: str) -> bool:
    return action.startswith(READ_ONLY_PREFIXES)


def _error(body: bytes) -> tuple[str, str]:
    text = body.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
        code = str(doc.get("__type") or doc.get("code") or "")
        return code.split("#")[-1], str(doc.get("message") or doc.get("Message") or "")
    except ValueError:
        pass
    code = re.search(r"<Code>([^<]*)</Code>", text)
    message = re.search(r"<Message>([^<]*)</Message>", text)
    return (code.group(1) if code else "", message.group(1) if message else "")


def _xml(tag: str, text: str) -> str | None:
    found = re.search(rf"<{tag}>([^<]*)</{tag}>", text)
    return found.group(1) if found else None


def _java_date(moment: datetime.datetime) -> str:
    """AWS's documented STS records write expirations as `Jul 18, 2014 4:07:39 PM`."""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment.strftime('%b')} {moment.day}, {moment.year} {hour}:{moment.strftime('%M:%S')} {half}"


def _response_elements(call: _Call, body: bytes, caller: dict[str, Any]) -> dict[str, Any] | None:
    """responseElements for writes (reads have none), following AWS's documented samples."""
    text = body.decode("utf-8", "replace")
    if call.service == "sts" and call.action == "AssumeRole":
        key_id = _xml("AccessKeyId", text)
        if not key_id:
            return None
        expiration = _xml("Expiration", text)
        try:
            exp = datetime.datetime.fromisoformat((expiration or "").replace("Z", "+00:00"))
            exp_text = _java_date(exp)
        except ValueError:
            exp_text = expiration or ""
        source_identity = call.params.get("sourceIdentity") or caller.get("sessionContext", {}).get(
            "sourceIdentity"
        )
        elements: dict[str, Any] = {
            "credentials": {
                "accessKeyId": key_id,
                "sessionToken": _xml("SessionToken", text) or "",
                "expiration": exp_text,
            },
            "assumedRoleUser": {
                "assumedRoleId": _xml("AssumedRoleId", text) or "",
                "arn": _xml("Arn", text) or "",
            },
        }
        if source_identity:
            elements["sourceIdentity"] = source_identity
        return elements
    if _read_only(call.action):
        return None
    if call.service == "iam" and call.action == "CreateAccessKey":
        return {
            "accessKey": {
                "accessKeyId": _xml("AccessKeyId", text),
                "status": _xml("Status", text),
                "userName": _xml("UserName", text),
                "createDate": _xml("CreateDate", text),
            }
        }
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        if isinstance(doc, dict):
            scalars = {k: v for k, v in doc.items() if not isinstance(v, (dict, list))}
            return _camel(scalars) or None
    return None


def _resources(call: _Call, account: str) -> list[dict[str, str]]:
    """LookupEvents' Resources: IAM roles, users and keys named in the request. Secrets Manager
    events carry none (AWS's documented lookup-events sample shows `"Resources": []`)."""
    found: list[dict[str, str]] = []
    if call.service == "sts" and call.params.get("roleArn"):
        found.append({"ResourceType": "AWS::IAM::Role", "ResourceName": call.params["roleArn"]})
    if call.service == "iam":
        if call.params.get("userName"):
            found.append({"ResourceType": "AWS::IAM::User", "ResourceName": call.params["userName"]})
        if call.params.get("accessKeyId"):
            found.append(
                {"ResourceType": "AWS::IAM::AccessKey", "ResourceName": call.params["accessKeyId"]}
            )
    return found


def _record(
    call: _Call,
    account: str,
    identity: dict[str, Any],
    username: str | None,
    environ: dict[str, Any],
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    moment: datetime.datetime,
    *,
    event_name: str | None = None,
    request_parameters: dict[str, Any] | None = None,
) -> None:
    name = event_name or call.action
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": _iso(moment),
        "eventSource": f"{call.service}.amazonaws.com",
        "eventName": name,
        "awsRegion": call.region,
        "sourceIPAddress": environ.get("REMOTE_ADDR", "127.0.0.1"),
        "userAgent": environ.get("HTTP_USER_AGENT", ""),
        "requestParameters": (
            request_parameters if request_parameters is not None else (call.params or None)
        ),
    }
    if status >= 400:
        code, message = _error(body)
        record["errorCode"] = code or f"HTTP{status}"
        if message:
            record["errorMessage"] = message
        record["responseElements"] = None
    else:
        record["responseElements"] = (
            _response_elements(call, body, identity) if event_name is None else None
        )
    header_map = {k.lower(): v for k, v in headers}
    record["requestID"] = (
        header_map.get("x-amzn-requestid") or header_map.get("x-amz-request-id") or str(uuid.uuid4())
    )
    record["eventID"] = str(uuid.uuid4())
    record["readOnly"] = _read_only(name)
    resources = _resources(call, account)
    if resources and call.service == "sts":
        record["resources"] = [
            {"ARN": r["ResourceName"], "accountId": account, "type": r["ResourceType"]} for r in resources
        ]
    record["eventType"] = "AwsApiCall"
    record["managementEvent"] = True
    record["recipientAccountId"] = account
    record["eventCategory"] = "Management"
    event = {
        "_epoch": float(int(_epoch(moment))),
        "_username": username,
        "_resources": resources,
        "record": record,
    }
    STORE.add(account, call.region, event)


def _after_assume_role(
    call: _Call, identity: dict[str, Any], status: int, body: bytes, moment: datetime.datetime
) -> None:
    """Remembers the new session's SourceIdentity, which moto does not keep; it persists through
    role chaining (IAM User Guide, "Monitor and control actions taken with assumed roles")."""
    if status >= 400:
        return
    key_id = _xml("AccessKeyId", body.decode("utf-8", "replace"))
    if not key_id:
        return
    source = call.params.get("sourceIdentity") or identity.get("sessionContext", {}).get("sourceIdentity")
    STORE.sessions[key_id] = {"creationDate": _iso(moment), **({"sourceIdentity": source} if source else {})}


def _batch_reads(
    call: _Call,
    account: str,
    identity: dict[str, Any],
    username: str | None,
    environ: dict[str, Any],
    headers: list[tuple[str, str]],
    body: bytes,
    moment: datetime.datetime,
) -> None:
    """BatchGetSecretValue: "Secrets Manager generates CloudTrail GetSecretValue log entries for
    each secret you request" (Secrets Manager API reference)."""
    try:
        doc = json.loads(body or b"{}")
    except ValueError:
        return
    for value in doc.get("SecretValues", []) if isinstance(doc, dict) else []:
        arn = value.get("ARN")
        if not arn:
            continue
        _record(
            call,
            account,
            identity,
            username,
            environ,
            200,
            headers,
            b"",
            moment,
            event_name="GetSecretValue",
            request_parameters={"secretId": arn},
        )


# ---------------------------------------------------------------------------------------------
# The middleware


def wrap(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """moto's WSGI app, recording every API request it serves."""

    def recorded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/_cloudtrail/stats":
            payload = json.dumps(STORE.stats()).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [payload]
        if path.startswith("/moto-api") or path.startswith("/_"):
            if path == "/moto-api/reset" and method == "POST":
                STORE.clear()
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            call = _describe(environ, body)
        except Exception:  # never let the recorder break a request
            call = None
        if call is None:
            return app(environ, start_response)
        moment = _now()
        try:
            account, identity, username = _identity(call.access_key)
        except Exception:
            return app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            captured["headers"] = headers
            return start_response(status, headers, exc_info)

        result = app(environ, capture)
        try:
            chunks = list(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
        response = b"".join(chunks)
        status = captured.get("status", 500)
        headers = captured.get("headers", [])
        try:
            _record(call, account, identity, username, environ, status, headers, response, moment)
            if call.service == "sts" and call.action == "AssumeRole":
                _after_assume_role(call, identity, status, response, moment)
            if call.service == "secretsmanager" and call.action == "BatchGetSecretValue" and status < 400:
                _batch_reads(call, account, identity, username, environ, headers, response, moment)
        except Exception:
            pass
        return chunks

    return recorded


# ---------------------------------------------------------------------------------------------
# LookupEvents


class _LookupError(JsonRESTError):
    code = 400

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)


def _token_hash(
    attribute: tuple[str, str] | None, start: float | None, end: float | None, category: str | None
) -> str:
    raw = json.dumps([attribute, start, end, category])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _matches(event: dict[str, Any], key: str, value: str) -> bool:
    record = event["record"]
    if key == "EventId":
        return record["eventID"] == value
    if key == "EventName":
        return record["eventName"] == value
    if key == "ReadOnly":
        return str(record["readOnly"]).lower() == value.lower()
    if key == "Username":
        return event["_username"] == value
    if key == "EventSource":
        return record["eventSource"] == value
    if key == "AccessKeyId":
        return record["userIdentity"].get("accessKeyId") == value
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in event["_resources"])
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in event["_resources"])
    return False


def _shape(event: dict[str, Any]) -> dict[str, Any]:
    record = event["record"]
    shaped: dict[str, Any] = {
        "EventId": record["eventID"],
        "EventName": record["eventName"],
        "ReadOnly": "true" if record["readOnly"] else "false",
        "EventTime": event["_epoch"],
        "EventSource": record["eventSource"],
        "Resources": event["_resources"],
        "CloudTrailEvent": json.dumps(record, separators=(",", ":")),
    }
    if record["userIdentity"].get("accessKeyId"):
        shaped["AccessKeyId"] = record["userIdentity"]["accessKeyId"]
    if event["_username"]:
        shaped["Username"] = event["_username"]
    return shaped


def lookup_events(self: CloudTrailResponse) -> str:
    """CloudTrail LookupEvents over the recorded history (see the module docstring)."""
    account, region = self.current_account, self.region
    if not STORE.take_lookup_token(account, region):
        raise _LookupError("ThrottlingException", "Rate exceeded")
    attributes = self._get_param("LookupAttributes") or []
    if len(attributes) > 1:
        raise _LookupError(
            "InvalidLookupAttributesException", "You cannot use more than one lookup attribute."
        )
    attribute: tuple[str, str] | None = None
    if attributes:
        key = attributes[0].get("AttributeKey")
        value = attributes[0].get("AttributeValue")
        if key not in LOOKUP_KEYS or not isinstance(value, str) or not value:
            raise _LookupError(
                "InvalidLookupAttributesException", f"Lookup attribute key {key} is not valid."
            )
        attribute = (key, value)
    max_results = self._get_param("MaxResults")
    if max_results is None:
        max_results = 50
    if not isinstance(max_results, int) or not 1 <= max_results <= 50:
        raise _LookupError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    start = self._get_param("StartTime")
    end = self._get_param("EndTime")
    start_f = float(start) if start is not None else None
    end_f = float(end) if end is not None else None
    if start_f is not None and end_f is not None and start_f > end_f:
        raise _LookupError("InvalidTimeRangeException", "Start time must be before end time.")
    category = self._get_param("EventCategory")
    if category is not None and category != "insight":
        raise _LookupError("InvalidEventCategoryException", "Event category is not valid.")
    fingerprint = _token_hash(attribute, start_f, end_f, category)
    after: tuple[float, int] | None = None
    token = self._get_param("NextToken")
    if token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
            if decoded["h"] != fingerprint:
                raise ValueError("other parameters")
            after = (float(decoded["t"]), int(decoded["s"]))
        except (ValueError, KeyError, TypeError):
            raise _LookupError(
                "InvalidNextTokenException",
                "Invalid token or token that was previously used in a request with different parameters.",
            )
    if category == "insight":
        return json.dumps({"Events": []})  # no Insights in the emulator
    oldest = _epoch(_now() - RETENTION)
    page: list[tuple[float, int, dict[str, Any]]] = []
    more = False
    for entry in STORE.newest_first(account, region):
        epoch, seq, event = entry
        if after is not None and (epoch, seq) >= after:
            continue
        if epoch < oldest or (start_f is not None and epoch < start_f):
            break
        if end_f is not None and epoch > end_f:
            continue
        if attribute and not _matches(event, *attribute):
            continue
        if len(page) == max_results:
            more = True
            break
        page.append(entry)
    answer: dict[str, Any] = {"Events": [_shape(e) for _, _, e in page]}
    if more and page:
        last_epoch, last_seq, _ = page[-1]
        cursor = json.dumps({"h": fingerprint, "t": last_epoch, "s": last_seq})
        answer["NextToken"] = base64.urlsafe_b64encode(cursor.encode()).decode()
    return json.dumps(answer)


def install(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Adds LookupEvents to moto's CloudTrail and returns `app` recording every request."""
    CloudTrailResponse.lookup_events = lookup_events  # type: ignore[attr-defined]
    return wrap(app)
