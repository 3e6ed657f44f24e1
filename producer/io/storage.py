"""Where episodes are published: a local folder or an S3-compatible bucket,
behind one small interface.

Both keep a SHA-256 of every object they hold (S3: object metadata; local: the
file itself), so publishing unchanged files uploads nothing, and both offer a
conditional write for the feed: S3 with If-Match / If-None-Match, the local
folder with a lock on the folder itself (no lock file among
what is served) and an atomic rename. botocore's errors are translated
here; credentials never appear in a message.
"""
from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, TypeVar
from urllib.parse import urlparse

from ..core.episode.models import Show
from ..errors import Conflict, InputError, StorageError, UploadMismatch, os_reason
from . import files
from .retry import RetryPolicy

PART_SIZE = 8 * 1024 * 1024
# each S3 request: six tries ride out a restarting endpoint or a burst of 503 SlowDown
# without hiding a dead one for minutes (botocore waits between them itself)
S3_REQUESTS = RetryPolicy(tries=6)
T = TypeVar("T")


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    sha256: str | None  # what we stored beside the object (S3 metadata) or the file's own
    etag: str | None = None
    checksum_sha256: str | None = None  # the service's own, where it supports additional checksums


class Storage(Protocol):
    def describe(self) -> str: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def upload(self, key: str, path: Path, content_type: str, cache_control: str, sha256: str) -> ObjectInfo: ...
    def read(self, key: str) -> tuple[bytes, str] | None: ...
    def write_if(self, key: str, data: bytes, content_type: str, cache_control: str,
                 etag: str | None) -> str: ...


def holds(info: ObjectInfo | None, path: Path, sha256: str) -> bool:
    """Whether the object (as a HEAD found it) already is this file: re-publishing
    an unchanged file uploads nothing."""
    return info is not None and info.sha256 == sha256 and info.size == path.stat().st_size


def sha256_checksums(path: Path, part_size: int = PART_SIZE) -> set[str]:
    """The SHA-256 checksums S3 may report for this file (base64): of the whole
    body, or for a multipart upload of the parts' digests (AWS adds "-N")."""
    whole, parts = hashlib.sha256(), []
    for block in files.blocks(path, part_size):
        whole.update(block)
        parts.append(hashlib.sha256(block).digest())
    found = {base64.b64encode(whole.digest()).decode()}
    if len(parts) > 1:
        found.add(base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode())
    return found


def verify_upload(where: str, path: Path, sha256: str, info: ObjectInfo | None) -> ObjectInfo:
    """The object is our file: by the checksum the service computed on receipt
    where it reports one, else by size and the SHA-256 we stored beside it. Never
    by the ETag, which is not an MD5 under SSE-KMS and on many S3-compatibles."""
    if info is None:
        raise UploadMismatch(f"{where}: is missing right after its upload")
    if info.size != path.stat().st_size:  # always: some services store what the client claims as the checksum
        raise UploadMismatch(f"{where}: holds {info.size} bytes after upload, {path} has {path.stat().st_size}")
    if info.checksum_sha256:
        if info.checksum_sha256.split("-")[0] not in sha256_checksums(path):
            raise UploadMismatch(f"{where}: the service's SHA-256 of the object is not that of {path}")
    elif info.sha256 != sha256:
        raise UploadMismatch(f"{where}: does not match {path} after upload (the stored SHA-256 differs)")
    return info


def open_target(target: str, show_root: Path, endpoint_url: str | None = None, region: str | None = None,
                profile: str | None = None) -> Storage:
    if target.startswith("s3://"):
        parsed = urlparse(target)
        if not parsed.netloc:
            raise InputError(f'publish target "{target}": no bucket name')
        return S3Storage(parsed.netloc, parsed.path.strip("/"), endpoint_url, region, profile)
    if "://" in target and not target.startswith("file://"):
        raise InputError(f'publish target "{target}": use a folder or s3://bucket/prefix')
    folder = Path(target[len("file://"):] if target.startswith("file://") else target)
    return LocalStorage(folder if folder.is_absolute() else show_root / folder)


