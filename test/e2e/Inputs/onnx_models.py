"""Loading ONNX models for the end-to-end tests: binary .onnx or ONNX text
format (.onnxtext, whose '#' lines are comments, so lit RUN lines may sit in
the model file itself)."""

import onnx


def load_model(path):
    if path.endswith(".onnxtext"):
        with open(path) as f:
            return onnx.parser.parse_model(f.read())
    return onnx.load(path)


def graph_inputs(model):
    """The inputs a caller provides: graph inputs that are not initializers."""
    initializers = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def output_file_name(name):
    """The file lowbit-run writes an output to (same rule as the tool)."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return safe + ".npy"
