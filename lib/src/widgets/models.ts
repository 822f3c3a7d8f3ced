// Widgets in the @jupyter-widgets sense: a model whose state lives in the kernel and in the
// browser, kept equal by the widget message protocol (version 2) on one 'jupyter.widget' comm per
// model. Users coming from ipywidgets find the same controls (IntSlider, FloatSlider, Dropdown,
// Checkbox) and the Output widget, rendered by JupyterLab's own widget manager
// (@jupyter-widgets/jupyterlab-manager), so we send exactly the attributes those models declare
// (@jupyter-widgets/controls 5, attribute spec 2.0.0; @jupyter-widgets/output 1.0.0). A widget's
// comm opens when it is first displayed in a kernel; outside one (a script, a terminal) the
// display is its text.

import { ArgumentError } from '../errors';
import { toMimeBundle } from '../display/display';
import { kernelHost, mimeBundle, type Displayable, type KernelComm, type MimeBundle } from '../display/protocol';
import { checkMimeBundle } from '../display/builders';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** The comm target of widget models. */
export const WIDGET_COMM_TARGET = 'jupyter.widget';
/** The widget message protocol this module speaks (sent as comm_open metadata). */
export const WIDGET_PROTOCOL_VERSION = '2.1.0';
/** The MIME type of a widget's display: a view of the model `model_id`. */
export const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
const BASE_MODULE = '@jupyter-widgets/base';
const CONTROLS_MODULE = '@jupyter-widgets/controls';
const OUTPUT_MODULE = '@jupyter-widgets/output';
/** The attribute-spec versions of @jupyter-widgets/base and /controls 2.0.0, /output 1.0.0. */
const BASE_VERSION = '2.0.0';
const CONTROLS_VERSION = '2.0.0';
const OUTPUT_VERSION = '1.0.0';

/** The model and view a widget's state names (the four _model_* / _view_* pairs). */
interface ModelIdentity {
  modelModule: string;
  modelName: string;
  viewModule: string;
  viewName: string | null;
  version: string;
}

function identityState(identity: ModelIdentity): Record<string, unknown> {
  return {
    _model_module: identity.modelModule,
    _model_module_version: identity.version,
    _model_name: identity.modelName,
    _view_module: identity.viewModule,
    _view_module_version: identity.viewModule === BASE_MODULE ? BASE_VERSION : identity.version,
    _view_name: identity.viewName,
    _view_count: null,
  };
}

/** What a front end's `update` may change, and how a widget takes it (validated, or an error). */
export type Change = Record<string, unknown>;

/**
 * The kernel side of one widget model. State values that are widgets travel as
 * 'IPY_MODEL_<id>' references (their comms open first), as the front end's unpack_models reads.
 */
export abstract class Widget implements Displayable {
  private comm: KernelComm | undefined;
  private readonly listeners = new Set<(change: Change) => void>();

  protected constructor(protected readonly state: Record<string, unknown>) {}

  /** The model id (the comm id), once the widget has been displayed in a kernel. */
  get modelId(): string | undefined {
    return this.comm?.commId;
  }

  /** The whole state as the front end sees it (widget references as IPY_MODEL_ ids). */
  serializedState(): Record<string, unknown> {
    return serializeState(this.state);
  }

  /** Calls `listener` with each change, whether the front end or the kernel made it. */
  observe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens this widget's comm (after those of the widgets its state refers to) when a kernel
   * that speaks comms runs this; returns the model id, or undefined outside such a kernel.
   */
  open(): string | undefined {
    if (this.comm) return this.comm.commId;
    const host = kernelHost();
    if (!host?.openComm) return undefined;
    for (const child of referencedWidgets(this.state)) child.open();
    this.comm = host.openComm(
      WIDGET_COMM_TARGET,
      { data: { state: this.serializedState(), buffer_paths: [] }, metadata: { version: WIDGET_PROTOCOL_VERSION } },
      { receive: (data) => this.receive(data), close: () => (this.comm = undefined) },
    );
    return this.comm.commId;
  }

