"""Tests for course_lib.datasets.

Real data comes from the shared folder beside the repository; downloads are
exercised for real against a throwaway HTTP server on 127.0.0.1 that serves
small generated IDX files, so nothing here needs the internet.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pooch
import pytest

from course_lib import datasets
from course_lib.datasets import DatasetError, data_dir, load_mnist

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared datasets folder not found at {SHARED}")

NAMES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
FOLDERS = {"digits": "mnist", "fashion": "fashion-mnist"}


def idx(array: np.ndarray, magic: int) -> bytes:
    """Uncompressed IDX bytes: magic, big-endian dimensions, then the data."""
    return np.array([magic, *array.shape], dtype=">u4").tobytes() + array.tobytes()


def refused_url() -> str:
    """A URL on a 127.0.0.1 port nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def sample() -> dict:
    """Small generated dataset: arrays per split and the gz bytes per file name."""
    rng = np.random.default_rng(0)
    arrays, files = {}, {}
    for split, n in (("train", 6), ("test", 4)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        arrays[split] = (images, labels)
        files[NAMES[split][0]] = gzip.compress(idx(images, 2051), mtime=0)
        files[NAMES[split][1]] = gzip.compress(idx(labels, 2049), mtime=0)
    return {"arrays": arrays, "files": files}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, sample) -> Path:
    """Every test gets its own data root, the sample's hashes, and dead mirrors,
    so nothing can reach the real cache or the internet by accident."""
    root = tmp_path / "data"
    monkeypatch.setenv("COURSE_LIB_DATA", str(root))
    hashes = {name: "md5:" + hashlib.md5(body).hexdigest() for name, body in sample["files"].items()}
    monkeypatch.setattr(datasets, "HASHES", {"digits": hashes, "fashion": hashes})
    use_mirrors(monkeypatch, refused_url())
    return root


def use_mirrors(monkeypatch, *urls: str) -> None:
    monkeypatch.setattr(datasets, "MIRRORS", {"digits": [*urls], "fashion": [*urls]})


