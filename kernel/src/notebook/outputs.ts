// Turns a kernel's IOPub messages into nbformat outputs the way Jupyter front ends do: adjacent
// stream text merged, display updates applied to every output with that display_id (also in
// earlier cells), clear_output honoured (including wait=true).

import type { Message } from '../wire/message';
import type { CodeCell, DisplayDataOutput, ExecuteResultOutput, Output } from './nbformat';

export class NotebookOutputs {
  private readonly displays = new Map<string, Array<DisplayDataOutput | ExecuteResultOutput>>();

  /** Starts recording into `cell` (its old outputs are dropped). */
  cell(cell: CodeCell): CellRecorder {
    cell.outputs = [];
    cell.execution_count = null;
    return new CellRecorder(cell, this.displays);
  }
}

export class CellRecorder {
  private clearOnNextOutput = false;

  constructor(
    private readonly cell: CodeCell,
    private readonly displays: Map<string, Array<DisplayDataOutput | ExecuteResultOutput>>,
  ) {}

  private add(output: Output): void {
    if (this.clearOnNextOutput) {
      this.cell.outputs = [];
      this.clearOnNextOutput = false;
    }
    this.cell.outputs.push(output);
  }

  private remember(message: Message, output: DisplayDataOutput | ExecuteResultOutput): void {
    const id = message.content.transient?.display_id;
    if (typeof id !== 'string') return;
    const list = this.displays.get(id) ?? [];
    list.push(output);
    this.displays.set(id, list);
  }

  handle(message: Message): void {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'execute_input':
        if (typeof content.execution_count === 'number') this.cell.execution_count = content.execution_count;
        return;
      case 'stream': {
        const last = this.cell.outputs[this.cell.outputs.length - 1];
        if (!this.clearOnNextOutput && last?.output_type === 'stream' && last.name === content.name) {
          last.text = `${Array.isArray(last.text) ? last.text.join('') : last.text}${content.text}`;
        } else {
          this.add({
            output_type: 'stream',
            name: content.name === 'stderr' ? 'stderr' : 'stdout',
            text: String(content.text ?? ''),
          });
        }
        return;
      }
      case 'display_data': {
        const output: DisplayDataOutput = {
          output_type: 'display_data',
          data: content.data ?? {},
          metadata: content.metadata ?? {},
        };
        this.add(output);
        this.remember(message, output);
        return;
      }
      case 'execute_result': {
        const output: ExecuteResultOutput = {
          output_type: 'execute_result',
          execution_count: content.execution_count ?? null,
          data: content.data ?? {},
          metadata: content.metadata ?? {},
        };
        if (typeof content.execution_count === 'number') this.cell.execution_count = content.execution_count;
        this.add(output);
        this.remember(message, output);
        return;
      }
      case 'update_display_data': {
        const id = content.transient?.display_id;
        for (const output of (typeof id === 'string' && this.displays.get(id)) || []) {
          output.data = content.data ?? {};
          output.metadata = content.metadata ?? {};
        }
        return;
      }
      case 'error':
        this.add({
          output_type: 'error',
          ename: String(content.ename ?? ''),
          evalue: String(content.evalue ?? ''),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        return;
      case 'clear_output':
        if (content.wait) this.clearOnNextOutput = true;
        else this.cell.outputs = [];
        return;
      default:
        return;
    }
  }

  /** Records a failure the kernel could not report itself (it died, or the run was stopped). */
  fail(ename: string, evalue: string): void {
    this.add({ output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] });
  }

  /** The execution count from the reply, when no execute_input carried one. */
  finish(reply: Message): void {
    if (this.cell.execution_count === null && typeof reply.content.execution_count === 'number') {
      this.cell.execution_count = reply.content.execution_count;
    }
  }
}
