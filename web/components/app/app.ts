import WasmuxApp from './app.component.js';

export default WasmuxApp;
export { WasmuxApp };

customElements.define('wasmux-app', WasmuxApp);

declare global {
  interface HTMLElementTagNameMap { 'wasmux-app': WasmuxApp; }
}
