"""What the tests that drive a running weightlab kernel share (test_kernel_comms.py,
test_kernel_stdin_restart.py): our kernelspec in a temporary JUPYTER_PATH for the length of a
test class, one kernel started for the class in a working folder of its own with its stderr in a
log the tests can read, and the reply and IOPub messages of one request. Not a test file itself
(unittest runs the files named test_*).
"""

import os
import shutil
import tempfile

from jupyter_client.manager import start_new_kernel

from test_kernel_protocol import install_kernelspec, wait_for_main_thread


class JupyterPathMixin:
    """Points JUPYTER_PATH at a temporary folder holding only our kernelspec, with `kernel_env`."""

    kernel_env = None

    @classmethod
    def setUpClass(cls):
        cls.jupyter_data = install_kernelspec(cls.kernel_env)
        cls.previous_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = cls.jupyter_data

    @classmethod
    def tearDownClass(cls):
        if cls.previous_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = cls.previous_path
        shutil.rmtree(cls.jupyter_data, ignore_errors=True)


class RunningKernelMixin(JupyterPathMixin):
    """One weightlab kernel for the whole test class: `cls.km` (its manager) and `cls.kc` (a
    blocking client, returned once the kernel's main thread runs cells), started in a temporary
    working folder with its stderr written to `cls.log_path` (read it with `kernel_log()`)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cwd = tempfile.mkdtemp(prefix="weightlab-kernel-")
        cls.log_path = os.path.join(cls.cwd, "kernel.log")
        cls.log = open(cls.log_path, "w")
        cls.km = None
        try:
            cls.km, cls.kc = start_new_kernel(
                kernel_name="weightlab", cwd=cls.cwd, stderr=cls.log, startup_timeout=120
            )
            wait_for_main_thread(cls.kc)
        except BaseException:
            # unittest calls tearDownClass only after a setUpClass that succeeded.
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.km is not None:
                cls.kc.stop_channels()
                cls.km.shutdown_kernel(now=True)
        finally:
            cls.log.close()
            shutil.rmtree(cls.cwd, ignore_errors=True)
            super().tearDownClass()

    def kernel_log(self):
        """What the kernel wrote to stderr so far (its warnings: ignored comm messages, ...)."""
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()


def reply_and_outputs(kc, msg_id, timeout=60):
    """The shell reply to `msg_id` and its IOPub messages up to its idle status (blocking client)."""
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return reply, outputs
        outputs.append(msg)