  /** Closes the comm: the front end drops the model (and its views). */
  close(): void {
    this.comm?.close();
    this.comm = undefined;
  }

  /** A change made in the kernel: applied, sent as an `update`, and told to the listeners. */
  protected set(change: Change): void {
    Object.assign(this.state, change);
    this.comm?.send({ method: 'update', state: serializeState(change), buffer_paths: [] });
    for (const listener of this.listeners) listener(change);
  }

  /** Checks a front end's change; returns what to apply (a value may be clamped) or throws ArgumentError. */
  protected accept(change: Change): Change {
    throw new ArgumentError(`${this.constructor.name} takes no changes from the front end`, {
      field: Object.keys(change).join(', '),
      expected: 'no change',
      found: JSON.stringify(change),
    });
  }

  /**
   * A message from the front end: `update` (a user moved the control) is checked, applied,
   * echoed back as `echo_update` (so every view agrees, @jupyter-widgets/base 6) and, when the
   * check changed a value, followed by an `update` with the value kept; `request_state` is
   * answered with the whole state.
   */
  private receive(data: unknown): void {
    const message = data as { method?: unknown; state?: unknown } | null;
    const method = message && typeof message === 'object' ? message.method : undefined;
    if (method === 'request_state') {
      this.comm?.send({ method: 'update', state: this.serializedState(), buffer_paths: [] });
      return;
    }
    if (method !== 'update') {
      throw new ArgumentError(`a ${this.constructor.name} takes 'update' and 'request_state' messages`, {
        field: 'method',
        expected: "'update' or 'request_state'",
        found: JSON.stringify(method),
      });
    }
    const change = message!.state;
    if (!change || typeof change !== 'object' || Array.isArray(change)) {
      throw new ArgumentError('an update carries its state as an object', {
        field: 'state',
        expected: 'an object of attribute values',
        found: JSON.stringify(change),
      });
    }
    const accepted = this.accept(change as Change);
    Object.assign(this.state, accepted);
    this.comm?.send({ method: 'echo_update', state: change, buffer_paths: [] });
    const corrected = Object.fromEntries(
      Object.entries(accepted).filter(([key, value]) => (change as Change)[key] !== value),
    );
    if (Object.keys(corrected).length > 0)
      this.comm?.send({ method: 'update', state: serializeState(corrected), buffer_paths: [] });
    for (const listener of this.listeners) listener(accepted);
  }

  /** One line that says what the widget is and holds (text/plain, and the display outside a kernel). */
  abstract describe(): string;

  /** Other representations shown where no widget manager runs (nbconvert, a static viewer). */
  async fallback(): Promise<Record<string, unknown>> {
    return {};
  }

  /** What the display waits for (interact's first run). */
  protected async ready(): Promise<void> {}

  async [mimeBundle](): Promise<MimeBundle> {
    await this.ready();
    const fallback = await this.fallback();
    const modelId = this.open();
    const data: Record<string, unknown> = { ...fallback, 'text/plain': this.describe() };
    if (modelId) data[WIDGET_VIEW_MIME] = { model_id: modelId, version_major: 2, version_minor: 0 };
    return checkMimeBundle({ data }, `the display of ${this.constructor.name}`);
  }
}

function serializeValue(value: unknown): unknown {
  if (value instanceof Widget) {
    const modelId = value.modelId ?? value.open();
    return modelId === undefined ? null : `IPY_MODEL_${modelId}`;
  }
  if (Array.isArray(value)) return value.map(serializeValue);
  return value;
}

function serializeState(state: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).map(([key, value]) => [key, serializeValue(value)]));
}

function referencedWidgets(state: Record<string, unknown>): Widget[] {
  return Object.values(state).flatMap((value) =>
    value instanceof Widget ? [value] : Array.isArray(value) ? value.filter((item) => item instanceof Widget) : [],
  );
}

