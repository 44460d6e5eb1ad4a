import { describe, expect, it } from 'vitest';
import { detectLanguage, shebangInterpreter } from './languages.js';

describe('detectLanguage', () => {
  it('goes by the extension, case-insensitively', () => {
    expect(detectLanguage('/src/main.c')).toBe('c');
    expect(detectLanguage('/src/MAIN.C')).toBe('c');
    expect(detectLanguage('/src/x.hpp')).toBe('cpp');
    expect(detectLanguage('/a/b.cjs')).toBe('javascript');
    expect(detectLanguage('/a/b.tsx')).toBe('tsx');
    expect(detectLanguage('/a/run.bash')).toBe('shell');
    expect(detectLanguage('/a/init.lua')).toBe('lua');
  });

  it('knows shell start-up files', () => {
    expect(detectLanguage('/root/.profile')).toBe('shell');
    expect(detectLanguage('/etc/profile')).toBe('shell');
    expect(detectLanguage('/home/u/.bashrc')).toBe('shell');
  });

  it('reads the #! line of a file without a telling name', () => {
    expect(detectLanguage('/usr/bin/x', '#!/bin/sh')).toBe('shell');
    expect(detectLanguage('/usr/bin/x', '#! /bin/bash -e')).toBe('shell');
    expect(detectLanguage('/usr/bin/x', '#!/usr/bin/env -S bash -eu')).toBe('shell');
    expect(detectLanguage('/usr/bin/x', '#!/usr/bin/env -u HOME LC_ALL=C ash')).toBe('shell');
    expect(detectLanguage('/usr/bin/x', '#!/bin/busybox sh')).toBe('shell');
    expect(detectLanguage('/usr/bin/x', '#!/usr/bin/lua5.4')).toBe('lua');
    expect(detectLanguage('/usr/bin/x', '#!/usr/bin/env node')).toBe('javascript');
    expect(detectLanguage('/usr/bin/x', '#!/usr/bin/python3')).toBeNull();
    expect(detectLanguage('/usr/bin/x', 'echo no shebang')).toBeNull();
    // The name wins over the #! line.
    expect(detectLanguage('/a/x.js', '#!/bin/sh')).toBe('javascript');
  });

  it('leaves other files plain text', () => {
    expect(detectLanguage('/etc/motd')).toBeNull();
    expect(detectLanguage('/etc/.hidden')).toBeNull();
    expect(detectLanguage('/a/b.unknown')).toBeNull();
  });
});

describe('shebangInterpreter', () => {
  it('returns the program env or busybox runs', () => {
    expect(shebangInterpreter('#!/usr/bin/env')).toBeNull();
    expect(shebangInterpreter('#!')).toBeNull();
    expect(shebangInterpreter('#!/bin/dash')).toBe('dash');
  });
});
