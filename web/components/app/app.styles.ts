import { css } from 'lit';

export default css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100%;
    font: 0.8125rem/1.4 system-ui, sans-serif;
    color: #ddd;
    background: #1e1e1e;
  }
  wasmux-terminal {
    flex: 1;
  }
  .status {
    display: flex;
    gap: 1.5rem;
    padding: 0.2rem 0.75rem;
    background: #007acc;
    color: #fff;
  }
  .download progress {
    width: 8rem;
    vertical-align: middle;
  }
  .error {
    margin: 2rem;
    padding: 1rem 1.5rem;
    border-left: 4px solid #e51400;
    background: #3a1d1d;
    white-space: pre-wrap;
  }
`;
