// The lab's CSS, imported once from the entry so esbuild writes a single bundle.css: the
// JupyterLab pieces the shell uses, the light theme, our renderer's style and the page layout.
import '@jupyterlab/application/style/index.css';
import '@jupyterlab/codemirror/style/index.css';
import '@jupyterlab/completer/style/index.css';
import '@jupyterlab/filebrowser/style/index.css';
import '@jupyterlab/notebook/style/index.css';
import '@jupyterlab/theme-light-extension/style/theme.css';
import '@jupyterlab/theme-light-extension/style/variables.css';
import '@weightlab/extension/style/index.css';
import '../static/lab.css';
