"""MNIST and Fashion-MNIST as NumPy arrays, read from the standard IDX gz files.

Files that are already on disk are used as they are (only their IDX headers are
checked), so a copy made by hand or shared by a teacher works offline. They may
also be uncompressed: `train-images-idx3-ubyte` instead of the `.gz`, or a file
decompressed but still named `.gz`. Missing files are downloaded with pooch,
which verifies their hash and only moves a complete, verified download into place.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np
import pooch

# kind -> folder under the data root; split -> prefix of the file names.
FOLDERS = {"digits": "mnist", "fashion": "fashion-mnist"}
PREFIXES = {"train": "train", "test": "t10k"}

# Base URLs tried in order. A module-level dict so tests (or a course running
# its own mirror) can replace it without touching the code below.
MIRRORS: dict[str, list[str]] = {
    "digits": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",  # last: it often refuses requests
    ],
    "fashion": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
}

# Upstream publishes MD5 checksums only, so downloads are verified with those
# ("md5:" prefix for pooch) rather than SHA-256 values we could not vouch for.
# These only guard downloads: files already on disk are never hashed.
HASHES: dict[str, dict[str, str]] = {
    "digits": {
        "train-images-idx3-ubyte.gz": "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "md5:d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "md5:9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "md5:ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion": {
        "train-images-idx3-ubyte.gz": "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "md5:25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "md5:bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "md5:bb300cfdad3c16e7a12a480ee83cd310",
    },
}

# IDX magic numbers: 0x08 = unsigned bytes, then the number of dimensions.
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049


class DatasetError(OSError):
    """A dataset file is missing, corrupt or could not be downloaded."""


def data_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """Return the absolute folder holding the datasets.

    ``root`` wins if given, then the ``COURSE_LIB_DATA`` environment variable,
    then a per-user cache folder (for example ``~/.cache/course_lib`` on Linux).
    """
    if root is None:
        root = os.environ.get("COURSE_LIB_DATA") or pooch.os_cache("course_lib")
    # Absolute, so error messages show exactly where we looked.
    return Path(root).expanduser().absolute()


def load_mnist(
    kind: str = "digits",
    split: str = "train",
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST digits or Fashion-MNIST.

    Args:
        kind: ``"digits"`` (MNIST) or ``"fashion"`` (Fashion-MNIST).
        split: ``"train"`` or ``"test"``.
        root: data folder (see :func:`data_dir`); files live in ``root/mnist``
            or ``root/fashion-mnist``.
        download: fetch missing files from the public mirrors.

    Returns:
        ``(images, labels)``: uint8 arrays of shape (N, 28, 28) and (N,).

    Raises:
        ValueError: ``kind`` or ``split`` is not one of the valid choices.
        DatasetError: a file is missing and could not be downloaded, or a file
            on disk is corrupt.
    """
    if kind not in FOLDERS:
        raise ValueError(f"kind must be one of {sorted(FOLDERS)}, got {kind!r}")
    if split not in PREFIXES:
        raise ValueError(f"split must be one of {sorted(PREFIXES)}, got {split!r}")
    folder = data_dir(root) / FOLDERS[kind]
    _check_folders(folder, kind, root)
    prefix = PREFIXES[split]
    names = [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"]

    _fetch(kind, folder, names, download)
    images = _read_idx(_on_disk(folder, names[0]), IMAGES_MAGIC)
    labels = _read_labels(_on_disk(folder, names[1]))
    if len(images) != len(labels):
        raise DatasetError(
            f"{folder / names[0]} holds {len(images)} images but "
            f"{folder / names[1]} holds {len(labels)} labels; they must come from "
            "the same release. Delete both so they are downloaded again, or "
            "re-copy them."
        )
    return images, labels


def load_labels(kind: str = "digits", split: str = "train", root: str | os.PathLike[str] | None = None,
                download: bool = True) -> np.ndarray:
    """Only the labels of `load_mnist(kind, split)`, shape (N,): reads (and downloads) only
    the small labels file. Same arguments and errors as `load_mnist`."""
    if kind not in FOLDERS or split not in PREFIXES:
        load_mnist(kind, split, root, download=False)  # raises its ValueError
    folder = data_dir(root) / FOLDERS[kind]
    name = f"{PREFIXES[split]}-labels-idx1-ubyte.gz"
    _check_folders(folder, kind, root)
    _fetch(kind, folder, [name], download)
    return _read_labels(_on_disk(folder, name))


def _check_folders(folder: Path, kind: str, root: object) -> None:
    for path in (folder.parent, folder):
        if path.exists() and not path.is_dir():
            where = ("COURSE_LIB_DATA" if root is None and os.environ.get("COURSE_LIB_DATA")
                     else "the data folder")
            raise DatasetError(f"{where} points at a file, not a folder: {path}. Point it at a folder "
                               f"(the one that holds {FOLDERS[kind]}/), or unset it to use the default.")


def _fetch(kind: str, folder: Path, names: list[str], download: bool) -> None:
    """Download whichever of `names` is not on disk yet (or explain why it cannot be)."""
    missing = [name for name in names if _on_disk(folder, name) is None]
    if missing and not download:
        raise DatasetError(_missing_message(kind, folder, names, None))
    for name in missing:
        _download(kind, name, folder, names)


def _read_labels(path: Path) -> np.ndarray:
    labels = _read_idx(path, LABELS_MAGIC)
    if labels.size and labels.max() > 9:  # both data sets have the classes 0 to 9
        raise _corrupt(path, f"it holds the label {labels.max()}, but labels must be 0 to 9")
    return labels


def _on_disk(folder: Path, name: str) -> Path | None:
    """The file for ``name`` (a ``.gz`` name) in ``folder``, or its uncompressed twin, or None."""
    for path in (folder / name, folder / name.removesuffix(".gz")):
        if path.exists():
            return path
    return None


def _download(kind: str, name: str, folder: Path, names: list[str]) -> None:
    """Fetch ``name`` into ``folder`` from the first mirror that works."""
    failures: list[str] = []
    error: Exception | None = None
    for base in MIRRORS[kind]:
        url = base.rstrip("/") + "/" + name
        try:
            # pooch streams into a temporary file in `folder`, checks the hash
            # and only then moves it to its final name; on any failure the
            # temporary file is removed, so no half-written file is left.
            pooch.retrieve(url, HASHES[kind][name], fname=name, path=folder, progressbar=True)
            return
        except PermissionError as err:  # our side, not the mirror's: no other mirror helps
            raise DatasetError(
                f"Cannot write the downloaded {name} into {folder} ({err}). Point COURSE_LIB_DATA "
                "(or root=...) at a folder you can write to, or copy the IDX .gz files into "
                f"'{FOLDERS[kind]}' there by hand."
            ) from err
        # requests' errors subclass OSError; a hash mismatch is a ValueError.
        except (OSError, ValueError) as err:
            failures.append(f"{url}: {type(err).__name__}: {err}")
            error = err
    raise DatasetError(_missing_message(kind, folder, names, failures)) from error


def _missing_message(kind: str, folder: Path, names: list[str], failures: list[str] | None) -> str:
    """Explain which of ``names`` are missing, what was tried and how to fix it."""
    missing = [name for name in names if not (folder / name).exists()]
    lines = [f"Missing {kind} dataset file(s) {', '.join(missing)} in {folder}."]
    if failures is None:
        lines.append("Not downloaded because download=False. Mirrors:")
        lines += [f"  - {base}" for base in MIRRORS[kind]]
    else:
        checksum = [f for f in failures if "ValueError" in f]  # pooch: hash does not match
        if len(checksum) == len(failures):
            lines.append("Every mirror sent a file whose checksum does not match the expected one "
                         "(the file on the server changed, or a proxy altered it); nothing was saved:")
        else:
            lines.append("Downloading failed on every mirror (are you offline?):")
        lines += [f"  - {failure}" for failure in failures]
    lines.append(
        "To use a local copy, put the four IDX .gz files in a folder named "
        f"'{FOLDERS[kind]}' and set the environment variable COURSE_LIB_DATA to "
        "its parent folder (e.g. COURSE_LIB_DATA=/path/to/datasets), or pass "
        "root=... to load_mnist."
    )
    return "\n".join(lines)


def _corrupt(path: Path, problem: str) -> DatasetError:
    return DatasetError(
        f"{path} is corrupt: {problem}. Delete it so it is downloaded "
        "again, or re-copy it from a good source."
    )


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """Parse one IDX file of unsigned bytes (gzipped or not), checking its header."""
    if path.is_dir():
        raise DatasetError(
            f"{path} is a folder, but it should be a data file. Move the folder away "
            "(the IDX file may be inside it: move that file up into its place)."
        )
    with open(path, "rb") as f:
        start = f.read(4)
    if start[:2] != b"\x1f\x8b" and start == magic.to_bytes(4, "big"):
        raw = path.read_bytes()  # already decompressed (whatever its name says)
    else:
        try:
            with gzip.open(path, "rb") as f:
                raw = f.read()
        # Not gzip / bad CRC, cut short, garbled stream. Other OSErrors (e.g. no
        # permission) propagate unchanged: deleting the file would not fix them.
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise _corrupt(path, f"cannot decompress it ({err}), and it is not an uncompressed IDX file "
                          "either") from err

    ndim = magic & 0xFF  # the magic number's last byte counts the dimensions
    header = 4 + 4 * ndim  # magic number, then one big-endian uint32 per dimension
    if len(raw) < header:
        raise _corrupt(path, f"only {len(raw)} bytes, too short for an IDX header")
    found, *dims = np.frombuffer(raw, dtype=">u4", count=1 + ndim).tolist()
    if found != magic:
        raise _corrupt(path, f"magic number {found}, expected {magic}")
    if ndim == 3 and dims[1:] != [28, 28]:
        raise _corrupt(path, f"images are {dims[1]}x{dims[2]}, expected 28x28")
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise _corrupt(path, f"{len(raw)} bytes, but its header {dims} implies {expected}")
    # Copy so callers get an ordinary writable array, not a view on bytes.
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims).copy()
