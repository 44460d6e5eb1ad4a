// Which language a file is in (by its name, or by the #! line of a file without a telling name), and the
// CodeMirror support for it, loaded on first use.
//
// The loaders are dynamic imports. The app is bundled by esbuild as one ESM file without code splitting, and
// esbuild then inlines a dynamic import as a lazily evaluated module (`Promise.resolve().then(() =>
// (init_x(), x_exports))`): the language packages are still in app.js, but their module bodies (parser tables,
// StreamLanguage definitions) run only when a file in that language is first opened. With splitting turned on
// they become separate chunks with no change here.

import type { Extension } from '@codemirror/state';

export type LanguageId =
  | 'shell' | 'c' | 'cpp' | 'javascript' | 'jsx' | 'typescript' | 'tsx'
  | 'html' | 'css' | 'json' | 'markdown' | 'lua';

const BY_EXTENSION: Record<string, LanguageId> = {
  sh: 'shell', bash: 'shell', ash: 'shell',
  c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hh: 'cpp', hpp: 'cpp', hxx: 'cpp',
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'jsx',
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'tsx',
  html: 'html', htm: 'html',
  css: 'css',
  json: 'json',
  md: 'markdown', markdown: 'markdown',
  lua: 'lua',
};

/** Shell start-up files, which have no extension (or only a leading dot). */
const SHELL_NAMES = new Set([
  '.profile', 'profile', '.bashrc', 'bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.bash_aliases',
  '.ashrc', '.shrc', '.kshrc', '.mkshrc', '.zshrc', '.zprofile', '.zshenv',
]);

/** Interpreters named on a #! line, by the basename of the program. */
const BY_INTERPRETER: Record<string, LanguageId> = {
  sh: 'shell', bash: 'shell', ash: 'shell', dash: 'shell', ksh: 'shell', mksh: 'shell', zsh: 'shell',
  lua: 'lua', node: 'javascript',
};

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/**
 * The interpreter a #! line names: the program's basename, or for `env` and `busybox` the program they run
 * (`#!/usr/bin/env -S bash -e` is bash).
 */
export function shebangInterpreter(firstLine: string): string | null {
  const m = /^#!\s*(.*)$/.exec(firstLine);
  if (!m) return null;
  const words = m[1]!.trim().split(/\s+/).filter(Boolean);
  let prog = basename(words.shift() ?? '');
  while (prog === 'env' || prog === 'busybox') {
    // env's options (-S, -i, -u NAME) and NAME=value assignments come before the program.
    let w = words.shift();
    while (w !== undefined && (w.startsWith('-') || w.includes('='))) {
      if (w === '-u' || w === '--unset') words.shift();
      w = words.shift();
    }
    if (w === undefined) return null;
    prog = basename(w);
  }
  return prog || null;
}

/** The language of a file from its path and (for names that do not tell) its first line; null for plain text. */
export function detectLanguage(path: string, firstLine = ''): LanguageId | null {
  const name = basename(path);
  if (SHELL_NAMES.has(name)) return 'shell';
  const dot = name.lastIndexOf('.');
  if (dot > 0) {
    const byExt = BY_EXTENSION[name.slice(dot + 1).toLowerCase()];
    if (byExt) return byExt;
  }
  const interp = shebangInterpreter(firstLine);
  if (interp) {
    // Versioned names: bash5, lua5.4.
    return BY_INTERPRETER[interp] ?? BY_INTERPRETER[interp.replace(/[\d.]+$/, '')] ?? null;
  }
  return null;
}

/** The CodeMirror extension for each language: a LanguageSupport (Lezer grammar) or a StreamLanguage (legacy mode). */
const LOADERS: Record<LanguageId, () => Promise<Extension>> = {
  shell: async () => {
    const [{ StreamLanguage }, { shell }] = await Promise.all([
      import('@codemirror/language'), import('@codemirror/legacy-modes/mode/shell')]);
    return StreamLanguage.define(shell);
  },
  lua: async () => {
    const [{ StreamLanguage }, { lua }] = await Promise.all([
      import('@codemirror/language'), import('@codemirror/legacy-modes/mode/lua')]);
    return StreamLanguage.define(lua);
  },
  // Lezer's C++ grammar also parses C well (the C keywords are a subset).
  c: async () => (await import('@codemirror/lang-cpp')).cpp(),
  cpp: async () => (await import('@codemirror/lang-cpp')).cpp(),
  javascript: async () => (await import('@codemirror/lang-javascript')).javascript(),
  jsx: async () => (await import('@codemirror/lang-javascript')).javascript({ jsx: true }),
  typescript: async () => (await import('@codemirror/lang-javascript')).javascript({ typescript: true }),
  tsx: async () => (await import('@codemirror/lang-javascript')).javascript({ jsx: true, typescript: true }),
  html: async () => (await import('@codemirror/lang-html')).html(),
  css: async () => (await import('@codemirror/lang-css')).css(),
  json: async () => (await import('@codemirror/lang-json')).json(),
  markdown: async () => (await import('@codemirror/lang-markdown')).markdown(),
};

const loaded = new Map<LanguageId, Promise<Extension>>();

/** The language's extension, loaded once per page; a failed load is retried on the next call. */
export function loadLanguage(id: LanguageId): Promise<Extension> {
  let p = loaded.get(id);
  if (!p) {
    p = LOADERS[id]();
    loaded.set(id, p);
    p.catch(() => loaded.delete(id));
  }
  return p;
}
