import { css } from 'lit';

export default css`
  :host {
    display: block;
    font: 0.8125rem/1.5 system-ui, sans-serif;
    color: #ddd;
  }
  .panel {
    padding: 0.5rem 0.75rem;
    background: #252526;
    border-top: 1px solid #333;
  }
  .actions { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
  button, .button {
    font: inherit;
    color: #ddd;
    background: #3c3c3c;
    border: 1px solid #555;
    border-radius: 3px;
    padding: 0.1rem 0.5rem;
    cursor: pointer;
  }
  button:disabled, .button.disabled { opacity: 0.5; cursor: default; }
  .danger { background: #a1260d; border-color: #c72e0f; color: #fff; }
  .confirm { color: #f48771; }
  .status { margin-top: 0.4rem; color: #9cdcfe; }
  .saved { list-style: none; margin: 0.4rem 0 0; padding: 0; max-height: 8rem; overflow: auto; }
  .saved li { display: flex; gap: 0.5rem; align-items: center; padding: 0.1rem 0; }
  .saved .name { flex: 1; }
  .saved .size { color: #888; }
  .none { color: #888; }
`;
