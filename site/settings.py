"""Every setting catsite reads, declared once.

Each field of `Settings` is declared with `setting(...)`: the environment variable it comes from,
how its text is read, its default, and what it means. That one declaration drives the loader
(`Settings.load`), the configuration table in README and `.env.example` (both are rendered from it
by `configuration_table()` and `env_example()`, and a test holds the files to what they render).
Settings come from the environment, and a mapping passed to `create_app` overrides them key by
key. Nothing else in the package reads `os.environ`.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: A mebibyte: the unit of the size settings below and of the doors' table (catsite.doors.table).
MIB = 1024 * 1024

#: The project root: `templates/` and `static/` sit beside the package, both in a checkout
#: (`site/..`) and in the Lambda zip (`catsite/..` is the zip root).
DEFAULT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting is present but unusable; raised when the app is built, never per request."""


# -- how a setting's text is read -----------------------------------------------------------------


def text(name: str, raw: str) -> str:
    return raw


def base_url(name: str, raw: str) -> str:
    return raw.rstrip("/")


def optional(name: str, raw: str) -> str | None:
    return raw or None


def origins(name: str, raw: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def public_address(name: str, raw: str) -> str:
    """An http(s) origin with an optional path: `https://cats.example.com`, `https://h/dev`."""
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"{name} must be http(s)://host[:port][/path], not {raw!r}")
    return raw.rstrip("/")


#: The shortest shared secret accepted: 128 bits as `secrets.token_urlsafe(16)` writes them.
SECRET_MIN_LENGTH = 22


def shared_secret(name: str, raw: str) -> str:
    """A value only two parties know, long enough not to be guessed."""
    if len(raw) < SECRET_MIN_LENGTH:
        raise SettingsError(f"{name} must be at least {SECRET_MIN_LENGTH} characters long")
    return raw


def folder(name: str, raw: str) -> Path:
    return Path(raw)


def positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


def seconds(name: str, raw: str) -> float:
    return float(positive_int(name, raw))