def show_target(show: Show, override: str | None = None) -> Storage:
    """The one resolver of where a show publishes (publish, status, lint, serve):
    `--target` is the user's own words, relative to where they stand, as every CLI
    takes a path; show.toml's publish.target is relative to the show folder."""
    p = show.publish
    if override is not None:
        return open_target(override, Path.cwd(), p.endpoint_url, p.region, p.profile)
    return open_target(p.target, show.root, p.endpoint_url, p.region, p.profile)


class LocalStorage:
    """A folder that is a ready static site. Writes go to a temporary file and
    are renamed into place, so a reader never sees a partial file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        digest = _cached_sha256(path, st) or _remember_sha256(path, files.sha256(path))
        return ObjectInfo(st.st_size, digest, digest)

    def upload(self, key: str, path: Path, content_type: str, cache_control: str, sha256: str) -> ObjectInfo:
        dest = self._path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with path.open("rb") as src:
                self._atomic_write(dest, src.read)
        except OSError as e:
            raise StorageError(f"{dest}: cannot write ({os_reason(e)})") from None
        info = self.head(key)
        if info is None or info.sha256 != sha256 or info.size != path.stat().st_size:
            raise StorageError(f"{dest}: the copy does not match {path} after writing")
        return info

    def _atomic_write(self, dest: Path, read: Callable[[int], bytes]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                for block in iter(lambda: read(1 << 20), b""):
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> tuple[bytes, str] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        data = path.read_bytes()
        return data, hashlib.sha256(data).hexdigest()

    def write_if(self, key: str, data: bytes, content_type: str, cache_control: str, etag: str | None) -> str:
        dest = self._path(key)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # the lock is the folder itself: no lock file in a folder that is served as it stands
            folder = os.open(dest.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                fcntl.flock(folder, fcntl.LOCK_EX)
                current = self.read(key)
                if (current[1] if current else None) != etag:
                    raise Conflict(key)
                chunks = iter([data])
                self._atomic_write(dest, lambda _n: next(chunks, b""))
            finally:
                os.close(folder)  # and with it the lock
        except OSError as e:
            raise StorageError(f"{dest}: cannot write ({os_reason(e)})") from None
        return hashlib.sha256(data).hexdigest()


SHA256_XATTR = "user.producer.sha256"


def _cached_sha256(path: Path, st: os.stat_result) -> str | None:
    """The SHA-256 kept beside a local object (an extended attribute, as S3 keeps it in
    the object's metadata), valid while the size and modification time are those it
    was taken at: `status` over 300 episodes reads no media."""
    try:
        size, mtime_ns, digest = os.getxattr(path, SHA256_XATTR).decode().split(":")
    except (OSError, ValueError):
        return None
    return digest if (int(size), int(mtime_ns)) == (st.st_size, st.st_mtime_ns) else None


def _remember_sha256(path: Path, digest: str) -> str:
    """Best effort: a file system without user attributes means hashing on every HEAD."""
    try:
        st = path.stat()
        os.setxattr(path, SHA256_XATTR, f"{st.st_size}:{st.st_mtime_ns}:{digest}".encode())
    except OSError:
        pass
    return digest


class S3Storage:
    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None, region: str | None,
                 profile: str | None) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket, self.prefix, self.endpoint = bucket, prefix, endpoint_url
        try:
            session = boto3.session.Session(profile_name=profile, region_name=region)
        except Exception as e:  # botocore.exceptions.ProfileNotFound and friends
            raise StorageError(f"storage profile {profile!r}: {type(e).__name__}") from None
        # botocore's "standard" mode retries 5xx, throttling and dropped connections with
        # its own jittered backoff: the policy gives it the number of tries
        # Path-style addressing for a custom endpoint: MinIO, Ceph, Garage and friends serve
        # http://host/bucket/key, and bucket.localhost need not resolve.
        addressing = {"addressing_style": "path"} if endpoint_url else {}
        config = Config(retries={"max_attempts": S3_REQUESTS.tries, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                        s3=addressing,
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
        self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self.transfer = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE)
        self.checksums = True  # until the service says it does not know them

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}".rstrip("/")
        return f"{where} at {self.endpoint}" if self.endpoint else where

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _fail(self, action: str, key: str, error: Exception) -> StorageError:
        from botocore.exceptions import ClientError

        if isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code", "?")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            if code == "403":  # a HEAD's answer has no body to say why: ask a GET, which has one
                code = self._denied_why(key) or code
            reason = {"NoSuchBucket": "the bucket does not exist", "AccessDenied": "access denied",
                      "InvalidAccessKeyId": "the access key is not known",
                      "SignatureDoesNotMatch": "the secret key does not match",
                      "403": "access refused (HTTP 403): a wrong key or secret, or no right to this bucket",
                      }.get(code, f"{code} (HTTP {status})")
        else:
            reason = type(error).__name__
        return StorageError(f"{self.describe()}: cannot {action} {self._key(key)}: {reason}")

    def _denied_why(self, key: str) -> str | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.get_object(Bucket=self.bucket, Key=self._key(key), Range="bytes=0-0")
        except ClientError as e:
            return e.response.get("Error", {}).get("Code")
        except BotoCoreError:
            return None
        return None

    def head(self, key: str) -> ObjectInfo | None:
        r = self._unless_missing(key, lambda: self.client.head_object(Bucket=self.bucket, Key=self._key(key),
                                                                      ChecksumMode="ENABLED"))
        if r is None:
            return None
        return ObjectInfo(r["ContentLength"], r.get("Metadata", {}).get("sha256"), r.get("ETag"),
                          r.get("ChecksumSHA256"))

    def _unless_missing(self, key: str, call: Callable[[], T]) -> T | None:
        """call()'s answer, or None when the object does not exist (and the bucket does)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return call()
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                self._bucket_exists(key)
                return None
            raise self._fail("read", key, e) from None
        except BotoCoreError as e:
            raise self._fail("reach", key, e) from None

    def _bucket_exists(self, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
                raise StorageError(f"{self.describe()}: the bucket {self.bucket} does not exist") from None
            raise self._fail("read", key, e) from None
        except BotoCoreError as e:
            raise self._fail("reach", key, e) from None

    def upload(self, key: str, path: Path, content_type: str, cache_control: str, sha256: str) -> ObjectInfo:
        from botocore.exceptions import BotoCoreError, ClientError
        from boto3.exceptions import S3UploadFailedError

        extra = {"ContentType": content_type, "CacheControl": cache_control, "Metadata": {"sha256": sha256}}
        if self.checksums:  # the service checks each part on receipt and keeps the checksum
            extra["ChecksumAlgorithm"] = "SHA256"
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key), ExtraArgs=extra, Config=self.transfer)
        except (ClientError, BotoCoreError, S3UploadFailedError) as e:
            if self.checksums and _refuses_checksums(e):
                self.checksums = False
                return self.upload(key, path, content_type, cache_control, sha256)
            raise self._fail("upload", key, e) from None
        return verify_upload(f"{self.describe()}: {self._key(key)}", path, sha256, self.head(key))

    def read(self, key: str) -> tuple[bytes, str] | None:
        def get() -> tuple[bytes, str]:
            r = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            return r["Body"].read(), r["ETag"]

        return self._unless_missing(key, get)

    def write_if(self, key: str, data: bytes, content_type: str, cache_control: str, etag: str | None) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()  # noqa: S324 - S3's Content-MD5
        try:
            r = self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type,
                                       CacheControl=cache_control, ContentMD5=md5,
                                       Metadata={"sha256": hashlib.sha256(data).hexdigest()}, **condition)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict") or \
                    e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (409, 412):
                raise Conflict(key) from None
            raise self._fail("write", key, e) from None
        except BotoCoreError as e:
            raise self._fail("reach", key, e) from None
        return r["ETag"]


def _refuses_checksums(error: Exception) -> bool:
    """A service that predates S3's additional checksums rejects the header
    rather than ignoring it (older MinIO, some gateways)."""
    text = str(error)  # S3UploadFailedError carries the code only in its text
    return any(f"({code})" in text for code in ("NotImplemented", "InvalidArgument", "InvalidRequest"))
