// Every subcommand of `weightlab`, in the order --help lists them. Add new commands here.

import type { Command } from '../command';
import { kernelCommand } from './kernel';
import { runCommand } from './run';
import { installCommand, uninstallCommand } from './install';
import { labCommand } from './lab';
import { tensorsCommand } from './tensors';
import { zooInfoCommand } from './zoo-info';
import { zooBuildCommand } from './zoo-build';
import { zooStatusCommand } from './zoo-status';
import { zooSubmitCommand } from './zoo-submit';
import { zooMetricsCommand } from './zoo-metrics';
import { htsrCommand } from './htsr';

export const commands: Command[] = [
  installCommand,
  uninstallCommand,
  labCommand,
  tensorsCommand,
  zooInfoCommand,
  zooBuildCommand,
  zooStatusCommand,
  zooSubmitCommand,
  zooMetricsCommand,
  htsrCommand,
  runCommand,
  kernelCommand,
];
