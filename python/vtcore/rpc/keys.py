"""CURVE key pairs and the server's allow-list of client keys, kept under `.vntrader/rpc/` owner-only.

Files use ZeroMQ's certificate format (`zmq.auth.load_certificate` reads them):
- `server.key` / `server.key_secret`: the server's public key (give it to clients) and its key pair;
- `client.key` / `client.key_secret`: this host's client key pair (an RpcGateway's identity);
- `authorized_clients/<name>.key`: the public keys the server lets in (requests and subscriptions alike).

Every file is written 0600 in a 0700 folder; a secret file that other users can read is refused, as ssh does.
A secret key never appears in a repr, log line or exception text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from zmq.utils import z85

from vtcore.log import get_logger, register_secret
from vtcore.rpc.protocol import KeyFileError
from vtcore.setting import get_folder_path

KEY_FOLDER = "rpc"
AUTHORIZED_FOLDER = "authorized_clients"
SERVER_KEY_NAME = "server"
CLIENT_KEY_NAME = "client"
_KEY_LINE = re.compile(r'^\s*(public|secret)-key\s*=\s*"([^"]*)"\s*$', re.MULTILINE)
_logger = get_logger("vtcore.rpc.keys")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True, repr=False)
class CurveKeyPair:
    """A CURVE key pair as Z85 text (40 bytes each). The repr shows the public key only."""

    public: bytes
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        register_secret(self.secret.decode("ascii"))

    def __repr__(self) -> str:
        return f"CurveKeyPair(public={self.public.decode('ascii')!r}, secret=<hidden>)"


def key_folder(folder: Path | None = None) -> Path:
    """`folder`, or `.vntrader/rpc`; created 0700 when missing."""
    if folder is None:
        return get_folder_path(KEY_FOLDER)
    _private_dir(folder)
    return folder


def normalize_public_key(key: str | bytes) -> bytes:
    """A public key as 40 bytes of Z85, checked; raises ValueError naming what is wrong (keys are public)."""
    raw = key.encode("ascii") if isinstance(key, str) else bytes(key)
    raw = raw.strip()
    if len(raw) != 40:
        raise ValueError(f"a CURVE public key is 40 characters of Z85, got {len(raw)} characters")
    try:
        z85.decode(raw)
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"not a Z85 CURVE public key: {raw.decode('ascii', 'replace')!r}") from None
    return raw


def load_or_create_keypair(name: str, folder: Path | None = None) -> CurveKeyPair:
    """The key pair `<name>.key_secret` in the key folder, generated (with `<name>.key`) on first use."""
    folder = key_folder(folder)
    secret_path = folder / f"{name}.key_secret"
    if secret_path.exists():
        return load_keypair(secret_path)
    public, secret = zmq.curve_keypair()
    _write_private(folder / f"{name}.key", _certificate(public, None))
    _write_private(secret_path, _certificate(public, secret))
    return CurveKeyPair(public, secret)


def load_keypair(path: Path) -> CurveKeyPair:
    """A key pair from a `*.key_secret` file that only its owner can read."""
    mode = _stat_mode(path)
    if mode & 0o077:
        raise KeyFileError(
            f"secret key file {path} is readable by other users (mode {mode:o}); run `chmod 600` on it"
        )
    keys = _read_certificate(path)
    if "secret" not in keys:
        raise KeyFileError(f"{path} holds no secret-key line")
    return CurveKeyPair(keys["public"], keys["secret"])


def load_public_key(path: Path) -> bytes:
    """The public key of a certificate file (either kind)."""
    return _read_certificate(path)["public"]


def authorize_client(public_key: str | bytes, name: str, folder: Path | None = None) -> Path:
    """Add a client's public key to the server's allow-list (takes effect at the client's next handshake)."""
    if not _NAME.match(name):
        raise ValueError(f"client name must be 1-64 letters, digits, '_', '-' or '.', got {name!r}")
    key = normalize_public_key(public_key)
    allowed = key_folder(folder) / AUTHORIZED_FOLDER
    _private_dir(allowed)
    path = allowed / f"{name}.key"
    _write_private(path, _certificate(key, None))
    return path


def load_authorized_keys(folder: Path | None = None) -> dict[bytes, str]:
    """The allow-list: Z85 public key -> client name. A malformed file is skipped with a warning."""
    allowed = key_folder(folder) / AUTHORIZED_FOLDER
    keys: dict[bytes, str] = {}
    if not allowed.is_dir():
        return keys
    for path in sorted(allowed.glob("*.key")):
        try:
            keys[load_public_key(path)] = path.stem
        except (KeyFileError, ValueError) as exc:
            _logger.warning("RPC allow-list: skipped %s: %s", path.name, exc)
    return keys


def fingerprint(public_key: bytes) -> str:
    """A short, public label for a client key in logs."""
    return public_key[:8].decode("ascii", "replace")


def _certificate(public: bytes, secret: bytes | None) -> str:
    kind = "Secret" if secret is not None else "Public"
    lines = [
        f"#   ****  Generated on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC by vtcore  ****",
        f"#   ZeroMQ CURVE {kind} Certificate",
        "#   Owner-only: never give a secret certificate to anyone."
        if secret is not None
        else "#   Public: give this file to the peers that must trust this key.",
        "",
        "metadata",
        "curve",
        f'    public-key = "{public.decode("ascii")}"',
    ]
    if secret is not None:
        lines.append(f'    secret-key = "{secret.decode("ascii")}"')
    return "\n".join(lines) + "\n"


def _read_certificate(path: Path) -> dict[str, bytes]:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.__class__.__name__}") from None
    keys: dict[str, bytes] = {}
    for kind, value in _KEY_LINE.findall(text):
        raw = value.encode("ascii")
        if len(raw) != 40:
            raise KeyFileError(f"{path}: the {kind} key is not 40 characters of Z85")
        keys[kind] = raw
    if "public" not in keys:
        raise KeyFileError(f"{path} holds no public-key line")
    return keys


def _stat_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} does not exist") from None


def _private_dir(path: Path) -> None:
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)


def _write_private(path: Path, text: str) -> None:
    """Write 0600 through a temporary file and a rename, so no reader ever sees half a key."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as stream:
            stream.write(text)
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
