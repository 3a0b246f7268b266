"""Small fake Keras dataset cache files, and what the real Keras loads from them.

Writes keras_home/datasets/... in the formats of the files Keras downloads (tiny, made-up
contents), then runs the real `keras.datasets.*.load_data` / `get_word_index` on a copy of
that folder and stores every result in expected.json for DatasetTests.swift.

Run (from this folder) with the reference venv, Keras 3 and numpy 2:

    KERAS_BACKEND=tensorflow /work/venv-ref/bin/python make_fixtures.py

Last run with Keras 3.15.1, numpy 2.4.6, Python 3.11.

Formats, as in the files Keras downloads:
- mnist.npz: `np.savez_compressed` of uint8 arrays (deflated members).
- fashion-mnist/*.gz: gzip'd IDX files (t10k-images is two concatenated gzip members, which
  Python's gzip reads as one file).
- cifar-10-batches-py and cifar-100-python: Python 2 cPickle protocol 2 dicts (byte-string
  keys, a uint8 `data` array pickled through numpy.core.multiarray._reconstruct, label lists),
  written here by a pickler that saves bytes as Python 2's str opcodes (Python 3 would use a
  `_codecs.encode` global, which Keras' restricted unpickler refuses). They sit in the Keras 3
  layout, `cifar-10-batches-py-target/cifar-10-batches-py/`.
- imdb.npz: `np.savez` of object arrays of lists (numpy 2: pickle protocol 4,
  numpy._core.multiarray), labels int64. reuters.npz: the same arrays as Python 2 numpy wrote
  them (protocol 2, numpy.core.multiarray). boston_housing.npz: float64 x and y.
- *_word_index.json: `json.dump` of a dict word -> rank.
- evil.npz: an imdb-like npz whose x_train member pickles `os.system` (posix.system).
- objects_p2/p3/p4.npy (outside the cache folder): object arrays for np.load(allow_pickle=True),
  pickled at protocols 2 (Python 2 style), 3 and 4 (numpy 2's own np.save).

cifar10: Keras sizes its arrays for the real files (5 batches of 10000 rows). Its load_data is
run here from its own source with those two constants set to this fixture's batch size; every
other line is Keras' own. Kiln reads batches of any equal size.
"""

import base64
import gzip
import io
import json
import os
import pickle
import shutil
import struct
import sys
import tarfile
import tempfile
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
HOME = os.path.join(HERE, "keras_home")
DATA = os.path.join(HOME, "datasets")
rng = np.random.RandomState(2024)


# MARK: Python 2 style pickles


class Py2Pickler(pickle._Pickler):
    """Pickles as Python 2's cPickle did at protocol 2: bytes and text as Python 2 str
    (SHORT_BINSTRING / BINSTRING), numpy's reconstructor under its numpy 1 name."""

    dispatch = pickle._Pickler.dispatch.copy()

    def save_py2_str(self, obj):
        data = obj if isinstance(obj, bytes) else obj.encode("latin1")
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str
    dispatch[str] = save_py2_str

    def save_global(self, obj, name=None):
        if obj is np._core.multiarray._reconstruct:
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
        else:
            super().save_global(obj, name)


def py2_pickle(obj):
    out = io.BytesIO()
    Py2Pickler(out, protocol=2).dump(obj)
    return out.getvalue()


