"""Jupyter comms of the weightlab kernel, driven by Debian's jupyter_client (issue #20).

The kernel has one comm target, 'weightlab.selection'. A manifold and a phase diagram displayed
from a cell carry a view_id in their output metadata; a comm opened with it links the view to
the object in the kernel: a comm_msg selection is what the next cell reads as `view.selection`,
a cell awaiting `view.nextSelection()` gets it, and `view.select(...)` in a cell comes back as a
comm_msg. comm_info_request lists the open comms. Bad messages never end the kernel: an unknown
target or view is answered by comm_close, malformed data is ignored with a warning in the
kernel's log. Expected ids come from the ids the cells give (rows 0 and 2 of ['a','b','c','d']
are 'a' and 'c'), and a phase cell's models from the rows written here.
Run from the repository root: /usr/bin/python3 -m unittest -v tests/python/test_kernel_comms.py
"""

import json
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_session import RunningKernelMixin, reply_and_outputs  # noqa: E402

MANIFOLD_MIME = "application/vnd.weightlab.manifold.v1+json"
PHASE_MIME = "application/vnd.weightlab.phase-diagram.v1+json"
TARGET = "weightlab.selection"

MANIFOLD_CELL = (
    "const view = await weightManifold([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], "
    "{ ids: ['a', 'b', 'c', 'd'], seed: 1 });\nview"
)
# Four cells of a 2 x 2 grid (width x batch_size), each with its own two models.
PHASE_CELL = """
const phaseRow = (width: number, batch: number, models: string[]) => ({
  width, batch_size: batch, models, train_loss: 0.01, train_acc: 1, test_loss: 0.2, test_acc: 0.95,
  hessian_top_ev: 2, hessian_trace: 10, log_hessian_top_ev: Math.log(2), log_hessian_trace: Math.log(10),
  curve_mc_train_error: 0, curve_mc_test_error: 0, curve_mc_train_loss: 0, linear_barrier_train_loss: 0.1,
  representation_similarity: 0.9, l2_distance: 10, nan: false,
});
const diagram = phaseDiagram(new phases.PhaseTable(
  [phaseRow(2, 8, ['m1', 'm2']), phaseRow(2, 64, ['m3', 'm4']), phaseRow(8, 8, ['m5', 'm6']), phaseRow(8, 64, ['m7', 'm8'])],
  { load: 'width', temperature: 'batch_size' },
));
diagram
"""


def run(kc, code):
    msg_id = kc.execute(code)
    reply, outputs = reply_and_outputs(kc, msg_id)
    if reply["content"]["status"] != "ok":
        raise AssertionError(f"cell failed: {json.dumps(reply['content'])[:2000]}")
    return outputs


def result(outputs):
    found = [m for m in outputs if m["msg_type"] == "execute_result"]
    if len(found) != 1:
        raise AssertionError(f"expected one execute_result, got {[m['msg_type'] for m in outputs]}")
    return found[0]["content"]


def json_value(kc, expression):
    """The value of a cell's expression, sent through JSON.stringify (the text is the JSON)."""
    return json.loads(result(run(kc, f"JSON.stringify({expression})"))["data"]["text/plain"])


def send_comm(kc, msg_type, content):
    """Sends comm_open/comm_msg/comm_close on shell (as a front end does) and returns its msg_id."""
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def comm_info(kc, target=None):
    content = {} if target is None else {"target_name": target}
    msg = kc.session.msg("comm_info_request", content)
    kc.shell_channel.send(msg)
    reply = kc.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
        reply = kc.get_shell_msg(timeout=30)
    assert reply["msg_type"] == "comm_info_reply", reply["msg_type"]
    assert reply["content"]["status"] == "ok", reply["content"]
    return reply["content"]["comms"]


def iopub_until(kc, predicate, timeout=30):
    """IOPub messages up to (and including) the first that `predicate` accepts."""
    seen = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        seen.append(msg)
        if predicate(msg):
            return seen


