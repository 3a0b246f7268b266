"""Writes the .npy/.npz/.txt fixtures that testdata/numpy_files.kiln loads, with real numpy.

Run from this folder: python3 generate.py (numpy 2.x). The files are small and deterministic.
"""
import numpy as np

np.save("f4.npy", np.array([[1.5, -2.25, 3.0], [0.1, 1e30, -0.0]], dtype="<f4"))
np.save("f8.npy", np.array([0.1, np.pi, -1e-300, np.inf, np.nan], dtype="<f8"))
np.save("i8.npy", np.arange(-3, 9, dtype="<i8").reshape(2, 2, 3))
np.save("i4.npy", np.array([-(2**31), 2**31 - 1, 7], dtype="<i4"))
np.save("u1.npy", np.array([[0, 255], [128, 7]], dtype="|u1"))
np.save("b1.npy", np.array([True, False, True]))
np.save("scalar.npy", np.float64(2.5))
np.save("empty.npy", np.zeros((0, 3), dtype="<f4"))
np.lib.format.write_array(open("v2.npy", "wb"), np.arange(4, dtype="<i4"), version=(2, 0))
np.save("fortran.npy", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
np.save("object.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
np.save("bigendian.npy", np.array([1.0, 2.0], dtype=">f8"))
np.save("int16.npy", np.array([1, 2], dtype="<i2"))
with open("f8.npy", "rb") as f:
    data = f.read()
with open("truncated.npy", "wb") as f:
    f.write(data[:-8])
with open("badmagic.npy", "wb") as f:
    f.write(b"\x93NUMPZ" + data[6:])
np.savez("stored.npz", np.arange(3), np.ones((2, 2), dtype="<f4"), labels=np.array([1, 0, 1], dtype="|u1"))
np.savez_compressed("deflated.npz", x=np.linspace(0, 1, 50), y=np.arange(50) % 3)
with open("table.csv", "w") as f:
    f.write("# x,y,z\n1,2,3\n4.5,-5,6e2\n\n7,8,9 # end\n")
with open("gaps.csv", "w") as f:
    f.write("a,b,c\n1,,3\n4,n/a,6\n7,8,\n")
with open("spaces.txt", "w") as f:
    f.write("1 2\n3 4\n5 abc\n")
