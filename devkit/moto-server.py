"""moto as the tests, the benchmarks and the sandbox run it: `python -m moto.server` plus
extensions, all kept to AWS's documented behaviour (docs/moto.md):

- CloudTrail event history (moto_cloudtrail.py, beside this file): every API request served is
  recorded as a CloudTrail management event, and LookupEvents answers from that history.
- Fixes where moto answers differently from AWS (moto_extensions.py, beside this file): the IAM
  credential report, and the others docs/moto.md marks _extended_.
- A clock that can be moved forward, for the sandbox.

The sandbox walks a key rotation through its 24-hour quiet period and 7-day grace period in a
minute, so the bot's clock jumps ahead. moto stamps key creation and "last used" with its own
clock; if that one stayed behind, a key used "now" would look a day old to the bot. moto has no
time-travel API, so this launcher shifts moto's own `utcnow` (and Secrets Manager's version
dates) by an offset that `POST /_sandbox/clock {"offset_ms": N}` sets. Everything else is
`python -m moto.server` unchanged. At offset 0 (the default) the clock is moto's own.

Usage: python3 moto-server.py HOST PORT
"""

import datetime
import json
import sys
import time as real_time
import types

import moto.core.utils as core_utils

_offset = datetime.timedelta(0)
_real_utcnow = core_utils.utcnow


def _shifted_utcnow() -> datetime.datetime:
    return _real_utcnow() + _offset


# Modules bind `utcnow` when imported (`from moto.core.utils import utcnow`), so the patch must
# land before the services we use are imported; they are imported eagerly just below.
core_utils.utcnow = _shifted_utcnow

import moto.cloudtrail.responses  # noqa: E402,F401
import moto.iam.models  # noqa: E402
import moto.secretsmanager.models as sm_models  # noqa: E402
import moto.sts.models  # noqa: E402

# Secrets Manager dates versions with time.time(); give that module a shifted `time`.
sm_models.time = types.SimpleNamespace(  # type: ignore[assignment]
    time=lambda: real_time.time() + _offset.total_seconds(),
)

for _name, _module in list(sys.modules.items()):
    if _name.startswith("moto") and getattr(_module, "utcnow", None) is _real_utcnow:
        _module.utcnow = _shifted_utcnow  # type: ignore[attr-defined]

from moto.moto_server.threaded_moto_server import DomainDispatcherApplication  # noqa: E402
from moto.server import create_backend_app  # noqa: E402
from werkzeug.serving import run_simple  # noqa: E402

import moto_cloudtrail  # noqa: E402  (this file's directory is on sys.path when run as a script)
import moto_extensions  # noqa: E402

moto_extensions.install()


def _clock_app(environ, start_response):
    global _offset
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            _offset = datetime.timedelta(milliseconds=float(body["offset_ms"]))
        except (ValueError, KeyError, TypeError):
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"error":"send {\\"offset_ms\\": number}"}']
    payload = json.dumps({"offset_ms": _offset.total_seconds() * 1000}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [payload]


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    moto_app = moto_cloudtrail.install(DomainDispatcherApplication(create_backend_app))

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/_sandbox/clock":
            return _clock_app(environ, start_response)
        return moto_app(environ, start_response)

    run_simple(host, port, app, threaded=True)


if __name__ == "__main__":
    main()
