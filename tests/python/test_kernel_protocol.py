"""jupyter_kernel_test's protocol conformance suite against the weightlab kernel.

The kernelspec is installed into a temporary Jupyter data folder (JUPYTER_PATH), with the Node
that `WEIGHTLAB_NODE` names or the first `node` on PATH. Run from the repository root with
Debian's Python:  /usr/bin/python3 -m unittest -v tests/python/test_kernel_protocol.py
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import jupyter_kernel_test

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KERNELSPEC_MODULE = os.path.join(REPOSITORY, "kernel", "dist", "kernelspec.js")


def install_kernelspec(env=None):
    """Writes <tmp>/kernels/weightlab/kernel.json with our own installer and returns <tmp>;
    `env` (a dict) becomes the kernelspec's env, which Jupyter adds to the kernel's environment."""
    node = os.environ.get("WEIGHTLAB_NODE") or shutil.which("node")
    if not node:
        raise RuntimeError("node is not on PATH (set WEIGHTLAB_NODE)")
    if not os.path.exists(KERNELSPEC_MODULE):
        raise RuntimeError(f"{KERNELSPEC_MODULE} is missing: build first (npx tsc -b)")
    data = tempfile.mkdtemp(prefix="weightlab-jupyter-")
    options = json.dumps({"env": env} if env else {})
    script = f"require({json.dumps(KERNELSPEC_MODULE)}).installKernelSpec({json.dumps(data)}, {options})"
    subprocess.run([node, "-e", script], check=True)
    return data


def wait_for_main_thread(kc):
    """The kernel answers kernel_info from its I/O thread at once, while its main thread still
    loads TypeScript and the prelude (seconds on a busy machine): one silent empty execution
    waits for that, so a test's time limit per request times requests, not the start-up.
    `kc` is a blocking client."""
    msg_id = kc.execute("", silent=True, store_history=False)
    while kc.get_shell_msg(timeout=120)["parent_header"].get("msg_id") != msg_id:
        pass
    while True:
        msg = kc.get_iopub_msg(timeout=10)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return


DISPLAYABLE = (
    "({ [Symbol.for('weightlab.mimeBundle')]() { return { data: "
    "{ 'image/svg+xml': '<svg xmlns=\"http://www.w3.org/2000/svg\"/>', 'text/plain': 'Figure' } }; } })"
)


class WeightlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "weightlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.ma", "matches": {"max"}},
        {"text": "const letters = 'abc';\nletters.toUpperC", "matches": {"toUpperCase"}},
    ]
    complete_code_samples = ["1", "const a = 1;", "function f() { return 1; }", "display(weightlabMimeType('x'))"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "if (true) {\n  console.log(1);"]

    code_page_something = "Math.max?"
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'a' + 'b'", "result": "ab"},
        {"code": DISPLAYABLE, "mime": "image/svg+xml"},
    ]
    code_display_data = [
        {"code": "display({ [Symbol.for('weightlab.mimeBundle')]: () => ({ data: { 'text/html': '<b>x</b>' } }) })", "mime": "text/html"},
        {"code": "display('plain text')", "mime": "text/plain"},
    ]
    code_history_pattern = "6*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "display.clearOutput()"

    @classmethod
    def setUpClass(cls):
        cls.jupyter_data = install_kernelspec()
        cls.previous_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = cls.jupyter_data
        super().setUpClass()
        cls.wait_for_main_thread()

    @classmethod
    def wait_for_main_thread(cls):
        wait_for_main_thread(cls.kc)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.previous_path is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = cls.previous_path
            shutil.rmtree(cls.jupyter_data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