def npy_member(pickled, count):
    """A .npy (version 1.0) file of a 1-d object array of `count` items: the header, then
    the array's pickle, as numpy writes object arrays."""
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (%d,), }" % count
    header = header.encode("latin1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + pickled


def object_array(sequences):
    a = np.empty(len(sequences), dtype=object)
    for i, s in enumerate(sequences):
        a[i] = list(s)
    return a


def write_npz(path, members):
    """A zip of .npy members (name -> bytes), stored, as np.savez writes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)


def npy_bytes(array):
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


# MARK: Writing the cache files


def gz(path, payload, members=1):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cut = [0, len(payload)] if members == 1 else [0, 16, len(payload)]
    with open(path, "wb") as raw:
        for a, b in zip(cut, cut[1:]):
            with gzip.GzipFile(os.path.basename(path)[:-3], "wb", fileobj=raw, mtime=0) as f:
                f.write(payload[a:b])


def write_mnist():
    np.savez_compressed(os.path.join(DATA, "mnist.npz"),
                        x_train=rng.randint(0, 256, (3, 28, 28)).astype(np.uint8), y_train=rng.randint(0, 10, 3).astype(np.uint8),
                        x_test=rng.randint(0, 256, (2, 28, 28)).astype(np.uint8), y_test=rng.randint(0, 10, 2).astype(np.uint8))


def write_fashion_mnist():
    folder = os.path.join(DATA, "fashion-mnist")
    for prefix, n in [("train", 5), ("t10k", 3)]:
        labels = rng.randint(0, 10, n).astype(np.uint8)
        images = rng.randint(0, 256, (n, 28, 28)).astype(np.uint8)
        gz(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), struct.pack(">II", 2049, n) + labels.tobytes())
        gz(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes(),
           members=2 if prefix == "t10k" else 1)


def cifar_batch(n, label_keys):
    batch = {b"batch_label": b"fixture batch", b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
             b"filenames": [b"image_%d.png" % i for i in range(n)]}
    for key, classes in label_keys:
        batch[key] = [int(v) for v in rng.randint(0, classes, n)]
    return py2_pickle(batch)


CIFAR10_BATCH = 2


def write_cifar():
    folder = os.path.join(DATA, "cifar-10-batches-py-target", "cifar-10-batches-py")
    os.makedirs(folder, exist_ok=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(cifar_batch(3 if name == "test_batch" else CIFAR10_BATCH, [(b"labels", 10)]))
    folder = os.path.join(DATA, "cifar-100-python-target", "cifar-100-python")
    os.makedirs(folder, exist_ok=True)
    for name, n in [("train", 4), ("test", 2)]:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(cifar_batch(n, [(b"fine_labels", 100), (b"coarse_labels", 20)]))


def sequences(n, longest, vocabulary):
    return [[int(w) for w in rng.randint(1, vocabulary + 1, rng.randint(1, longest + 1))] for _ in range(n)]


def write_imdb():
    np.savez(os.path.join(DATA, "imdb.npz"),
             x_train=object_array(sequences(12, 14, 30)), y_train=rng.randint(0, 2, 12).astype(np.int64),
             x_test=object_array(sequences(8, 14, 30)), y_test=rng.randint(0, 2, 8).astype(np.int64))


def write_reuters():
    xs = sequences(20, 12, 40)
    write_npz(os.path.join(DATA, "reuters.npz"),
              {"x": npy_member(py2_pickle(object_array(xs)), len(xs)), "y": npy_bytes(rng.randint(0, 46, 20).astype(np.int64))})


def write_word_indexes():
    words = ["the", "and", "a", "of", "to", "is", "br", "in", "it", "caf\u00e9", "\"quoted\"", "back\\slash", "\u00fcber\tword"]
    for name in ["imdb", "reuters"]:
        index = {w: i + 1 for i, w in enumerate(words)}
        with open(os.path.join(DATA, f"{name}_word_index.json"), "w") as f:
            json.dump(index, f)
        words = list(reversed(words))


def write_boston():
    np.savez(os.path.join(DATA, "boston_housing.npz"), x=rng.uniform(0, 100, (11, 13)), y=rng.uniform(5, 50, 11))


class Evil:
    def __reduce__(self):
        return (os.system, ("echo this should never run",))


def write_object_arrays():
    """np.load(allow_pickle=True) fixtures outside the cache folder: object arrays pickled at
    protocols 2 (as Python 2 numpy wrote them), 3 and 4 (numpy 2's np.save)."""
    ragged = object_array([[1, 2], [3], [], [2**40, -2**63], []])
    ragged[4] = "text"
    with open(os.path.join(HERE, "objects_p2.npy"), "wb") as f:
        f.write(npy_member(py2_pickle(ragged), len(ragged)))
    with open(os.path.join(HERE, "objects_p3.npy"), "wb") as f:
        f.write(npy_member(pickle.dumps(ragged, protocol=3), len(ragged)))
    mixed = np.empty((2, 2), dtype=object)
    mixed[0, 0], mixed[0, 1], mixed[1, 0], mixed[1, 1] = {"k": (1, -7), 2: [True, None]}, "text \u00e9", None, 2.5
    np.save(os.path.join(HERE, "objects_p4.npy"), mixed, allow_pickle=True)


def write_evil():
    payload = pickle.dumps(Evil(), protocol=4)
    write_npz(os.path.join(DATA, "evil.npz"),
              {"x_train": npy_member(payload, 1), "y_train": npy_bytes(np.zeros(1, np.int64)),
               "x_test": npy_bytes(np.zeros((1, 1), np.int64)), "y_test": npy_bytes(np.zeros(1, np.int64))})


# MARK: Running Keras


CASES = [
    ("mnist", "mnist.load_data()"),
    ("fashion_mnist", "fashion_mnist.load_data()"),
    ("cifar10", "cifar10.load_data()"),
    ("cifar100_fine", "cifar100.load_data()"),
    ("cifar100_coarse", "cifar100.load_data(label_mode='coarse')"),
    ("cifar100_bad_label_mode", "cifar100.load_data(label_mode='medium')"),
    ("imdb_default", "imdb.load_data()"),
    ("imdb_num_words", "imdb.load_data(num_words=10)"),
    ("imdb_skip_top", "imdb.load_data(num_words=20, skip_top=5)"),
    ("imdb_maxlen", "imdb.load_data(maxlen=8)"),
    ("imdb_maxlen_too_small", "imdb.load_data(maxlen=1)"),
    ("imdb_no_oov", "imdb.load_data(num_words=12, oov_char=None)"),
    ("imdb_no_start", "imdb.load_data(start_char=None, index_from=0)"),
    ("imdb_seed", "imdb.load_data(seed=7, index_from=2)"),
    ("imdb_ignored_keyword", "imdb.load_data(nb_words=5)"),
    ("imdb_word_index", "imdb.get_word_index()"),
    ("imdb_evil", "imdb.load_data(path='evil.npz')"),
    ("reuters_default", "reuters.load_data()"),
    ("reuters_filters", "reuters.load_data(num_words=15, skip_top=3, maxlen=9)"),
    ("reuters_split", "reuters.load_data(test_split=0.5, seed=1)"),
    ("reuters_negative_split", "reuters.load_data(test_split=1.4)"),
    ("reuters_maxlen_no_test", "reuters.load_data(maxlen=9, test_split=0)"),
    ("reuters_word_index", "reuters.get_word_index()"),
    ("reuters_label_names", "reuters.get_label_names()"),
    ("boston_default", "boston_housing.load_data()"),
    ("boston_split", "boston_housing.load_data(test_split=0.3, seed=5)"),
    ("boston_no_test", "boston_housing.load_data(test_split=0)"),
    ("boston_bad_split", "boston_housing.load_data(test_split=1.0)"),
    ("np_load_objects_p2", "np.load(FIXTURES + '/objects_p2.npy', allow_pickle=True)"),
    ("np_load_objects_p3", "np.load(FIXTURES + '/objects_p3.npy', allow_pickle=True)"),
    ("np_load_objects_p4", "np.load(FIXTURES + '/objects_p4.npy', allow_pickle=True)"),
    ("np_load_objects_refused", "np.load(FIXTURES + '/objects_p4.npy')"),
]


def encode(value):
    """A value as typed JSON: ints as JSON integers, other scalars and containers as
    {"type": ...}; numpy arrays keep dtype and shape (uint8 elements as base64 of their bytes,
    row-major); object arrays are {"objects": their nested lists}, which is how Kiln returns
    them."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"objects": encode(value.tolist())}
        if value.dtype == np.uint8:
            data = base64.b64encode(value.tobytes()).decode("ascii")
            return {"ndarray": {"dtype": "uint8", "shape": list(value.shape), "base64": data}}
        return {"ndarray": {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.ravel().tolist()}}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return {"list": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, str):
        return {"str": value}
    if value is None:
        return {"none": None}
    raise TypeError(type(value))


def keras_cifar10_for_fixture():
    """cifar10.load_data from Keras' source, sized for batches of CIFAR10_BATCH rows."""
    import keras.src.datasets.cifar10 as module
    source = open(module.__file__).read()
    slot = "(i - 1) * 10000 : i * 10000"
    assert source.count("num_train_samples = 50000") == 1 and source.count(slot) == 2
    source = source.replace("num_train_samples = 50000", f"num_train_samples = {5 * CIFAR10_BATCH}")
    source = source.replace(slot, slot.replace("10000", str(CIFAR10_BATCH)))
    namespace = {"__name__": "keras_cifar10_fixture"}
    exec(compile(source, module.__file__, "exec"), namespace)
    namespace["get_file"] = without_hash(namespace["get_file"])
    return namespace["load_data"]


def without_hash(get_file):
    """Keras' get_file, minus the hash check (the fixtures are not Keras' files, and a
    mismatch would make Keras download the real ones)."""
    def get(*args, **kwargs):
        kwargs.pop("file_hash", None)
        return get_file(*args, **kwargs)
    return get


def tar_gz(folder, inner, target):
    with tarfile.open(target, "w:gz") as t:
        t.add(os.path.join(folder, inner), arcname=inner)


def run_keras():
    home = tempfile.mkdtemp()
    shutil.copytree(HOME, home, dirs_exist_ok=True)
    # Keras 3 keeps the downloaded archive and extracts it at every load_data.
    for target, inner in [("cifar-10-batches-py-target", "cifar-10-batches-py"), ("cifar-100-python-target", "cifar-100-python")]:
        tar_gz(os.path.join(home, "datasets", target), inner, os.path.join(home, "datasets", target + "_archive"))
    os.environ["KERAS_HOME"] = home
    import keras
    from keras.datasets import boston_housing, cifar100, fashion_mnist, imdb, mnist, reuters
    for module in [boston_housing, cifar100, fashion_mnist, imdb, mnist, reuters]:
        source = sys.modules[module.load_data.__module__]
        source.get_file = without_hash(source.get_file)
    cifar10 = type("cifar10", (), {"load_data": staticmethod(keras_cifar10_for_fixture())})
    names = {"mnist": mnist, "fashion_mnist": fashion_mnist, "cifar10": cifar10, "cifar100": cifar100, "imdb": imdb, "reuters": reuters,
             "boston_housing": boston_housing, "np": np, "FIXTURES": HERE}
    expected = {"keras": keras.__version__, "numpy": np.__version__, "cases": {}}
    for name, call in CASES:
        try:
            result = {"value": encode(eval(call, names))}
        except Exception as e:
            result = {"error": {"type": type(e).__name__, "message": str(e)}}
        expected["cases"][name] = {"call": call, **result}
    shutil.rmtree(home)
    return expected


def main():
    shutil.rmtree(HOME, ignore_errors=True)
    os.makedirs(DATA)
    write_mnist()
    write_fashion_mnist()
    write_cifar()
    write_imdb()
    write_reuters()
    write_word_indexes()
    write_boston()
    write_evil()
    write_object_arrays()
    expected = run_keras()
    cases = expected.pop("cases")
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        # One line per case, so that a change shows as a change of that case.
        f.write(json.dumps(expected)[:-1] + ', "cases": {\n')
        f.write(",\n".join(json.dumps(name) + ": " + json.dumps(case) for name, case in cases.items()))
        f.write("\n}}\n")


if __name__ == "__main__":
    main()
