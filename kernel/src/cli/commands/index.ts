// Every subcommand of `weightlab`, in the order --help lists them. Add new commands here.

import type { Command } from '../command';
import { installCommand, uninstallCommand } from './install';
import { labCommand } from './lab';

export const commands: Command[] = [
  installCommand,
  uninstallCommand,
  labCommand,
];
