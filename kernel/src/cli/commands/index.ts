// Every subcommand of `weightlab`, in the order --help lists them. Add new commands here.

import type { Command } from '../command';

export const commands: Command[] = [];
