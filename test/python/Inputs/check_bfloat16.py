"""The lowbit Python package on a model with bfloat16 tensors (the model of
test/e2e/bfloat16-io.onnxtext): numpy has no bfloat16, so they are uint16 bit
patterns; expected values come from the bits (float32 to bfloat16 rounds to
nearest even, bfloat16 to float32 is exact).

    check_bfloat16.py MODEL.so
"""
import sys

import numpy as np

import lowbit


def main():
    model = lowbit.Model(sys.argv[1])
    for spec in model.inputs + model.outputs:
        print(f"{spec.name} {spec.dtype} {spec.shape}")
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((3, 40)) * 100).astype(np.float32)
    h = (rng.standard_normal((3, 40)).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
    result = model.run(x=x, h=h)
    bits = x.view(np.uint32).astype(np.uint64)
    want_xh = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    want_hf = (h.astype(np.uint32) << 16).view(np.float32)
    print("xh:", result["xh"].dtype, np.array_equal(result["xh"], want_xh))
    print("hf:", result["hf"].dtype, np.array_equal(result["hf"], want_hf))
    try:
        model.run(x=x, h=h.astype(np.int16))
    except lowbit.DtypeError as error:
        print("DtypeError:", error)


if __name__ == "__main__":
    main()
