import { LitElement, html, nothing } from 'lit';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import type { SandboxClient, TerminalSession } from '../../../runtime/host/browser/client.js';
import styles from './terminal.styles.js';

/** A wait status as the shell reports it: "exit N" or the signal number. */
function describeStatus(status: number): string {
  const sig = status & 0x7f;
  return sig === 0 ? `exit status ${(status >> 8) & 0xff}` : `killed by signal ${sig}`;
}

/**
 * @summary A terminal (xterm.js with the fit and web-links addons) connected to a pty session in the sandbox; starts the shell when it has a
 *   sandbox, shows a "process exited" bar with a restart button when the session leader exits.
 *
 * @fires wasmux-prompt - The session's first output arrived (the shell's prompt); detail: `{ at }`, the
 *   page's performance.now().
 * @fires wasmux-exit - The session's program exited; detail: `{ status }`, the wait status.
 * @fires wasmux-bell - The program rang the bell (BEL); the element also flashes (attribute `ringing`).
 *
 * @csspart terminal - The element xterm.js renders into.
 * @csspart exited - The bar shown after the program exited.
 */
export default class WasmuxTerminal extends LitElement {
  static override styles = styles;
  static override properties = {
    sandbox: { attribute: false },
    argv: { attribute: false },
    exitStatus: { state: true },
  };

  /** The sandbox to open the session in; the session starts once this is set and the element is rendered. */
  declare sandbox: SandboxClient | undefined;
  /** The program to run on the terminal (the shell by default). */
  declare argv: string[] | undefined;
  declare protected exitStatus: number | null;

  private term: Terminal | null = null;
  private readonly fit = new FitAddon();
  private session: TerminalSession | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private generation = 0;
  private starting = false;

  constructor() {
    super();
    this.exitStatus = null;
  }

  protected override firstUpdated(): void {
    const host = this.renderRoot.querySelector<HTMLElement>('.terminal-host')!;
    const term = new Terminal({
      cursorBlink: true, fontSize: 14, scrollback: 5000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      theme: { background: '#1e1e1e' },
    });
    term.loadAddon(this.fit);
    // URLs in the output open in a new tab on click.
    term.loadAddon(new WebLinksAddon());
    term.open(host);
    term.onData((d) => this.session?.write(d));
    term.onBell(() => this.ring());
    // Ctrl+Shift+C copies the selection (Ctrl+C is the terminal's interrupt); pasting (Ctrl+V, Ctrl+Shift+V,
    // the context menu) reaches xterm.js's textarea as a paste event and is sent as typed input.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type === 'keydown' && e.ctrlKey && e.shiftKey && e.code === 'KeyC' && term.hasSelection()) {
        void navigator.clipboard?.writeText(term.getSelection()).catch(() => {});
        return false;
      }
      return true;
    });
    term.onResize(({ cols, rows }) => this.session?.resize(cols, rows));
    this.term = term;
    this.resizeObserver = new ResizeObserver(() => this.fitNow());
    this.resizeObserver.observe(this);
    this.fitNow();
    void this.start();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('sandbox') && this.term && !this.session && !this.starting) void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.session?.close();
    this.session = null;
    this.term?.dispose();
    this.term = null;
  }

  /** Start the program again on a cleared terminal (after it exited). */
  async restart(): Promise<void> {
    this.session?.close();
    this.session = null;
    this.term?.reset();
    await this.start();
    this.term?.focus();
  }

  override focus(): void { this.term?.focus(); }

  /** Select the whole buffer (then Ctrl+Shift+C copies it). */
  selectAll(): void { this.term?.selectAll(); }

  /** The terminal's text, one line per row of the buffer, trailing blanks removed (tests, accessibility). */
  screenText(): string {
    const buf = this.term?.buffer.active;
    if (!buf) return '';
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }

  /** The bell (BEL, ^G): a short visual flash, and an event for the app (sound, notification). */
  private ring(): void {
    this.toggleAttribute('ringing', true);
    setTimeout(() => this.toggleAttribute('ringing', false), 150);
    this.dispatchEvent(new CustomEvent('wasmux-bell', { bubbles: true, composed: true }));
  }

  private fitNow(): void {
    if (this.term && this.isConnected && this.offsetWidth > 0) this.fit.fit();
  }

  private async start(): Promise<void> {
    const term = this.term, sandbox = this.sandbox;
    if (!term || !sandbox) return;
    const gen = ++this.generation;
    this.exitStatus = null;
    let first = true;
    this.starting = true;
    let session: TerminalSession;
    performance.mark('wasmux-open');
    try {
      session = await sandbox.openTerminal(
        { cols: term.cols, rows: term.rows, argv: this.argv },
        (d) => {
          if (gen !== this.generation) return;
          term.write(d);
          if (first) {
            first = false;
            this.dispatchEvent(new CustomEvent('wasmux-prompt', { detail: { at: performance.now() }, bubbles: true, composed: true }));
          }
        },
        (status) => {
          if (gen !== this.generation) return;
          this.session = null;
          this.exitStatus = status;
          this.dispatchEvent(new CustomEvent('wasmux-exit', { detail: { status }, bubbles: true, composed: true }));
        },
      );
    } catch (e) {
      // The app shell shows why the sandbox did not start; the terminal says it cannot open.
      if (gen === this.generation) term.write(`\r\n\x1b[31mwasmux: cannot open a terminal: ${(e as Error).message}\x1b[0m\r\n`);
      return;
    } finally {
      this.starting = false;
    }
    performance.mark('wasmux-opened');
    if (gen !== this.generation) { session.close(); return; }
    this.session = session;
    // The size may have changed while the session was opening.
    session.resize(term.cols, term.rows);
  }

  protected override render() {
    return html`
      <div part="terminal" class="terminal-host"></div>
      ${this.exitStatus === null ? nothing : html`
        <div part="exited" class="exited" role="status">
          <span>Process exited (${describeStatus(this.exitStatus)}).</span>
          <button @click=${() => void this.restart()}>Restart</button>
        </div>`}
    `;
  }
}
