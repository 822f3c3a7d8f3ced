// ipywidgets in the lab: every notebook gets a @jupyter-widgets/jupyterlab-manager WidgetManager
// (the one JupyterLab's own widgets plugin makes), bound to its kernel, and a renderer for the
// widget-view MIME type in that notebook's rendermime, ahead of every other renderer, so a
// slider or interact() displayed by a cell shows live controls. The plugin module itself is not
// used: it loads the controls through webpack's require.ensure, which esbuild has no equivalent
// of; here they load through a dynamic import (a chunk fetched when the first widget shows).
import * as base from '@jupyter-widgets/base';
import { JUPYTER_CONTROLS_VERSION } from '@jupyter-widgets/controls/lib/version';
import { WidgetManager, WIDGET_VIEW_MIMETYPE } from '@jupyter-widgets/jupyterlab-manager/lib/manager';
import { OutputModel, OutputView, OUTPUT_WIDGET_VERSION } from '@jupyter-widgets/jupyterlab-manager/lib/output';
import { WidgetRenderer } from '@jupyter-widgets/jupyterlab-manager/lib/renderer';
import type { NotebookPanel } from '@jupyterlab/notebook';
import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets-base.css';

/** Rank of the widget renderer: JupyterLab's plugin uses -10, before any other renderer. */
const WIDGET_RENDERER_RANK = -10;

/** Gives `panel` a widget manager and a widget-view renderer; both go with the panel. */
export function attachWidgetManager(panel: NotebookPanel): void {
  // Widget state is not written into the notebook: outputs are what the kernel shows, and
  // notebooks here are committed without outputs anyway.
  const manager = new WidgetManager(panel.context, panel.content.rendermime, { saveState: false });
  manager.register({
    name: '@jupyter-widgets/base',
    version: base.JUPYTER_WIDGETS_VERSION,
    exports: {
      WidgetModel: base.WidgetModel,
      WidgetView: base.WidgetView,
      DOMWidgetView: base.DOMWidgetView,
      DOMWidgetModel: base.DOMWidgetModel,
      LayoutModel: base.LayoutModel,
      LayoutView: base.LayoutView,
      StyleModel: base.StyleModel,
      StyleView: base.StyleView,
      ErrorWidgetView: base.ErrorWidgetView,
    } as never,
  });
  manager.register({
    name: '@jupyter-widgets/controls',
    version: JUPYTER_CONTROLS_VERSION,
    exports: () => import('@jupyter-widgets/controls') as never,
  });
  manager.register({
    name: '@jupyter-widgets/output',
    version: OUTPUT_WIDGET_VERSION,
    exports: { OutputModel, OutputView } as never,
  });
  const rendermime = panel.content.rendermime;
  rendermime.removeMimeType(WIDGET_VIEW_MIMETYPE);
  rendermime.addFactory(
    {
      safe: false,
      mimeTypes: [WIDGET_VIEW_MIMETYPE],
      createRenderer: (options) => new WidgetRenderer(options, manager),
    },
    WIDGET_RENDERER_RANK,
  );
  panel.disposed.connect(() => manager.dispose());
}
