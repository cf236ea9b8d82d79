"""File storage that never leaves a partial file behind.

Django's FileSystemStorage writes straight into the final file: a write that fails part-way
(a full disk, an I/O error, a client that went away) leaves a truncated file that nothing refers
to. Here the bytes go to a hidden temporary file in the same directory first, which is removed on
any failure, and only a complete file is moved (renamed) into place.
"""

from __future__ import annotations

import os
import tempfile

from django.core.files.storage import FileSystemStorage


class _Complete:
    """A finished temporary file, handed to FileSystemStorage, which moves it into place."""

    def __init__(self, path: str):
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path

    def close(self) -> None:
        pass


class SafeFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                if hasattr(content, "seek"):
                    try:
                        content.seek(0)
                    except (OSError, ValueError):
                        pass
                for chunk in content.chunks():
                    fh.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                fh.flush()
                os.fsync(fh.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(tmp, self.file_permissions_mode)
            return super()._save(name, _Complete(tmp))
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)


def write_upload(upload, path) -> None:
    """Write an uploaded file to `path` (a new file); remove what was written if it fails."""
    try:
        with open(path, "xb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        raise