def setting(
    env: str | tuple[str, ...],
    meaning: str,
    default: object = dataclasses.MISSING,
    *,
    read: Callable[[str, str], object] = text,
    shown: str | None = None,
    example: str | None = None,
    documented: bool = True,
    required: str = "",
):
    """One setting: read from `env` (the first of several names that is set), by `read`, else
    `default` (none: required). `meaning` and `shown` (the default as people read it) are README's
    and `.env.example`'s words; `example` is `.env.example`'s value (default: the default's).
    `documented=False` is for variables the platform sets (Lambda's own)."""
    names = (env,) if isinstance(env, str) else env
    metadata = {
        "env": names,
        "read": read,
        "meaning": meaning,
        "shown": shown,
        "example": example,
        "documented": documented,
        "required": required,
    }
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    bucket: str = setting(
        "CATSITE_BUCKET",
        "the stage's S3 bucket (state, uploads, pictures, results)",
        shown="required; set by `./scripts/serve` and `python main.py`",
        example="catsite-dev-example",
        required="name the S3 bucket that holds this stage's state (./scripts/serve and "
        "`python main.py` start a local S3 and set it for you)",
    )
    s3_endpoint_url: str | None = setting(
        "AWS_ENDPOINT_URL_S3",
        "endpoint of an S3-compatible server (a local S3 for development)",
        None,
        read=optional,
        shown="AWS",
        example="http://127.0.0.1:5001",
    )
    region: str = setting(
        ("AWS_REGION", "AWS_DEFAULT_REGION"), "region of the bucket (Lambda sets it)", "us-east-1"
    )
    public_url: str = setting(
        "CATSITE_PUBLIC_URL",
        "the site's public address (scheme, host, path prefix if any): every absolute URL the site "
        "writes starts with it, never with a request's `Host`; empty: relative URLs only",
        "",
        read=public_address,
        shown="empty; `./scripts/serve` sets its own, `scripts/deploy` the stage's",
        example="http://127.0.0.1:5000",
    )
    static_url: str = setting(
        "CATSITE_STATIC_URL",
        "base URL of published static assets; empty means Flask serves `/static`",
        "",
        read=base_url,
        shown="empty; `scripts/deploy` sets the site's own `/static`",
    )
    renditions_url: str = setting(
        "CATSITE_RENDITIONS_URL",
        "base URL under which browsers read picture renditions (`pics/public/`); empty means the "
        "bucket's own address",
        "",
        read=base_url,
        shown="empty; `scripts/deploy` sets the site's own host",
    )
    edge_secret: str = setting(
        "CATSITE_EDGE_SECRET",
        "the value the stage's CloudFront distribution sends in `X-Catsite-Edge`: only a request "
        "carrying it is trusted to have come through the distribution; empty: none is",
        "",
        read=shared_secret,
        shown="empty; `scripts/deploy` sets the stage's",
        example="",
    )
    max_upload_bytes: int = setting(
        "CATSITE_MAX_UPLOAD_BYTES",
        "largest direct upload to S3 (presigned policy and registration check)",
        25 * MIB,
        read=positive_int,
        shown="25 MiB",
    )
    max_request_bytes: int = setting(
        "CATSITE_MAX_REQUEST_BYTES",
        "largest request body the app accepts; a door that carries less lowers it",
        1 * MIB,
        read=positive_int,
        shown="1 MiB",
    )
    cors_origins: tuple[str, ...] = setting(
        "CATSITE_CORS_ORIGINS",
        "comma-separated origins allowed to call the API from another site's pages (API paths only; "
        "pages never)",
        (),
        read=origins,
        shown="none",
        example="",
    )
    root: Path = setting(
        "CATSITE_ROOT",
        "folder holding `templates/` and `static/`",
        DEFAULT_ROOT,
        read=folder,
        shown="beside the package",
        example="",
    )
    #: Past it, synchronous long work is handed to a job.
    long_work_budget: float = setting(
        "CATSITE_LONG_WORK_BUDGET_SECONDS",
        "how long a synchronous request may work when no Lambda context says (the local server)",
        25.0,
        read=seconds,
        shown="25",
    )
    job_budget: float = setting(
        "CATSITE_JOB_BUDGET_SECONDS",
        "how long a job may work when no Lambda context says",
        840.0,
        read=seconds,
        shown="840",
    )
    #: Set on Lambda: jobs run as their own invocation there.
    lambda_function: str = setting(
        "AWS_LAMBDA_FUNCTION_NAME", "the function's name, set by Lambda", "", documented=False
    )
    admin_token: str = setting(
        "CATSITE_ADMIN_TOKEN",
        "the moderation secret `DELETE /cat/pics/<id>` requires, for local runs; empty means nobody "
        "may delete (deployed stages keep it in Parameter Store instead)",
        "",
        shown="empty",
    )
    admin_token_parameter: str = setting(
        "CATSITE_ADMIN_TOKEN_PARAMETER",
        "name of the SSM Parameter Store SecureString that holds the admin token (deployed "
        "stages); when set, `CATSITE_ADMIN_TOKEN` is not read",
        "",
        shown="empty; the stages set `/catsite/<stage>/admin-token`",
        example="",
    )
    admin_token_ttl: float = setting(
        "CATSITE_ADMIN_TOKEN_TTL_SECONDS",
        "how long a token read from Parameter Store is used before it is read again (a rotation "
        "takes effect within it)",
        300.0,
        read=seconds,
        shown="300",
    )
    memory_mib: int = setting(
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "CATSITE_MEMORY_MB"),
        "the memory the function has, in MB (Lambda sets `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` from the "
        "stage's `memory_size`); a picture is accepted only if it decodes in a share of it",
        512,
        read=positive_int,
        shown="512 (the dev stage's)",
    )
    max_pictures: int = setting(
        "CATSITE_MAX_PICTURES", "quota: how many pictures the site stores at most", 1000, read=positive_int
    )
    max_picture_bytes: int = setting(
        "CATSITE_MAX_PICTURE_BYTES",
        "quota: total bytes under `pics/` (originals, renditions, records)",
        2 * 1024 * MIB,
        read=positive_int,
        shown="2 GiB",
    )
    max_pending_uploads: int = setting(
        "CATSITE_MAX_PENDING_UPLOADS",
        "quota: how many upload grants may wait to be registered at once (their bytes count too)",
        20,
        read=positive_int,
    )
    #: The janitor (`catsite.jobs.janitor`) leaves every object younger than this alone, so a
    #: registration or delete in flight is never touched.
    janitor_grace: float = setting(
        "CATSITE_JANITOR_GRACE_SECONDS",
        "the janitor leaves every object younger than this alone",
        3600.0,
        read=seconds,
        shown="3600",
    )

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None):
        """Read the environment (or `environ`), then apply `overrides` (by variable name)."""
        source: dict[str, object] = dict(os.environ if environ is None else environ)
        source.update(overrides or {})
        values = {}
        for declared in dataclasses.fields(cls):
            meta = declared.metadata
            given = (source.get(name) for name in meta["env"])
            raw = next((t for v in given if v is not None and (t := str(v).strip())), "")
            if raw:
                values[declared.name] = meta["read"](meta["env"][0], raw)
            elif declared.default is dataclasses.MISSING:
                raise SettingsError(f"{meta['env'][0]} is not set: {meta['required']}")
        return cls(**values)

    @classmethod
    def names(cls) -> frozenset[str]:
        """Every environment variable a setting is read from."""
        return frozenset(n for declared in dataclasses.fields(cls) for n in declared.metadata["env"])


def _documented():
    return [d for d in dataclasses.fields(Settings) if d.metadata["documented"]]


def _shown(declared) -> str:
    meta = declared.metadata
    if meta["shown"] is not None:
        return meta["shown"]
    return f"`{declared.default}`" if isinstance(declared.default, str) else _plain(declared.default)


def _plain(value: object) -> str:
    """A default as its variable would be written: 25.0 seconds as 25."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def configuration_table() -> str:
    """README's configuration table, one row per documented setting, in declaration order."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    for declared in _documented():
        meta = declared.metadata
        rows.append(f"| `{meta['env'][0]}` | {meta['meaning']} | {_shown(declared)} |")
    return "\n".join(rows) + "\n"


def env_example() -> str:
    """`.env.example`: every documented setting, its meaning and an example value."""
    lines = [
        "# catsite configuration, rendered from catsite/settings.py (the one declaration of every",
        "# setting). Locally, ./scripts/serve and `python main.py` set the bucket and the endpoint for",
        "# their own local S3; deployed stages set these in zappa_settings.json, under",
        "# aws_environment_variables.",
    ]
    for declared in _documented():
        meta = declared.metadata
        example = meta["example"]
        if example is None:
            default = declared.default
            example = "" if default in (None, "", ()) else _plain(default)
        meaning = meta["meaning"][:1].upper() + meta["meaning"][1:]
        comment = f"{meaning} (default: {_shown(declared)}).".replace("`", "")
        lines += ["", *textwrap.wrap(comment, 98, initial_indent="# ", subsequent_indent="# ")]
        lines.append(f"{meta['env'][0]}={example}")
    return "\n".join(lines) + "\n"
