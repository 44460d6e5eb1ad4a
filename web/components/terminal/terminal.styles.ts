import { css, unsafeCSS } from 'lit';
// xterm.js's own stylesheet, inlined by the bundler (loader 'text'): the terminal renders inside this
// component's shadow root, where the document's stylesheets do not apply.
import xtermCss from '@xterm/xterm/css/xterm.css';

export default css`
  ${unsafeCSS(xtermCss)}
  :host {
    display: block;
    position: relative;
    min-height: 10rem;
    background: #1e1e1e;
  }
  :host([ringing]) {
    outline: 2px solid #e5c07b;
    outline-offset: -2px;
  }
  .terminal-host {
    position: absolute;
    inset: 0.25rem 0 0 0.5rem;
  }
  .exited {
    position: absolute;
    inset: auto 0 0 0;
    display: flex;
    gap: 1rem;
    align-items: center;
    padding: 0.5rem 1rem;
    font: 0.875rem/1.4 system-ui, sans-serif;
    color: #fff;
    background: rgb(120 30 30 / 0.92);
  }
  .exited button {
    font: inherit;
    padding: 0.2rem 0.9rem;
    cursor: pointer;
  }
`;