/** The CSS properties of a LayoutModel (@jupyter-widgets/base widget_layout.ts), all unset. */
const LAYOUT_PROPERTIES = [
  'align_content', 'align_items', 'align_self', 'border_top', 'border_right', 'border_bottom', 'border_left',
  'bottom', 'display', 'flex', 'flex_flow', 'height', 'justify_content', 'justify_items', 'left', 'margin',
  'max_height', 'max_width', 'min_height', 'min_width', 'overflow', 'order', 'padding', 'right', 'top',
  'visibility', 'width', 'object_fit', 'object_position', 'grid_auto_columns', 'grid_auto_flow',
  'grid_auto_rows', 'grid_gap', 'grid_template_rows', 'grid_template_columns', 'grid_template_areas',
  'grid_row', 'grid_column', 'grid_area',
] as const; // prettier-ignore

/** The layout every DOM widget refers to (ipywidgets makes one per widget, so do we). */
export class Layout extends Widget {
  constructor() {
    super({
      ...identityState({
        modelModule: BASE_MODULE,
        modelName: 'LayoutModel',
        viewModule: BASE_MODULE,
        viewName: 'LayoutView',
        version: BASE_VERSION,
      }),
      ...Object.fromEntries(LAYOUT_PROPERTIES.map((name) => [name, null])),
    });
  }
  describe(): string {
    return 'Layout()';
  }
}

/** The style of a described control: label width, and the model's own extra properties. */
export class Style extends Widget {
  constructor(modelName: string, extra: Record<string, unknown> = {}) {
    super({
      ...identityState({
        modelModule: CONTROLS_MODULE,
        modelName,
        viewModule: BASE_MODULE,
        viewName: 'StyleView',
        version: CONTROLS_VERSION,
      }),
      description_width: '',
      ...extra,
    });
  }
  describe(): string {
    return `${String(this.state._model_name).replace(/Model$/, '')}()`;
  }
}

/** The attributes of every DOM widget (DOMWidgetModel): classes, layout, focus order, tooltip. */
function domState(identity: ModelIdentity): Record<string, unknown> {
  return { ...identityState(identity), _dom_classes: [], layout: new Layout(), tabbable: null, tooltip: null };
}

/** A control with a label (DescriptionModel): DOM attributes, description, and its style. */
function describedState(identity: ModelIdentity, description: string, style: Style): Record<string, unknown> {
  return { ...domState(identity), description, description_allow_html: false, style };
}

function controlIdentity(modelName: string, viewName: string): ModelIdentity {
  return { modelModule: CONTROLS_MODULE, modelName, viewModule: CONTROLS_MODULE, viewName, version: CONTROLS_VERSION };
}

/** A control whose `value` the user changes: what interact() reads. */
export abstract class ValueWidget<Value> extends Widget {
  get value(): Value {
    return this.state.value as Value;
  }
  set value(value: Value) {
    this.set(this.accept({ value }));
  }
  get description(): string {
    return String(this.state.description);
  }
  /** Labels a control that has no label yet (before it is displayed): interact() uses the parameter name. */
  labelIfUnlabelled(name: string): void {
    if (this.state.description === '') this.state.description = name;
  }
}

