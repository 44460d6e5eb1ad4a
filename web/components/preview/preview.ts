import WasmuxPreview from './preview.component.js';

export default WasmuxPreview;
export { WasmuxPreview };

customElements.define('wasmux-preview', WasmuxPreview);

declare global {
  interface HTMLElementTagNameMap { 'wasmux-preview': WasmuxPreview; }
  interface GlobalEventHandlersEventMap {
    'wasmux-share': CustomEvent<{ point: string; url: string | null }>;
  }
}
