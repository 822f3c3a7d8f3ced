"""The @jupyter-widgets comm protocol (version 2) of the weightlab kernel, driven by Debian's
jupyter_client acting as the front end (issue #20).

A widget displayed by a cell opens one 'jupyter.widget' comm per model (its layout and style
first) with data {state, buffer_paths} and metadata {version: '2.x.x'}; the display is the
application/vnd.jupyter.widget-view+json MIME type naming the model. An `update` from the front
end changes the value, is echoed back (echo_update, parented to the update), and interact()
re-runs its function and sets the Output widget's `outputs`. The attribute names a model needs
are those the models of @jupyter-widgets/controls 5 declare in their defaults() (src/widget_int.ts,
widget_description.ts, widget_core.ts, base/src/widget.ts); the values a cell shows are computed
here from the values sent (width * width).
Run from the repository root: /usr/bin/python3 -m unittest -v tests/python/test_kernel_widgets.py
"""

import json
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_session import RunningKernelMixin, reply_and_outputs  # noqa: E402
from test_kernel_comms import comm_info, iopub_until, json_value, result, run, send_comm  # noqa: E402

TARGET = "jupyter.widget"
VIEW_MIME = "application/vnd.jupyter.widget-view+json"

# WidgetModel, DOMWidgetModel, DescriptionModel, BoundedIntModel and IntSliderModel defaults.
INT_SLIDER_ATTRIBUTES = {
    "_model_module", "_model_module_version", "_model_name", "_view_module", "_view_module_version",
    "_view_name", "_view_count", "_dom_classes", "layout", "tabbable", "tooltip", "description",
    "description_allow_html", "style", "value", "min", "max", "step", "orientation", "readout",
    "readout_format", "continuous_update", "disabled",
}
OUTPUT_ATTRIBUTES = {
    "_model_module", "_model_module_version", "_model_name", "_view_module", "_view_module_version",
    "_view_name", "_view_count", "_dom_classes", "layout", "tabbable", "tooltip", "msg_id", "outputs",
}

INTERACT_CELL = """
const calls: number[] = [];
const view = interact((width: number) => {
  calls.push(width);
  if (width === 8) throw new RangeError('width 8 is refused');
  return `width=${width} square=${width * width}`;
}, { width: slider({ min: 1, max: 9, value: 3 }) });
view
"""


def opened(outputs):
    """comm_open messages among a cell's outputs, by comm id: their content and the message's metadata."""
    return {m["content"]["comm_id"]: {**m["content"], "metadata": m["metadata"]} for m in outputs if m["msg_type"] == "comm_open"}


def text_outputs(state):
    return [item["data"]["text/plain"] for item in state["outputs"] if item["output_type"] == "display_data"]