function finiteNumber(value: unknown, field: string, widget: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${widget}: ${field} must be a finite number`, {
      field,
      expected: 'a finite number',
      found: JSON.stringify(value) ?? String(value),
    });
  }
  return value;
}

export interface SliderOptions {
  /**
   * The smallest value.
   * @default 0
   */
  min?: number;
  /**
   * The largest value.
   * @default 100
   */
  max?: number;
  /**
   * The spacing of the values the slider stops at, from `min`.
   * @default 1
   */
  step?: number;
  /**
   * The starting value; clamped into [min, max].
   * @default the middle of [min, max], on the step grid (as ipywidgets' interact picks)
   */
  value?: number;
  /**
   * The label shown left of the slider (interact() uses the control's name when it is empty).
   * @default ''
   */
  description?: string;
  /**
   * Send the value while the handle is dragged (true) or only when it is released (false).
   * @default true
   */
  continuousUpdate?: boolean;
  /**
   * Digits after the point shown by a float slider's readout (an integer slider shows none).
   * @default 2
   */
  decimals?: number;
}

export const SLIDER_DEFAULTS = {
  min: 0,
  max: 100,
  step: 1,
  value: undefined,
  description: '',
  continuousUpdate: true,
  decimals: 2,
} as const satisfies OptionDefaults<SliderOptions>;

/**
 * A slider over numbers: an IntSlider when min, max, step and value are all integers, else a
 * FloatSlider. `slider({ min: 1, max: 64, value: 8, description: 'width' })`.
 */
export class Slider extends ValueWidget<number> {
  readonly integer: boolean;

  constructor(options: SliderOptions = {}) {
    const o = resolveOptions('slider', SLIDER_DEFAULTS, options);
    const min = finiteNumber(o.min, 'min', 'slider');
    const max = finiteNumber(o.max, 'max', 'slider');
    const step = finiteNumber(o.step, 'step', 'slider');
    if (!(max > min) || !(step > 0)) {
      throw new ArgumentError('slider needs min < max and a positive step', {
        field: max > min ? 'step' : 'max',
        expected: max > min ? 'step > 0' : `max > min (${min})`,
        found: String(max > min ? step : max),
      });
    }
    const middle = min + Math.round((max - min) / 2 / step) * step;
    const value = o.value === undefined ? middle : finiteNumber(o.value, 'value', 'slider');
    const integer = [min, max, step, value].every(Number.isInteger);
    const kind = integer ? 'Int' : 'Float';
    super({
      ...describedState(
        controlIdentity(`${kind}SliderModel`, `${kind}SliderView`),
        o.description,
        new Style('SliderStyleModel', { handle_color: null }),
      ),
      min,
      max,
      step,
      value: Math.min(max, Math.max(min, value)),
      orientation: 'horizontal',
      readout: true,
      readout_format: integer ? 'd' : `.${Math.max(0, Math.round(o.decimals))}f`,
      continuous_update: o.continuousUpdate,
      disabled: false,
      ...(integer ? {} : { _range: false, slider_color: null }),
    });
    this.integer = integer;
  }

  get min(): number {
    return this.state.min as number;
  }
  get max(): number {
    return this.state.max as number;
  }
  get step(): number {
    return this.state.step as number;
  }

  /** A value from the front end or a cell: a finite number, clamped into [min, max] (an IntSlider's rounded). */
  protected accept(change: Change): Change {
    const keys = Object.keys(change);
    if (keys.some((key) => key !== 'value')) {
      throw new ArgumentError('a slider takes changes of its value only', {
        field: keys.join(', '),
        expected: 'value',
        found: keys.join(', '),
      });
    }
    const value = finiteNumber(change.value, 'value', 'slider');
    const kept = Math.min(this.max, Math.max(this.min, this.integer ? Math.round(value) : value));
    return { value: kept };
  }

  describe(): string {
    const kind = this.integer ? 'IntSlider' : 'FloatSlider';
    return `${kind}(value=${this.value}, min=${this.min}, max=${this.max}, step=${this.step}, description=${JSON.stringify(this.description)})`;
  }
}

export interface DropdownOptions<Value> {
  /** The choices: values shown as their text, or [label, value] pairs. */
  options: readonly (Value | readonly [string, Value])[];
  /**
   * The chosen value.
   * @default the first option
   */
  value?: Value;
  /**
   * The label shown left of the dropdown.
   * @default ''
   */
  description?: string;
}

export const DROPDOWN_DEFAULTS = {
  options: undefined,
  value: undefined,
  description: '',
} as const satisfies OptionDefaults<DropdownOptions<unknown>>;

/** A dropdown of choices (DropdownModel): the front end sends the chosen index, `value` is the option. */
export class Dropdown<Value = string> extends ValueWidget<Value> {
  private readonly labels: string[];
  private readonly values: Value[];

  constructor(options: DropdownOptions<Value>) {
    const o = resolveOptions('dropdown', DROPDOWN_DEFAULTS, options);
    if (!Array.isArray(o.options) || o.options.length === 0) {
      throw new ArgumentError('dropdown needs at least one option', {
        field: 'options',
        expected: 'a non-empty array of values or [label, value] pairs',
        found: JSON.stringify(o.options) ?? String(o.options),
      });
    }
    const pairs = (o.options as readonly (Value | readonly [string, Value])[]).map((option) =>
      Array.isArray(option) && option.length === 2 && typeof option[0] === 'string'
        ? ([option[0], option[1]] as [string, Value])
        : ([String(option), option as Value] as [string, Value]),
    );
    const index = o.value === undefined ? 0 : pairs.findIndex(([, value]) => value === o.value);
    if (index < 0) {
      throw new ArgumentError('dropdown: value is not one of its options', {
        field: 'value',
        expected: `one of ${pairs.map(([label]) => label).join(', ')}`,
        found: String(o.value),
      });
    }
    super({
      ...describedState(
        controlIdentity('DropdownModel', 'DropdownView'),
        o.description,
        new Style('DescriptionStyleModel'),
      ),
      _options_labels: pairs.map(([label]) => label),
      index,
      disabled: false,
      button_style: '',
    });
    this.labels = pairs.map(([label]) => label);
    this.values = pairs.map(([, value]) => value);
  }

  get value(): Value {
    return this.values[this.state.index as number];
  }
  set value(value: Value) {
    const index = this.values.indexOf(value);
    this.set(this.accept({ index }));
  }

  protected accept(change: Change): Change {
    const index = change.index;
    if (
      Object.keys(change).some((key) => key !== 'index') ||
      !Number.isInteger(index) ||
      (index as number) < 0 ||
      (index as number) >= this.labels.length
    ) {
      throw new ArgumentError('a dropdown takes changes of its index, one of its options', {
        field: 'index',
        expected: `an integer in [0, ${this.labels.length - 1}]`,
        found: JSON.stringify(change),
      });
    }
    return { index };
  }

  describe(): string {
    return `Dropdown(value=${JSON.stringify(this.labels[this.state.index as number])}, options=${JSON.stringify(this.labels)}, description=${JSON.stringify(this.description)})`;
  }
}

export interface CheckboxOptions {
  /**
   * Whether it is ticked.
   * @default false
   */
  value?: boolean;
  /**
   * The label shown next to the box.
   * @default ''
   */
  description?: string;
}

export const CHECKBOX_DEFAULTS = {
  value: false,
  description: '',
} as const satisfies OptionDefaults<CheckboxOptions>;

/** A checkbox (CheckboxModel) whose value is a boolean. */
export class Checkbox extends ValueWidget<boolean> {
  constructor(options: CheckboxOptions = {}) {
    const o = resolveOptions('checkbox', CHECKBOX_DEFAULTS, options);
    super({
      ...describedState(
        controlIdentity('CheckboxModel', 'CheckboxView'),
        o.description,
        new Style('CheckboxStyleModel', { background: null }),
      ),
      value: Boolean(o.value),
      disabled: false,
      indent: true,
    });
  }

  protected accept(change: Change): Change {
    if (Object.keys(change).some((key) => key !== 'value') || typeof change.value !== 'boolean') {
      throw new ArgumentError('a checkbox takes changes of its value, a boolean', {
        field: 'value',
        expected: 'true or false',
        found: JSON.stringify(change),
      });
    }
    return { value: change.value };
  }

  describe(): string {
    return `Checkbox(value=${this.value}, description=${JSON.stringify(this.description)})`;
  }
}

/** One output in nbformat's shape, as the Output widget's `outputs` holds it. */
export type OutputItem =
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/**
 * An area the kernel fills with outputs (OutputModel): the kernel sets its `outputs` state, which
 * the front end renders with the notebook's renderers. `await out.show(chart)` replaces what it shows.
 */
export class Output extends Widget {
  constructor() {
    super({
      ...domState({
        modelModule: OUTPUT_MODULE,
        modelName: 'OutputModel',
        viewModule: OUTPUT_MODULE,
        viewName: 'OutputView',
        version: OUTPUT_VERSION,
      }),
      msg_id: '',
      outputs: [],
    });
  }

  /** What the area shows now. */
  get outputs(): OutputItem[] {
    return [...(this.state.outputs as OutputItem[])];
  }

  /** Replaces what the area shows with `value`'s display (its MIME bundle, or its text). */
  async show(value: unknown): Promise<void> {
    this.setOutputs([await displayItem(value)]);
  }

  /** Adds `value`'s display after what the area shows. */
  async append(value: unknown): Promise<void> {
    this.setOutputs([...this.outputs, await displayItem(value)]);
  }

  /** Shows an error (its name, message and stack) in place of the outputs. */
  showError(error: unknown): void {
    const known = error instanceof Error ? error : new Error(String(error));
    this.setOutputs([
      {
        output_type: 'error',
        ename: known.name,
        evalue: known.message,
        traceback: (known.stack ?? `${known.name}: ${known.message}`).split('\n'),
      },
    ]);
  }

  clear(): void {
    this.setOutputs([]);
  }

  setOutputs(outputs: OutputItem[]): void {
    this.set({ outputs });
  }

  describe(): string {
    const texts = this.outputs.map((item) =>
      item.output_type === 'error' ? `${item.ename}: ${item.evalue}` : String(item.data['text/plain'] ?? ''),
    );
    return texts.length > 0 ? texts.join('\n') : 'Output()';
  }

  /**
   * The images of the last display output (a chart's SVG fallback), for viewers without a widget
   * manager. Only images: a static page has no renderer for a chart spec or our views, and in the
   * lab the widget view is chosen anyway, so the live output keeps the interactive forms.
   */
  async fallback(): Promise<Record<string, unknown>> {
    const last = this.outputs.filter((item) => item.output_type === 'display_data').at(-1);
    if (!last || last.output_type !== 'display_data') return {};
    return Object.fromEntries(Object.entries(last.data).filter(([type]) => STATIC_IMAGE_TYPES.includes(type)));
  }
}

/** What a display's fallback keeps of its output: images any notebook viewer draws. */
const STATIC_IMAGE_TYPES = ['image/svg+xml', 'image/png', 'image/jpeg'];

async function displayItem(value: unknown): Promise<OutputItem> {
  const bundle = await toMimeBundle(value);
  return { output_type: 'display_data', data: bundle.data, metadata: bundle.metadata ?? {} };
}

/** A vertical box of widgets (VBoxModel): interact() lays out its controls above its output. */
export class VBox extends Widget {
  constructor(readonly children: readonly Widget[]) {
    super({
      ...domState(controlIdentity('VBoxModel', 'VBoxView')),
      children: [...children],
      box_style: '',
    });
  }
  describe(): string {
    return this.children.map((child) => child.describe()).join('\n');
  }
}

export function slider(options: SliderOptions = {}): Slider {
  return new Slider(options);
}

export function dropdown<Value = string>(options: DropdownOptions<Value>): Dropdown<Value> {
  return new Dropdown(options);
}

export function checkbox(options: CheckboxOptions = {}): Checkbox {
  return new Checkbox(options);
}

export function output(): Output {
  return new Output();
}
