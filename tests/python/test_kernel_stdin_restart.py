"""The weightlab kernel as Jupyter's own Python clients and managers see it.

stdin: jupyter_client's BlockingKernelClient asks with allow_stdin=True, gets the kernel's
input_request with get_stdin_msg() and answers with input(); allow_stdin=False gets
StdinNotImplementedError. Out of memory: a cell that fills the V8 heap (limited to 192 MiB
through the kernelspec's env NODE_OPTIONS, so it is quick) ends the kernel process; the
restarter of IOLoopKernelManager and AsyncIOLoopKernelManager (jupyter_client; the second is
what jupyter_server uses) sees it die and restarts it on the same ports, and the new kernel
answers kernel_info and runs cells; nbclient raises DeadKernelError. Through a real jupyter_server (JupyterLab's path): input()
over the websocket's stdin channel, and "restarting" then a working kernel after out of memory.
Run from the repository root with Debian's Python:
/usr/bin/python3 -m unittest -v tests/python/test_kernel_stdin_restart.py
"""

import asyncio
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import nbformat
from jupyter_client.ioloop import AsyncIOLoopKernelManager, IOLoopKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect
from traitlets.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_session import JupyterPathMixin, RunningKernelMixin, reply_and_outputs  # noqa: E402
from test_kernel_protocol import wait_for_main_thread  # noqa: E402

HEAP_MIB = 192
# Grows an array of arrays until V8 reaches the heap limit and aborts the process.
OUT_OF_MEMORY = "const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(1.5));"
PORT_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def result_text(outputs):
    return next(msg["content"]["data"]["text/plain"] for msg in outputs if msg["msg_type"] == "execute_result")


