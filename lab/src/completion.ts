// Kernel completion for one notebook panel (Tab in a code cell): a Completer widget and a
// handler that follows the active cell and asks the panel's kernel session.
import {
  Completer,
  CompleterModel,
  CompletionHandler,
  KernelCompleterProvider,
  ProviderReconciliator,
} from '@jupyterlab/completer';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

// JupyterLab drops a provider that answers later than this. The kernel answers from its
// TypeScript language service, whose first request in a session can take seconds on a busy
// machine; 1 s (the upstream example's value) lost those answers.
const COMPLETION_TIMEOUT_MS = 10_000;

export function attachCompleter(panel: NotebookPanel): CompletionHandler {
  const editor = panel.content.activeCell?.editor ?? null;
  const completer = new Completer({ editor, model: new CompleterModel() });
  const sessionContext = panel.context.sessionContext;
  const reconciliator = () =>
    new ProviderReconciliator({
      context: { widget: panel, editor, session: sessionContext.session },
      providers: [new KernelCompleterProvider()],
      timeout: COMPLETION_TIMEOUT_MS,
    });
  const handler = new CompletionHandler({ completer, reconciliator: reconciliator() });
  // The session (and so the kernel connection) exists only once the context is ready.
  void sessionContext.ready.then(() => {
    handler.reconciliator = reconciliator();
  });
  sessionContext.kernelChanged.connect(() => {
    handler.reconciliator = reconciliator();
  });
  handler.editor = editor;
  panel.content.activeCellChanged.connect((_, cell) => {
    handler.editor = cell?.editor ?? null;
  });
  completer.hide();
  completer.addClass('jp-ThemedContainer');
  Widget.attach(completer, document.body);
  panel.disposed.connect(() => {
    completer.dispose();
    handler.dispose();
  });
  return handler;
}
