"""The weightlab lab's server: jupyter_server (Debian's 1.23 or newer) with a small
jupyterlab_server LabServerApp that serves the npm-built front end (lab/build) at /lab.

Why a server app of our own: JupyterLab itself is not packaged in Debian and PyPI may be
unreachable, but jupyter_server and jupyterlab_server are, and they provide everything the
front end talks to (contents, kernels, sessions, kernelspecs, the kernel websocket).
`weightlab lab` runs this file with the Jupyter Python (never the `python3` on PATH) and
passes the build folder in WEIGHTLAB_LAB_BUILD.
"""

import os
import sys

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.extension.handler import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from jupyterlab_server import LabServerApp

BUILD = os.environ.get("WEIGHTLAB_LAB_BUILD", "")
if not os.path.isfile(os.path.join(BUILD, "bundle.js")):
    sys.exit(f"weightlab lab: no built front end in WEIGHTLAB_LAB_BUILD={BUILD!r} (run `npm run build`)")

NAME = "weightlab_lab"


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": WeightlabLab}]


class LabPageHandler(ExtensionHandlerJinjaMixin, ExtensionHandlerMixin, JupyterHandler):
    """The lab's single page; /lab/tree/<path> opens that notebook at start."""

    def get(self, path=""):
        page_config = {
            "appName": "weightlab lab",
            "baseUrl": self.base_url,
            "wsUrl": self.settings.get("websocket_url", ""),
            "token": self.settings["token"],
            "notebookPath": path or self.get_argument("path", ""),
            "fullStaticUrl": url_path_join(self.base_url, "static", self.name),
        }
        self.write(self.render_template("index.html", page_config=page_config))


class WeightlabLab(LabServerApp):
    name = NAME
    extension_url = "/lab"
    default_url = "/lab"
    app_url = "/lab"
    app_name = "weightlab lab"
    load_other_extensions = False
    static_dir = BUILD
    templates_dir = BUILD
    # LabServerApp's settings, themes and workspaces APIs want folders; the front end does
    # not use them, so they point at (mostly empty) folders inside the build.
    app_settings_dir = os.path.join(BUILD, "settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    user_settings_dir = os.path.join(BUILD, "user-settings")
    workspaces_dir = os.path.join(BUILD, "workspaces")

    def initialize_handlers(self):
        self.handlers.append(("/lab", LabPageHandler))
        self.handlers.append((r"/lab/tree/(.*)", LabPageHandler))


if __name__ == "__main__":
    WeightlabLab.launch_instance()
