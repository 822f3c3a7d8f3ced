// The kernel_info_reply content: what Jupyter front ends learn about this kernel.

import { PROTOCOL_VERSION } from '../wire/message';

/**
 * `namespaces`: the namespaces the prelude imports (from dist/prelude.json), named in the banner
 * so it says what a cell can call without an import.
 */
export function kernelInfo(
  typescriptVersion: string,
  kernelVersion: string,
  namespaces: readonly string[] = [],
): Record<string, unknown> {
  const surface =
    namespaces.length > 0
      ? `with weightlab's public API preloaded: its flat names, the namespaces ${namespaces.join(', ')}, and all of it as weightlab.*`
      : "with weightlab's public API preloaded as weightlab.*";
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'weightlab',
    implementation_version: kernelVersion,
    language_info: {
      name: 'typescript',
      version: typescriptVersion,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      pygments_lexer: 'typescript',
      codemirror_mode: 'typescript',
    },
    banner: `weightlab ${kernelVersion}: TypeScript ${typescriptVersion} on Node.js ${process.version}, ${surface}`,
    debugger: false,
    help_links: [
      { text: 'weightlab', url: 'https://github.com/weightlab/weightlab' },
      { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
      { text: 'Node.js API', url: `https://nodejs.org/docs/${process.version}/api/` },
    ],
  };
}