class CommTests(RunningKernelMixin, unittest.TestCase):
    def test_1_unknown_target_and_view_are_closed(self):
        self.assertEqual(comm_info(self.kc), {})
        for target, data, reason in [
            ("ipywidgets.unknown", {}, "no comm target"),
            (TARGET, {"view_id": str(uuid.uuid4())}, "no view"),
            (TARGET, {}, "needs { view_id }"),
        ]:
            comm_id = uuid.uuid4().hex
            send_comm(self.kc, "comm_open", {"comm_id": comm_id, "target_name": target, "data": data})
            closed = iopub_until(
                self.kc, lambda m: m["msg_type"] == "comm_close" and m["content"]["comm_id"] == comm_id
            )[-1]
            self.assertIn(reason, closed["content"]["data"]["reason"])
        self.assertEqual(comm_info(self.kc), {})
        # The kernel still runs cells.
        self.assertEqual(json_value(self.kc, "6 * 7"), 42)

    def test_2_manifold_selection_round_trip(self):
        bundle = result(run(self.kc, MANIFOLD_CELL))
        self.assertIn(MANIFOLD_MIME, bundle["data"])
        view_id = bundle["metadata"][MANIFOLD_MIME]["view_id"]
        self.assertEqual(json_value(self.kc, "view.selection"), [])

        comm_id = uuid.uuid4().hex
        send_comm(self.kc, "comm_open", {"comm_id": comm_id, "target_name": TARGET, "data": {"view_id": view_id}})
        self.assertEqual(comm_info(self.kc), {comm_id: {"target_name": TARGET}})
        self.assertEqual(comm_info(self.kc, TARGET), {comm_id: {"target_name": TARGET}})
        self.assertEqual(comm_info(self.kc, "other.target"), {})

        # A lasso in the view: rows 0 and 2 are models 'a' and 'c'.
        send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"event": "selection", "kind": "lasso", "indices": [0, 2]}})
        self.assertEqual(json_value(self.kc, "view.selection"), ["a", "c"])

        # Malformed selections are ignored (and logged); the selection stays.
        for data in [
            {"event": "selection", "kind": "lasso", "indices": [0, 99]},
            {"event": "selection", "kind": "lasso", "indices": ["a"]},
            {"event": "hover"},
            "not an object",
        ]:
            send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": data})
        send_comm(self.kc, "comm_msg", {"comm_id": "no-such-comm", "data": {"event": "selection", "kind": "box", "indices": [1]}})
        self.assertEqual(json_value(self.kc, "view.selection"), ["a", "c"])
        log = self.kernel_log()
        self.assertIn("ignoring a malformed selection", log)
        self.assertIn("expected a row below 4, found 99", log)
        self.assertIn("which is not open", log)

        # A cell that awaits the next selection gets the one the view sends while it waits (sent
        # once the cell prints that it runs: comm messages are handled on arrival, not queued).
        waiting = self.kc.execute("console.log('waiting');\nJSON.stringify(await view.nextSelection())")
        iopub_until(self.kc, lambda m: m["msg_type"] == "stream" and "waiting" in m["content"]["text"])
        send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"event": "selection", "kind": "point", "indices": [3]}})
        reply, outputs = reply_and_outputs(self.kc, waiting)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        self.assertEqual(json.loads(result(outputs)["data"]["text/plain"]), ["d"])

        # select() in a cell goes to the view as a comm_msg, with the rows of the ids.
        msg_id = self.kc.execute("view.select(['b', 'd'])")
        reply, outputs = reply_and_outputs(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        sent = [m for m in outputs if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == comm_id]
        self.assertEqual(len(sent), 1, [m["msg_type"] for m in outputs])
        self.assertEqual(sent[0]["content"]["data"], {"event": "selection", "kind": "script", "indices": [1, 3]})
        self.assertEqual(json_value(self.kc, "view.selection"), ["b", "d"])

        # A bad id is a typed error in the cell, naming it.
        msg_id = self.kc.execute("view.select(['b', 'zz'])")
        reply, _ = reply_and_outputs(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertIn('"zz"', reply["content"]["evalue"])

        # comm_close: the comm is gone, and messages to it change nothing.
        send_comm(self.kc, "comm_close", {"comm_id": comm_id, "data": {}})
        self.assertEqual(comm_info(self.kc), {})
        send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"event": "selection", "kind": "box", "indices": [0]}})
        self.assertEqual(json_value(self.kc, "view.selection"), ["b", "d"])

        # A view opened later is sent the current selection at once.
        reopened = uuid.uuid4().hex
        send_comm(self.kc, "comm_open", {"comm_id": reopened, "target_name": TARGET, "data": {"view_id": view_id}})
        sent = iopub_until(
            self.kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == reopened
        )[-1]
        self.assertEqual(sent["content"]["data"]["indices"], [1, 3])
        send_comm(self.kc, "comm_close", {"comm_id": reopened, "data": {}})

    def test_3_phase_cell_selection(self):
        bundle = result(run(self.kc, PHASE_CELL))
        view_id = bundle["metadata"][PHASE_MIME]["view_id"]
        payload = bundle["data"][PHASE_MIME]
        # Rows are widths (load), columns batch sizes (temperature).
        self.assertEqual(payload["y"]["values"], [2, 8])
        self.assertEqual(payload["x"]["values"], [8, 64])
        comm_id = uuid.uuid4().hex
        send_comm(self.kc, "comm_open", {"comm_id": comm_id, "target_name": TARGET, "data": {"view_id": view_id}})
        # Row 1, column 0: width 8, batch size 8.
        send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"event": "selection", "kind": "cell", "cell": {"row": 1, "column": 0}}})
        self.assertEqual(json_value(self.kc, "diagram.selection"), ["m5", "m6"])
        self.assertEqual(json_value(self.kc, "diagram.selectedCell"), {"batch_size": 8, "width": 8})
        # A cell off the grid is ignored.
        send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"event": "selection", "kind": "cell", "cell": {"row": 2, "column": 0}}})
        self.assertEqual(json_value(self.kc, "diagram.selection"), ["m5", "m6"])
        # selectCell in a cell: the view is told the grid position.
        msg_id = self.kc.execute("diagram.selectCell({ batch_size: 64, width: 2 })")
        reply, outputs = reply_and_outputs(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        sent = [m for m in outputs if m["msg_type"] == "comm_msg"]
        self.assertEqual(sent[0]["content"]["data"]["cell"], {"row": 0, "column": 1})
        self.assertEqual(json_value(self.kc, "diagram.selection"), ["m3", "m4"])
        send_comm(self.kc, "comm_msg", {"comm_id": comm_id, "data": {"event": "selection", "kind": "clear", "cell": None}})
        self.assertEqual(json_value(self.kc, "diagram.selection"), [])
        self.assertEqual(json_value(self.kc, "diagram.selectedCell"), None)


if __name__ == "__main__":
    unittest.main()
