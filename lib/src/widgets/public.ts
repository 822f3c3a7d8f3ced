// The widgets namespace: ipywidgets' simplest controls in a notebook, `widgets.slider(...)`,
// `widgets.dropdown(...)`, `widgets.checkbox(...)`, an `widgets.output()` area, and
// `widgets.interact(fn, { name: control })`, which shows the controls and re-runs `fn` as they move.
export {
  slider,
  dropdown,
  checkbox,
  output,
  Slider,
  Dropdown,
  Checkbox,
  Output,
  SLIDER_DEFAULTS,
  DROPDOWN_DEFAULTS,
  CHECKBOX_DEFAULTS,
  type SliderOptions,
  type DropdownOptions,
  type CheckboxOptions,
  type OutputItem,
} from './models';
export { interact, Interactive, type Controls } from './interact';
