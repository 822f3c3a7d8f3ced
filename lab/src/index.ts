// Entry of the weightlab lab front end: a file browser on the left, notebooks as tabs on the
// right, built from JupyterLab 4's npm packages and talking to jupyter_server through the
// page config the server writes (base URL, token, notebook to open).
import './style';
import { SessionContextDialogs, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { DocumentManager } from '@jupyterlab/docmanager';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { FileBrowser, FilterFileBrowserModel } from '@jupyterlab/filebrowser';
import { NotebookPanel } from '@jupyterlab/notebook';
import { ServiceManager } from '@jupyterlab/services';
import { applyJupyterTheme } from '@jupyter/web-components';
import { setKernelLocator } from '@weightlab/extension';
import { BoxPanel, DockPanel, SplitPanel, Widget } from '@lumino/widgets';
import { attachCompleter } from './completion';
import { createCommands, type LabContext } from './commands';
import { createEditorServices } from './editor';
import { registerNotebookFactories } from './notebook';
import { createRenderMime } from './rendermime';
import { attachWidgetManager } from './widgets';

declare global {
  interface Window {
    /** For tests and the console: the lab's document manager and notebook tracker. */
    weightlab?: { documents: DocumentManager; notebooks: WidgetTracker<NotebookPanel> };
  }
}

function fileBrowserColumn(documents: DocumentManager): Widget {
  const browser = new FileBrowser({ id: 'weightlab-files', model: new FilterFileBrowserModel({ manager: documents }) });
  const title = new Widget();
  title.addClass('weightlab-title');
  title.node.textContent = 'weightlab lab';
  const column = new BoxPanel({ direction: 'top-to-bottom', spacing: 0 });
  BoxPanel.setStretch(title, 0);
  BoxPanel.setStretch(browser, 1);
  column.addWidget(title);
  column.addWidget(browser);
  column.id = 'weightlab-sidebar';
  return column;
}

async function main(): Promise<void> {
  const services = new ServiceManager();
  await services.ready;
  const dock = new DockPanel();
  dock.id = 'weightlab-documents';
  const tracker = new WidgetTracker<NotebookPanel>({ namespace: 'weightlab-notebooks' });
  const dialogs = new SessionContextDialogs();
  const lab: LabContext = { tracker, completers: new WeakMap(), dialogs };
  const registry = new DocumentRegistry();
  const documents = new DocumentManager({
    registry,
    manager: services,
    opener: {
      // Documents open as tabs; re-opening an open one just activates its tab.
      open: (widget: Widget) => {
        if (!widget.isAttached) dock.addWidget(widget);
        dock.activateWidget(widget);
      },
      get opened() {
        return { connect: () => false, disconnect: () => false } as never;
      },
    },
  });
  const commands = createCommands(lab);
  const factory = registerNotebookFactories({
    registry,
    commands,
    rendermime: createRenderMime(),
    editor: createEditorServices(),
    dialogs,
  });
  // Manifolds and phase diagrams tell the kernel of their notebook what the user selects.
  setKernelLocator(
    (node) => tracker.find((panel) => panel.node.contains(node))?.sessionContext.session?.kernel ?? null,
  );
  factory.widgetCreated.connect((_, panel) => {
    void tracker.add(panel);
    lab.completers.set(panel, attachCompleter(panel));
    attachWidgetManager(panel);
  });

  const shell = new SplitPanel({ orientation: 'horizontal', spacing: 1 });
  shell.id = 'weightlab-shell';
  shell.addClass('jp-ThemedContainer');
  const sidebar = fileBrowserColumn(documents);
  shell.addWidget(sidebar);
  shell.addWidget(dock);
  SplitPanel.setStretch(sidebar, 0);
  SplitPanel.setStretch(dock, 1);
  Widget.attach(shell, document.body);
  shell.setRelativeSizes([1, 4]);
  window.addEventListener('resize', () => shell.update());
  applyJupyterTheme();

  const notebookPath = PageConfig.getOption('notebookPath');
  if (notebookPath) documents.openOrReveal(notebookPath);
  window.weightlab = { documents, notebooks: tracker };
}

void main().catch((error: unknown) => {
  document.body.textContent = `weightlab lab failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  throw error;
});
