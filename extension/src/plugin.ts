// The front-end plugin half of the extension, for a stock JupyterLab (or Notebook 7): mime
// renderers get no kernel, so this plugin gives the renderer a locator that finds the kernel of
// the main-area document (a notebook panel, or anything with a session context) holding a view.
// The weightlab lab does not load plugins and sets its own locator (lab/src/index.ts).

import { setKernelLocator, type KernelLike } from './selection-link';

/** The parts of JupyterLab's application and of a document widget used here (typed by shape, no imports). */
interface ApplicationLike {
  shell: { widgets(area?: string): Iterable<unknown> };
}

interface DocumentLike {
  node?: HTMLElement;
  sessionContext?: { session?: { kernel?: KernelLike | null } | null };
}

const plugin = {
  id: '@weightlab/extension:kernel-locator',
  description: 'Lets weightlab views tell the kernel of their notebook what the user selects.',
  autoStart: true,
  activate: (app: ApplicationLike): void => {
    setKernelLocator((node) => {
      for (const widget of app.shell.widgets('main')) {
        const document = widget as DocumentLike;
        if (document.sessionContext && document.node?.contains(node))
          return document.sessionContext.session?.kernel ?? null;
      }
      return null;
    });
  },
};

export default plugin;
