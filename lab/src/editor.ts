// CodeMirror services for the lab: every language JupyterLab ships (TypeScript included, so
// weightlab cells are highlighted: the kernel reports codemirror_mode "typescript"), the
// markdown-cell language, and the binding that keeps editors and the shared cell model in sync.
import type { IYText } from '@jupyter/ydoc';
import {
  CodeMirrorEditorFactory,
  CodeMirrorMimeTypeService,
  EditorExtensionRegistry,
  EditorLanguageRegistry,
  EditorThemeRegistry,
  ybinding,
} from '@jupyterlab/codemirror';

export interface EditorServices {
  languages: EditorLanguageRegistry;
  factory: CodeMirrorEditorFactory;
  mimeTypes: CodeMirrorMimeTypeService;
}

function extensionRegistry(): EditorExtensionRegistry {
  const themes = new EditorThemeRegistry();
  for (const theme of EditorThemeRegistry.getDefaultThemes()) themes.addTheme(theme);
  const registry = new EditorExtensionRegistry();
  for (const extension of EditorExtensionRegistry.getDefaultExtensions({ themes })) registry.addExtension(extension);
  registry.addExtension({
    name: 'shared-model-binding',
    factory: (options) => {
      const shared = options.model.sharedModel as IYText;
      return EditorExtensionRegistry.createImmutableExtension(
        ybinding({ ytext: shared.ysource, undoManager: shared.undoManager ?? undefined }),
      );
    },
  });
  return registry;
}

export function createEditorServices(): EditorServices {
  const languages = new EditorLanguageRegistry();
  for (const language of EditorLanguageRegistry.getDefaultLanguages()) languages.addLanguage(language);
  // Markdown cells use JupyterLab's 'text/x-ipythongfm' mime; fenced code inside them is
  // highlighted with the registry's languages.
  languages.addLanguage({
    name: 'ipythongfm',
    mime: 'text/x-ipythongfm',
    load: async () => {
      const markdown = await import('@codemirror/lang-markdown');
      return markdown.markdown({ codeLanguages: (info: string) => languages.findBest(info) as never });
    },
  });
  return {
    languages,
    factory: new CodeMirrorEditorFactory({ extensions: extensionRegistry(), languages }),
    mimeTypes: new CodeMirrorMimeTypeService(languages),
  };
}