class StdinTests(RunningKernelMixin, unittest.TestCase):
    def test_input_round_trip(self):
        msg_id = self.kc.execute('const name = await input("Name: ");\nconst token = await password("Token: ");\n`${name}/${token.length}`', allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=60)
        self.assertEqual(request["msg_type"], "input_request")
        self.assertEqual(request["content"], {"prompt": "Name: ", "password": False})
        self.assertEqual(request["parent_header"]["msg_id"], msg_id)
        self.kc.input("Grace")
        request = self.kc.get_stdin_msg(timeout=60)
        self.assertEqual(request["content"], {"prompt": "Token: ", "password": True})
        self.kc.input("hopper!")
        reply, outputs = reply_and_outputs(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertEqual(result_text(outputs), "Grace/7")

    def test_allow_stdin_false_is_stdin_not_implemented(self):
        msg_id = self.kc.execute('await input("never")', allow_stdin=False)
        reply, outputs = reply_and_outputs(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "StdinNotImplementedError")
        self.assertIn("allow_stdin", reply["content"]["evalue"])
        self.assertEqual([msg["content"]["ename"] for msg in outputs if msg["msg_type"] == "error"], ["StdinNotImplementedError"])


class OutOfMemoryRestartTests(JupyterPathMixin, unittest.TestCase):
    kernel_env = {"NODE_OPTIONS": f"--max-old-space-size={HEAP_MIB}"}
    # Polls often, and counts a kernel alive for 2 s as started: a kernel that dies after that
    # is restarted on its own ports (before it, jupyter_client picks new random ones).
    config = Config({"KernelRestarter": {"time_to_dead": 0.5, "stable_start_time": 2.0}})

    def run_scenario(self, manager_class):
        asyncio.run(self.scenario(manager_class))

    async def scenario(self, manager_class):
        km = manager_class(kernel_name="weightlab", config=self.config)
        started = km.start_kernel()
        if asyncio.iscoroutine(started):
            await started
        restarts = []
        km.add_restart_callback(lambda: restarts.append(time.monotonic()), "restart")
        km.start_restarter()
        try:
            ports = {name: getattr(km, name) for name in PORT_NAMES}
            first_pid = km.provisioner.process.pid
            kc = km.blocking_client()
            kc.start_channels()
            kc.wait_for_ready(timeout=120)
            wait_for_main_thread(kc)
            # Outlive stable_start_time, so the restarter keeps the ports.
            await asyncio.sleep(2.5)
            kc.execute(OUT_OF_MEMORY)
            deadline = time.monotonic() + 120
            while not restarts and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            self.assertTrue(restarts, "the restarter never saw the kernel die")
            # The 'restart' callback fires before the new process exists: the async manager
            # restarts in a task of its own, so wait for the replacement to be started.
            def current_process():
                return getattr(km.provisioner, "process", None) if km.provisioner is not None else None
            while time.monotonic() < deadline and (current_process() is None or current_process().pid == first_pid):
                await asyncio.sleep(0.2)
            self.assertIsNotNone(current_process(), "no kernel process after the restart")
            self.assertNotEqual(current_process().pid, first_pid, "the kernel process was not replaced")
            self.assertEqual({name: getattr(km, name) for name in PORT_NAMES}, ports)
            kc.stop_channels()
            # The new kernel on the same ports: kernel_info, then a cell.
            kc = km.blocking_client()
            kc.start_channels()
            info = kc.kernel_info(reply=True, timeout=120)
            self.assertEqual(info["content"]["status"], "ok")
            wait_for_main_thread(kc)
            msg_id = kc.execute("6 * 7")
            reply, outputs = reply_and_outputs(kc, msg_id)
            self.assertEqual(reply["content"]["status"], "ok")
            self.assertEqual(reply["content"]["execution_count"], 1, "a restarted kernel counts from 1")
            self.assertEqual(result_text(outputs), "42")
            self.assertEqual(len(restarts), 1)
            kc.stop_channels()
        finally:
            km.stop_restarter()
            shutdown = km.shutdown_kernel(now=True)
            if asyncio.iscoroutine(shutdown):
                await shutdown

    def test_ioloop_kernel_manager_restarts_after_out_of_memory(self):
        self.run_scenario(IOLoopKernelManager)

    def test_async_ioloop_kernel_manager_restarts_after_out_of_memory(self):
        self.run_scenario(AsyncIOLoopKernelManager)

    def test_nbclient_raises_dead_kernel_error_and_keeps_earlier_outputs(self):
        notebook = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell('console.log("before the hoard")'),
            nbformat.v4.new_code_cell(OUT_OF_MEMORY),
            nbformat.v4.new_code_cell('console.log("never")'),
        ])
        client = NotebookClient(notebook, kernel_name="weightlab", timeout=120, startup_timeout=120)
        with self.assertRaises(DeadKernelError):
            client.execute()
        self.assertEqual(notebook.cells[0].outputs[0]["text"], "before the hoard\n")
        self.assertEqual(notebook.cells[2].outputs, [])