class WidgetTests(RunningKernelMixin, unittest.TestCase):
    def test_1_slider_opens_its_models(self):
        self.assertEqual(comm_info(self.kc, TARGET), {})
        outputs = run(self.kc, "const s = slider({ min: 1, max: 9, value: 3, description: 'width' });\ns")
        comms = opened(outputs)
        bundle = result(outputs)
        view = bundle["data"][VIEW_MIME]
        self.assertEqual((view["version_major"], view["version_minor"]), (2, 0))
        model = comms[view["model_id"]]
        self.assertEqual(model["target_name"], TARGET)
        self.assertTrue(model["metadata"]["version"].startswith("2."), model["metadata"])
        self.assertEqual(model["data"]["buffer_paths"], [])
        state = model["data"]["state"]
        self.assertEqual(INT_SLIDER_ATTRIBUTES - set(state), set())
        self.assertEqual(
            (state["_model_name"], state["_view_name"], state["_model_module"]),
            ("IntSliderModel", "IntSliderView", "@jupyter-widgets/controls"),
        )
        self.assertEqual((state["value"], state["min"], state["max"], state["step"]), (3, 1, 9, 1))
        # layout and style are models opened before the slider, referred to by id.
        for key, name in [("layout", "LayoutModel"), ("style", "SliderStyleModel")]:
            ref = state[key]
            self.assertTrue(ref.startswith("IPY_MODEL_"), ref)
            self.assertEqual(comms[ref[len("IPY_MODEL_"):]]["data"]["state"]["_model_name"], name)
        order = [m["content"]["comm_id"] for m in outputs if m["msg_type"] == "comm_open"]
        self.assertEqual(order[-1], view["model_id"])
        self.assertIn("IntSlider(value=3", bundle["data"]["text/plain"])
        self.assertEqual(set(comm_info(self.kc, TARGET)), set(comms))

        # A value from the front end; request_state answers with the whole state.
        model_id = view["model_id"]
        send_comm(self.kc, "comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": {"value": 5}, "buffer_paths": []}})
        self.assertEqual(json_value(self.kc, "s.value"), 5)
        send_comm(self.kc, "comm_msg", {"comm_id": model_id, "data": {"method": "request_state"}})
        answer = iopub_until(
            self.kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update"
        )[-1]
        self.assertEqual(answer["content"]["data"]["state"]["value"], 5)
        self.assertEqual(INT_SLIDER_ATTRIBUTES - set(answer["content"]["data"]["state"]), set())

        # A value set by a cell goes to the front end as an update.
        reply, cell_outputs = reply_and_outputs(self.kc, self.kc.execute("s.value = 2"))
        updates = [m["content"]["data"] for m in cell_outputs if m["msg_type"] == "comm_msg"]
        self.assertEqual(updates, [{"method": "update", "state": {"value": 2}, "buffer_paths": []}])

        # A front end closing the comm: it is no longer listed.
        send_comm(self.kc, "comm_close", {"comm_id": model_id, "data": {}})
        self.assertNotIn(model_id, comm_info(self.kc, TARGET))

    def test_2_interact_reruns_on_update(self):
        outputs = run(self.kc, INTERACT_CELL)
        comms = opened(outputs)
        bundle = result(outputs)
        box = comms[bundle["data"][VIEW_MIME]["model_id"]]["data"]["state"]
        self.assertEqual(box["_model_name"], "VBoxModel")
        slider_id, output_id = [ref[len("IPY_MODEL_"):] for ref in box["children"]]
        slider_state = comms[slider_id]["data"]["state"]
        output_state = comms[output_id]["data"]["state"]
        self.assertEqual(slider_state["description"], "width")
        self.assertEqual(OUTPUT_ATTRIBUTES - set(output_state), set())
        self.assertEqual(output_state["_model_module"], "@jupyter-widgets/output")
        self.assertEqual(text_outputs(output_state), [f"width=3 square={3 * 3}"])
        # Without a widget manager the display is the current rendering, as text.
        self.assertIn(f"width=3 square={3 * 3}", bundle["data"]["text/plain"])

        def move(value):
            update = send_comm(
                self.kc, "comm_msg", {"comm_id": slider_id, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}}
            )
            seen = iopub_until(
                self.kc,
                lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == output_id
                and m["content"]["data"]["state"].get("outputs"),
            )
            echo = [m for m in seen if m["msg_type"] == "comm_msg" and m["content"]["data"]["method"] == "echo_update"]
            self.assertEqual(len(echo), 1, [m["msg_type"] for m in seen])
            self.assertEqual(echo[0]["content"]["data"]["state"], {"value": value})
            self.assertEqual(echo[0]["parent_header"]["msg_id"], update)
            return seen, seen[-1]["content"]["data"]["state"]

        _, state = move(7)
        self.assertEqual(text_outputs(state), [f"width=7 square={7 * 7}"])

        # A value past max is kept at max: the front end is told with an update of the slider.
        seen, state = move(20)
        corrections = [
            m["content"]["data"]["state"] for m in seen
            if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == slider_id and m["content"]["data"]["method"] == "update"
        ]
        self.assertEqual(corrections, [{"value": 9}])
        self.assertEqual(text_outputs(state), [f"width=9 square={9 * 9}"])

        # The function's error shows in the output; the next value shows again.
        _, state = move(8)
        self.assertEqual([item["output_type"] for item in state["outputs"]], ["error"])
        self.assertEqual(state["outputs"][0]["evalue"], "width 8 is refused")
        _, state = move(4)
        self.assertEqual(text_outputs(state), [f"width=4 square={4 * 4}"])
        self.assertEqual(json_value(self.kc, "calls"), [3, 7, 9, 8, 4])
        self.assertEqual(json_value(self.kc, "view.values"), {"width": 4})

        # Malformed updates change nothing and are logged.
        for data in [{"method": "update", "state": {"value": "wide"}}, {"method": "update", "state": {"min": 0}}, {"method": "dance"}]:
            send_comm(self.kc, "comm_msg", {"comm_id": slider_id, "data": data})
        self.assertEqual(json_value(self.kc, "calls"), [3, 7, 9, 8, 4])
        log = self.kernel_log()
        self.assertIn("ignoring a malformed message on jupyter.widget comm", log)
        self.assertIn('found "wide"', log)

        # A reconnecting front end asks the control comm for every state at once.
        control = uuid.uuid4().hex
        send_comm(self.kc, "comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}})
        send_comm(self.kc, "comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        states = iopub_until(
            self.kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == control
        )[-1]["content"]["data"]
        self.assertEqual(states["method"], "update_states")
        self.assertEqual(states["states"][slider_id]["value"], 4)
        self.assertEqual(text_outputs(states["states"][output_id]), [f"width=4 square={4 * 4}"])
        send_comm(self.kc, "comm_close", {"comm_id": control, "data": {}})

    def test_3_front_end_widgets_are_refused(self):
        comm_id = uuid.uuid4().hex
        send_comm(self.kc, "comm_open", {"comm_id": comm_id, "target_name": TARGET, "data": {"state": {}}})
        closed = iopub_until(self.kc, lambda m: m["msg_type"] == "comm_close" and m["content"]["comm_id"] == comm_id)[-1]
        self.assertIn("does not take widgets created by a front end", closed["content"]["data"]["reason"])
        self.assertNotIn(comm_id, comm_info(self.kc))


if __name__ == "__main__":
    unittest.main()
