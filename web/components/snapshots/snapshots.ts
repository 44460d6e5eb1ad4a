import WasmuxSnapshots from './snapshots.component.js';

export default WasmuxSnapshots;
export { WasmuxSnapshots };

customElements.define('wasmux-snapshots', WasmuxSnapshots);

declare global {
  interface HTMLElementTagNameMap { 'wasmux-snapshots': WasmuxSnapshots; }
  interface GlobalEventHandlersEventMap { 'wasmux-sandbox-restarted': CustomEvent<undefined>; }
}