class JupyterServerTests(JupyterPathMixin, unittest.TestCase):
    """The path JupyterLab takes: jupyter_server's REST API and kernel websocket (JSON messages)."""

    kernel_env = {"NODE_OPTIONS": f"--max-old-space-size={HEAP_MIB}"}

    def test_input_and_restart_after_out_of_memory_through_the_websocket(self):
        root = tempfile.mkdtemp(prefix="weightlab-server-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        token = uuid.uuid4().hex
        log_path = os.path.join(self.jupyter_data, "server.log")
        with open(log_path, "wb") as log:
            # --allow-root: test machines often run as root, which jupyter_server refuses otherwise.
            server = subprocess.Popen(
                [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
                 f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
                 "--KernelRestarter.time_to_dead=0.5", "--KernelRestarter.stable_start_time=2"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_PATH": self.jupyter_data},
            )
        try:
            asyncio.run(self.scenario(f"127.0.0.1:{port}", token, server))
        except Exception as error:
            with open(log_path, encoding="utf8", errors="replace") as log:
                raise AssertionError(f"{error!r}\njupyter_server log (tail):\n{log.read()[-6000:]}") from error
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            shutil.rmtree(root, ignore_errors=True)

    async def scenario(self, address, token, server):
        http = AsyncHTTPClient()
        headers = {"Authorization": f"token {token}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                await http.fetch(f"http://{address}/api/status", headers=headers)
                break
            except (ConnectionError, OSError, HTTPClientError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                await asyncio.sleep(0.3)
        created = await http.fetch(f"http://{address}/api/kernels", method="POST", headers=headers, body=json.dumps({"name": "weightlab"}))
        kernel_id = json.loads(created.body)["id"]
        channels = await websocket_connect(HTTPRequest(f"ws://{address}/api/kernels/{kernel_id}/channels", headers=headers))
        session = uuid.uuid4().hex

        def send(channel, msg_type, content, parent_header=None):
            header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test", "session": session,
                      "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "version": "5.3"}
            channels.write_message(json.dumps({"header": header, "parent_header": parent_header or {}, "metadata": {},
                                               "content": content, "channel": channel, "buffers": []}))
            return header["msg_id"]

        async def receive_until(check, timeout=120):
            seen = []
            end = time.monotonic() + timeout
            while True:
                text = await asyncio.wait_for(channels.read_message(), max(0.1, end - time.monotonic()))
                self.assertIsNotNone(text, "the server closed the kernel websocket")
                msg = json.loads(text)
                seen.append(msg)
                if check(msg):
                    return seen

        def execute(code, allow_stdin=False):
            return send("shell", "execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                                      "allow_stdin": allow_stdin, "stop_on_error": True})

        def idle_of(msg_id):
            return lambda msg: msg["channel"] == "iopub" and msg["parent_header"].get("msg_id") == msg_id \
                and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"

        # input() through the server's stdin channel, as JupyterLab's input box answers it.
        asking = execute('`hello ${await input("Who? ")}`', allow_stdin=True)
        seen = await receive_until(lambda msg: msg["channel"] == "stdin")
        request = seen[-1]
        self.assertEqual((request["msg_type"], request["content"]), ("input_request", {"prompt": "Who? ", "password": False}))
        self.assertEqual(request["parent_header"]["msg_id"], asking)
        # JupyterLab's input box parents its reply to the input_request.
        send("stdin", "input_reply", {"status": "ok", "value": "Lab"}, request["header"])
        seen = await receive_until(idle_of(asking))
        self.assertIn("hello Lab", [msg["content"]["data"]["text/plain"] for msg in seen if msg["msg_type"] == "execute_result"])

        # Out of memory: the server says "restarting" on IOPub, and the new kernel answers on the same websocket.
        execute(OUT_OF_MEMORY)
        await receive_until(lambda msg: msg["msg_type"] == "status" and msg["content"]["execution_state"] == "restarting")
        info_id = send("shell", "kernel_info_request", {})
        seen = await receive_until(lambda msg: msg["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") == info_id)
        self.assertEqual(seen[-1]["content"]["status"], "ok")
        answer = execute("6 * 7")
        # The reply (shell) and the idle status (IOPub) come through the websocket in either order.
        pending = {"execute_reply", "idle"}

        def finished(msg):
            if msg["parent_header"].get("msg_id") == answer:
                if msg["msg_type"] == "execute_reply":
                    pending.discard("execute_reply")
                if idle_of(answer)(msg):
                    pending.discard("idle")
            return not pending

        seen = await receive_until(finished)
        self.assertEqual([msg["content"]["data"]["text/plain"] for msg in seen if msg["msg_type"] == "execute_result"], ["42"])
        replies = [msg for msg in seen if msg["msg_type"] == "execute_reply"]
        self.assertEqual(replies[0]["content"]["execution_count"], 1, "a restarted kernel counts from 1")
        channels.close()
        await http.fetch(f"http://{address}/api/kernels/{kernel_id}", method="DELETE", headers=headers)


if __name__ == "__main__":
    unittest.main()
