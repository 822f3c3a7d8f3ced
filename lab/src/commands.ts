// The lab's commands and key bindings, acting on the notebook that has focus: run (Shift
// Enter / Ctrl Enter), run all, save, edit and command modes, interrupt, restart, insert, and
// kernel completion on Tab. Toolbar buttons call the same commands.
import { type ISessionContextDialogs, type WidgetTracker } from '@jupyterlab/apputils';
import type { CompletionHandler } from '@jupyterlab/completer';
import { NotebookActions, type NotebookPanel } from '@jupyterlab/notebook';
import {
  addIcon,
  fastForwardIcon,
  type LabIcon,
  refreshIcon,
  runIcon,
  saveIcon,
  stopIcon,
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';

export const COMMAND = {
  runAndAdvance: 'notebook:run-cell-and-select-next',
  run: 'notebook:run-cell',
  runAll: 'notebook:run-all-cells',
  save: 'docmanager:save',
  insert: 'notebook:insert-cell-below',
  interrupt: 'notebook:interrupt-kernel',
  restart: 'notebook:restart-kernel',
  editMode: 'notebook:enter-edit-mode',
  commandMode: 'notebook:enter-command-mode',
  selectBelow: 'notebook:move-cursor-down',
  selectAbove: 'notebook:move-cursor-up',
  complete: 'completer:invoke-notebook',
  completeSelect: 'completer:select-notebook',
} as const;

export interface LabContext {
  tracker: WidgetTracker<NotebookPanel>;
  completers: WeakMap<NotebookPanel, CompletionHandler>;
  dialogs: ISessionContextDialogs;
}

export function createCommands(lab: LabContext): CommandRegistry {
  const commands = new CommandRegistry();
  const current = () => lab.tracker.currentWidget;
  const add = (id: string, label: string, execute: (panel: NotebookPanel) => unknown, icon?: LabIcon) =>
    commands.addCommand(id, {
      label,
      caption: label,
      icon,
      isEnabled: () => current() !== null,
      execute: () => {
        const panel = current();
        return panel ? execute(panel) : undefined;
      },
    });
  add(
    COMMAND.runAndAdvance,
    'Run the selected cells and advance',
    (panel) => NotebookActions.runAndAdvance(panel.content, panel.sessionContext, lab.dialogs),
    runIcon,
  );
  add(COMMAND.run, 'Run the selected cells', (panel) =>
    NotebookActions.run(panel.content, panel.sessionContext, lab.dialogs),
  );
  add(
    COMMAND.runAll,
    'Run all cells',
    (panel) => NotebookActions.runAll(panel.content, panel.sessionContext, lab.dialogs),
    fastForwardIcon,
  );
  add(COMMAND.save, 'Save', (panel) => panel.context.save(), saveIcon);
  add(COMMAND.insert, 'Insert a cell below', (panel) => NotebookActions.insertBelow(panel.content), addIcon);
  add(
    COMMAND.interrupt,
    'Interrupt the kernel',
    (panel) => panel.sessionContext.session?.kernel?.interrupt(),
    stopIcon,
  );
  add(COMMAND.restart, 'Restart the kernel', (panel) => lab.dialogs.restart(panel.sessionContext), refreshIcon);
  add(COMMAND.editMode, 'Edit mode', (panel) => {
    panel.content.mode = 'edit';
  });
  add(COMMAND.commandMode, 'Command mode', (panel) => {
    panel.content.mode = 'command';
  });
  add(COMMAND.selectBelow, 'Select the cell below', (panel) => NotebookActions.selectBelow(panel.content));
  add(COMMAND.selectAbove, 'Select the cell above', (panel) => NotebookActions.selectAbove(panel.content));
  add(COMMAND.complete, 'Complete', (panel) => {
    if (panel.content.activeCell?.model.type === 'code') return lab.completers.get(panel)?.invoke();
  });
  add(COMMAND.completeSelect, 'Accept the completion', (panel) => lab.completers.get(panel)?.completer.selectActive());

  const commandMode = '.jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus';
  const bindings: Array<[string, string, string[]]> = [
    [COMMAND.complete, '.jp-Notebook.jp-mod-editMode .jp-mod-completer-enabled', ['Tab']],
    [COMMAND.completeSelect, '.jp-mod-completer-active', ['Enter']],
    [COMMAND.run, '.jp-Notebook', ['Ctrl Enter']],
    [COMMAND.runAndAdvance, '.jp-Notebook', ['Shift Enter']],
    [COMMAND.save, '.jp-Notebook', ['Accel S']],
    [COMMAND.editMode, commandMode, ['Enter']],
    [COMMAND.commandMode, '.jp-Notebook.jp-mod-editMode', ['Escape']],
    [COMMAND.interrupt, commandMode, ['I', 'I']],
    [COMMAND.restart, commandMode, ['0', '0']],
    [COMMAND.selectBelow, commandMode, ['ArrowDown']],
    [COMMAND.selectAbove, commandMode, ['ArrowUp']],
    [COMMAND.insert, commandMode, ['B']],
  ];
  for (const [command, selector, keys] of bindings) commands.addKeyBinding({ command, selector, keys });
  // Capture phase, so the bindings win over the editor's own handling of Tab and Enter.
  document.addEventListener('keydown', (event) => commands.processKeydownEvent(event), true);
  return commands;
}
