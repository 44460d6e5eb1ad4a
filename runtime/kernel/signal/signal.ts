// Signals (kernel/signal.c): per-process actions, blocked and pending sets, generation (kill), and the
// delivery step that the libc side drives through wasmux_sigdeliver (docs/design/process-abi.md).
// Standard and real-time signals are both kept as one pending bit (real-time signals are not queued).
import {
  SIGKILL, SIGSTOP, SIGCONT, SIGCHLD, SIGURG, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, SIGQUIT, SIGILL, SIGTRAP,
  SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS, SIG_DFL, SIG_IGN, NSIG, SA_RESTART,
  SA_NODEFER, SA_RESETHAND, SI_USER,
} from '../../abi/signal.js';

export interface SigAction { handler: number; flags: number; mask: bigint; restorer: number; }

/** Fields of siginfo_t we fill. */
export interface SigInfo { signo: number; code: number; errno?: number; pid?: number; uid?: number;
  status?: number; value?: number; }

export const bit = (sig: number): bigint => 1n << BigInt(sig - 1);
export const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);
export const FULL_MASK = (1n << 64n) - 1n;

export type DefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: return 'ign';
    case SIGCONT: return 'cont';
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: return 'stop';
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS: return 'core';
    default: return 'term';
  }
}

export class SignalState {
  actions: SigAction[] = [];
  blocked = 0n;
  pending = 0n;
  info = new Map<number, SigInfo>();
  /** Mask to restore after the handler run on return from sigsuspend/ppoll/pselect. */
  savedMask: bigint | null = null;

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.actions.push({ handler: SIG_DFL, flags: 0, mask: 0n, restorer: 0 });
  }

  /** fork: copy actions and mask; the child starts with no pending signals. */
  fork(): SignalState {
    const s = new SignalState();
    s.actions = this.actions.map((a) => ({ ...a }));
    s.blocked = this.blocked;
    return s;
  }

  /** execve: caught signals revert to SIG_DFL; ignored stay ignored; mask and pending are kept. */
  exec(): void {
    for (const a of this.actions) {
      if (a.handler !== SIG_IGN) { a.handler = SIG_DFL; }
      a.flags = 0; a.mask = 0n; a.restorer = 0;
    }
  }

  /** Would `sig` be discarded right now because it is ignored? */
  ignored(sig: number): boolean {
    const a = this.actions[sig]!;
    if (sig === SIGKILL || sig === SIGSTOP) return false;
    if (a.handler === SIG_IGN) return true;
    return a.handler === SIG_DFL && defaultAction(sig) === 'ign';
  }

  deliverable(): bigint { return this.pending & ~(this.blocked & ~UNBLOCKABLE); }

  /** Lowest deliverable signal, SIGKILL and SIGSTOP first; 0 when none. */
  next(): number {
    const d = this.deliverable();
    if (d === 0n) return 0;
    if (d & bit(SIGKILL)) return SIGKILL;
    if (d & bit(SIGSTOP)) return SIGSTOP;
    for (let s = 1; s <= NSIG; s++) if (d & bit(s)) return s;
    return 0;
  }

  dequeue(sig: number): SigInfo {
    this.pending &= ~bit(sig);
    const i = this.info.get(sig) ?? { signo: sig, code: SI_USER };
    this.info.delete(sig);
    return i;
  }

  setPending(sig: number, info: SigInfo): void {
    if (!(this.pending & bit(sig))) this.info.set(sig, info);
    this.pending |= bit(sig);
  }
}

/**
 * The result an interrupted syscall returns after delivering a handler with `flags`: a restart code turns
 * into EINTR unless the handler allows restarting (kernel/signal.c handle_signal).
 */
export function resultAfterHandler(r: number, flags: number): number {
  switch (r) {
    case -514: case -516: return -4; // ERESTARTNOHAND, ERESTART_RESTARTBLOCK -> EINTR
    case -512: return (flags & SA_RESTART) ? r : -4; // ERESTARTSYS
    default: return r;
  }
}

/** Blocked mask after entering a handler for `sig` with action `a`. */
export function maskForHandler(blocked: bigint, sig: number, a: SigAction): bigint {
  let m = blocked | a.mask;
  if (!(a.flags & SA_NODEFER)) m |= bit(sig);
  return m & ~UNBLOCKABLE;
}

export function resetIfOneShot(a: SigAction): void {
  if (a.flags & SA_RESETHAND) { a.handler = SIG_DFL; a.flags &= ~SA_RESETHAND; }
}

/** Parse a 64-bit sigset from two little-endian words. */
export function sigsetFrom(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