def write_sample(folder: Path, sample: dict, names=None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in sample["files"].items():
        if names is None or name in names:
            (folder / name).write_bytes(body)


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves /<mode>/<file name>; mode picks how the server misbehaves."""

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        mode, _, name = self.path.strip("/").partition("/")
        body = self.server.files.get(name)
        if mode == "missing" or body is None:
            self.send_error(404)
            return
        if mode == "tampered":  # same length, one bit flipped
            body = body[:-1] + bytes([body[-1] ^ 1])
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "truncated":  # promise the whole file, then hang up halfway
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def server(sample):
    """A ThreadingHTTPServer on 127.0.0.1, stopped when the test ends."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.files, httpd.hits = sample["files"], []
    httpd.url = lambda mode: f"http://127.0.0.1:{httpd.server_address[1]}/{mode}/"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- the real files in the shared folder -----------------------------------

COUNTS = {
    ("digits", "train"): [784, 882, 805, 828, 789, 679, 811, 882, 755, 785],
    ("digits", "test"): [217, 245, 186, 204, 191, 184, 203, 188, 189, 193],
    ("fashion", "train"): [6000] * 10,
    ("fashion", "test"): [1000] * 10,
}


@needs_shared
@pytest.mark.parametrize(("kind", "split"), list(COUNTS))
def test_reads_shared_real_files(monkeypatch, kind, split):
    # Their checksums differ from the official ones and the mirrors are dead:
    # loading works only because present files are not hashed or re-downloaded.
    monkeypatch.setenv("COURSE_LIB_DATA", str(SHARED))
    images, labels = load_mnist(kind, split)
    n = sum(COUNTS[kind, split])
    assert images.shape == (n, 28, 28) and labels.shape == (n,)
    assert images.dtype == np.uint8 and labels.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    assert np.bincount(labels, minlength=10).tolist() == COUNTS[kind, split]
    assert images.flags.writeable


def test_root_argument_wins_and_expands_home(tmp_path, monkeypatch, sample):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write_sample(tmp_path / "home" / "here" / "fashion-mnist", sample)
    for root in ("~/here", Path("~/here")):
        images, labels = load_mnist("fashion", "test", root=root)
        np.testing.assert_array_equal(images, sample["arrays"]["test"][0])
        np.testing.assert_array_equal(labels, sample["arrays"]["test"][1])


def test_default_root_is_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_LIB_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data_dir() == pooch.os_cache("course_lib").absolute()
    monkeypatch.setenv("COURSE_LIB_DATA", "~/x")
    assert data_dir() == Path.home() / "x"


@pytest.mark.parametrize(
    ("kwargs", "choices"),
    [({"kind": "digit"}, ["'digits'", "'fashion'"]), ({"split": "val"}, ["'test'", "'train'"])],
)
def test_bad_arguments_list_valid_choices(kwargs, choices):
    with pytest.raises(ValueError, match="must be one of") as info:
        load_mnist(**kwargs)
    assert all(choice in str(info.value) for choice in choices)


# --- corrupt local files ----------------------------------------------------


def _images(n: int = 6, side: int = 28) -> bytes:
    # Random pixels, so the compressed file is long enough to cut in half.
    pixels = np.random.default_rng(1).integers(0, 256, (n, side, side), np.uint8)
    return idx(pixels, 2051)


CORRUPTIONS = {
    "not gzip": (0, b"<html>Not Found</html>", "cannot decompress"),
    "gzip cut short": (0, gzip.compress(_images())[:2000], "cannot decompress"),
    "bad magic": (0, gzip.compress(idx(np.zeros((6, 28, 28), np.uint8), 2049)), "magic"),
    "truncated body": (0, gzip.compress(_images()[:-100]), "implies"),
    "extra bytes": (0, gzip.compress(_images() + b"\0"), "implies"),
    "wrong size": (0, gzip.compress(_images(side=27)), "28x28"),
    "garbled stream": (0, gzip.compress(_images())[:10] + b"\xff" * 50, "cannot decompress"),
    "bad checksum": (0, gzip.compress(_images())[:-8] + bytes(8), "cannot decompress"),
    "empty": (0, gzip.compress(b""), "too short"),
    "labels bad magic": (1, gzip.compress(idx(np.zeros(6, np.uint8), 2051)), "magic"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupt_file_names_path_and_fix(isolated, sample, case):
    which, body, problem = CORRUPTIONS[case]
    folder = isolated / "mnist"
    write_sample(folder, sample)
    bad = folder / NAMES["train"][which]
    bad.write_bytes(body)
    with pytest.raises(DatasetError, match=problem) as info:
        load_mnist("digits", "train")
    message = str(info.value)
    assert str(bad) in message and "Delete it" in message
    assert isinstance(info.value, OSError)


def test_image_label_count_mismatch(isolated, sample):
    folder = isolated / "mnist"
    write_sample(folder, sample)
    # 6 training images next to the 4 test labels
    (folder / NAMES["train"][1]).write_bytes(sample["files"][NAMES["test"][1]])
    with pytest.raises(DatasetError, match="6 images but .* 4 labels") as info:
        load_mnist("digits", "train")
    assert str(folder / NAMES["train"][1]) in str(info.value)


# --- missing files and downloads -------------------------------------------


def test_download_false_explains_what_is_missing(isolated, server, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"))
    with pytest.raises(DatasetError) as info:
        load_mnist("fashion", "test", download=False)
    message = str(info.value)
    assert all(name in message for name in NAMES["test"])
    assert str(isolated / "fashion-mnist") in message
    assert server.url("good") in message and "COURSE_LIB_DATA" in message
    assert server.hits == []


def test_offline_error_is_self_sufficient(isolated, sample):
    write_sample(isolated / "mnist", sample, names=[NAMES["test"][1]])
    dead = datasets.MIRRORS["digits"][0]
    with pytest.raises(DatasetError) as info:
        load_mnist("digits", "test")
    message = str(info.value)
    assert NAMES["test"][0] in message and NAMES["test"][1] not in message
    assert str(isolated / "mnist") in message
    assert dead + NAMES["test"][0] in message and "COURSE_LIB_DATA" in message
    assert info.value.__cause__ is not None  # the original error stays chained
    assert files_in(isolated / "mnist") == [NAMES["test"][1]]


@pytest.mark.parametrize("kind", list(FOLDERS))
def test_download_verifies_and_caches(isolated, sample, server, monkeypatch, kind):
    use_mirrors(monkeypatch, server.url("good"))
    images, labels = load_mnist(kind, "train")
    np.testing.assert_array_equal(images, sample["arrays"]["train"][0])
    np.testing.assert_array_equal(labels, sample["arrays"]["train"][1])
    folder = isolated / FOLDERS[kind]
    assert files_in(folder) == sorted(NAMES["train"])  # no temporary files left
    for name in NAMES["train"]:
        assert (folder / name).read_bytes() == sample["files"][name]
    hits = len(server.hits)
    load_mnist(kind, "train")  # second call reads the cache
    assert len(server.hits) == hits == 2


def test_falls_back_to_next_mirror(isolated, sample, server, monkeypatch):
    dead = refused_url()
    use_mirrors(monkeypatch, dead, server.url("missing"), server.url("good"))
    images, _ = load_mnist("digits", "test")
    np.testing.assert_array_equal(images, sample["arrays"]["test"][0])
    assert server.hits == [
        "/missing/t10k-images-idx3-ubyte.gz",
        "/good/t10k-images-idx3-ubyte.gz",
        "/missing/t10k-labels-idx1-ubyte.gz",
        "/good/t10k-labels-idx1-ubyte.gz",
    ]


@pytest.mark.parametrize(("mode", "reason"), [("tampered", "hash"), ("truncated", "IncompleteRead|hash")])
def test_bad_download_leaves_no_file(isolated, server, monkeypatch, mode, reason):
    use_mirrors(monkeypatch, server.url(mode))
    with pytest.raises(DatasetError, match=reason) as info:
        load_mnist("digits", "train")
    assert server.url(mode) + NAMES["train"][0] in str(info.value)
    # pooch writes into a temporary file and deletes it on failure.
    assert files_in(isolated / "mnist") == []
    # A later run with a working mirror recovers.
    use_mirrors(monkeypatch, server.url(mode), server.url("good"))
    load_mnist("digits", "train")
    assert files_in(isolated / "mnist") == sorted(NAMES["train"])


def test_corrupt_file_redownloaded_after_deletion(isolated, sample, server, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"))
    bad = isolated / "mnist" / NAMES["train"][0]
    bad.parent.mkdir(parents=True)
    bad.write_bytes(sample["files"][NAMES["train"][0]][:300])  # an interrupted copy
    with pytest.raises(DatasetError, match="Delete it") as info:
        load_mnist("digits", "train")
    assert str(bad) in str(info.value)
    bad.unlink()  # what the message tells the user to do
    images, _ = load_mnist("digits", "train")
    np.testing.assert_array_equal(images, sample["arrays"]["train"][0])
    # Each file was fetched exactly once: the labels on the first call.
    assert sorted(server.hits) == sorted(f"/good/{name}" for name in NAMES["train"])


# --- hardening (red-team report, issue 10) ----------------------------------


def test_uncompressed_files_are_read(isolated, sample):
    folder = isolated / "mnist"
    folder.mkdir(parents=True)
    for name, body in sample["files"].items():
        (folder / name.removesuffix(".gz")).write_bytes(gzip.decompress(body))
    images, labels = load_mnist("digits", "train", download=False)
    np.testing.assert_array_equal(images, sample["arrays"]["train"][0])
    np.testing.assert_array_equal(labels, sample["arrays"]["train"][1])


def test_a_decompressed_file_still_named_gz_is_read(isolated, sample):
    folder = isolated / "mnist"
    write_sample(folder, sample)
    path = folder / NAMES["test"][0]
    path.write_bytes(gzip.decompress(path.read_bytes()))
    images, _ = load_mnist("digits", "test", download=False)
    np.testing.assert_array_equal(images, sample["arrays"]["test"][0])


def test_labels_outside_0_to_9_are_refused(isolated, sample):
    folder = isolated / "mnist"
    write_sample(folder, sample)
    labels = sample["arrays"]["train"][1].copy()
    labels[2] = 255
    bad = folder / NAMES["train"][1]
    bad.write_bytes(gzip.compress(idx(labels, 2049)))
    with pytest.raises(DatasetError, match="holds the label 255, but labels must be 0 to 9") as info:
        load_mnist("digits", "train")
    assert str(bad) in str(info.value) and "Delete it" in str(info.value)


def test_a_folder_in_place_of_a_file_is_explained(isolated, sample):
    folder = isolated / "mnist"
    write_sample(folder, sample, names=[NAMES["train"][1]])
    (folder / NAMES["train"][0]).mkdir()
    with pytest.raises(DatasetError, match="is a folder, but it should be a data file") as info:
        load_mnist("digits", "train", download=False)
    assert str(folder / NAMES["train"][0]) in str(info.value)


def test_checksum_mismatch_is_not_called_offline(isolated, server, monkeypatch):
    use_mirrors(monkeypatch, server.url("tampered"))
    with pytest.raises(DatasetError) as info:
        load_mnist("digits", "train")
    message = str(info.value)
    assert "checksum does not match" in message and "offline" not in message


def test_an_unwritable_data_folder_is_explained(isolated, monkeypatch, server):
    use_mirrors(monkeypatch, server.url("good"))

    def refuse(url, known_hash, fname, path, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(pooch, "retrieve", refuse)
    with pytest.raises(DatasetError, match="Cannot write the downloaded") as info:
        load_mnist("digits", "train")
    message = str(info.value)
    assert str(isolated / "mnist") in message and "COURSE_LIB_DATA" in message
    assert "offline" not in message and server.hits == []


# --- red-team 2 ---------------------------------------------------------------


@pytest.mark.parametrize("download", [True, False])
def test_course_lib_data_pointing_at_a_file_says_so(isolated, monkeypatch, download):
    """COURSE_LIB_DATA=~/datasets.txt is not 'are you offline?'."""
    isolated.parent.mkdir(parents=True, exist_ok=True)
    isolated.write_text("not a folder")
    with pytest.raises(DatasetError, match="COURSE_LIB_DATA points at a file, not a folder") as info:
        load_mnist("digits", "test", download=download)
    assert "offline" not in str(info.value)
    with pytest.raises(DatasetError, match="the data folder points at a file"):
        load_mnist("digits", "test", root=isolated)


def test_load_labels_reads_and_downloads_only_the_labels(isolated, sample, server, monkeypatch):
    use_mirrors(monkeypatch, server.url("good"))
    labels = datasets.load_labels("fashion", "test")
    assert labels.shape == (4,) and labels.dtype == np.uint8
    assert files_in(isolated / "fashion-mnist") == [NAMES["test"][1]]  # the images were not fetched
    np.testing.assert_array_equal(labels, load_mnist("fashion", "test")[1])
