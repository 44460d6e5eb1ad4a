import WasmuxTerminal from './terminal.component.js';

export default WasmuxTerminal;
export { WasmuxTerminal };

customElements.define('wasmux-terminal', WasmuxTerminal);

declare global {
  interface HTMLElementTagNameMap { 'wasmux-terminal': WasmuxTerminal; }
  interface GlobalEventHandlersEventMap {
    'wasmux-prompt': CustomEvent<{ at: number }>;
    'wasmux-exit': CustomEvent<{ status: number }>;
    'wasmux-bell': CustomEvent<undefined>;
  }
}
