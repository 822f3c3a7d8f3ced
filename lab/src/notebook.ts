// Notebook documents: the model and widget factories, with the toolbar (save, insert, run,
// run all, interrupt, restart, cell type, kernel name, execution progress). Notebooks start
// the kernel named in their metadata (the weightlab kernel for ours).
import { CommandToolbarButton, Toolbar as SessionToolbar, type ISessionContextDialogs } from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import {
  ExecutionIndicator,
  NotebookModelFactory,
  NotebookPanel,
  NotebookWidgetFactory,
  StaticNotebook,
  ToolbarItems,
} from '@jupyterlab/notebook';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Toolbar } from '@jupyterlab/ui-components';
import type { CommandRegistry } from '@lumino/commands';
import { COMMAND } from './commands';
import type { EditorServices } from './editor';

const TOOLBAR_COMMANDS = [
  COMMAND.save,
  COMMAND.insert,
  COMMAND.runAndAdvance,
  COMMAND.runAll,
  COMMAND.interrupt,
  COMMAND.restart,
];

export function registerNotebookFactories(options: {
  registry: DocumentRegistry;
  commands: CommandRegistry;
  rendermime: IRenderMimeRegistry;
  editor: EditorServices;
  dialogs: ISessionContextDialogs;
}): NotebookWidgetFactory {
  const { registry, commands, rendermime, editor, dialogs } = options;
  const toolbarFactory = (panel: NotebookPanel): DocumentRegistry.IToolbarItem[] => [
    ...TOOLBAR_COMMANDS.map((id) => ({ name: id, widget: new CommandToolbarButton({ commands, id }) })),
    { name: 'cellType', widget: ToolbarItems.createCellTypeItem(panel) },
    { name: 'spacer', widget: Toolbar.createSpacerItem() },
    { name: 'kernelName', widget: SessionToolbar.createKernelNameItem(panel.sessionContext, dialogs) },
    { name: 'executionProgress', widget: ExecutionIndicator.createExecutionIndicatorItem(panel) },
  ];
  const factory = new NotebookWidgetFactory({
    name: 'Notebook',
    modelName: 'notebook',
    fileTypes: ['notebook'],
    defaultFor: ['notebook'],
    preferKernel: true,
    canStartKernel: true,
    rendermime,
    contentFactory: new NotebookPanel.ContentFactory({ editorFactory: editor.factory.newInlineEditor }),
    mimeTypeService: editor.mimeTypes,
    toolbarFactory,
    // Every cell stays in the DOM: simpler to read, search and test than windowed rendering.
    notebookConfig: { ...StaticNotebook.defaultNotebookConfig, windowingMode: 'none' },
  });
  registry.addModelFactory(new NotebookModelFactory({}));
  registry.addWidgetFactory(factory);
  return factory;
}
