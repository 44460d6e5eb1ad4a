// Job control on terminals (drivers/tty/tty_jobctrl.c): the controlling terminal of a session, the
// background-access checks that send SIGTTIN/SIGTTOU, and giving up the terminal when a session leader
// exits or calls TIOCNOTTY. A process's controlling terminal is Task.ctty (Linux: signal->tty): inherited
// by fork, cleared by setsid, by hangup and when the session lets the terminal go.
import { EIO, ERESTARTSYS } from '../../../abi/errno.js';
import { SIGCONT, SIGHUP, SIGTTIN, SIG_IGN, SI_KERNEL } from '../../../abi/signal.js';
import { raise } from '../../errors.js';
import { TaskState, type Task } from '../../proc/task.js';
import type { Kernel } from '../../kernel.js';
import { bit } from '../../signal/signal.js';
import type { Tty } from './tty.js';

/** __proc_set_tty: `tty` becomes the controlling terminal of t's session, t's group its foreground. */
export function setCtty(t: Task, tty: Tty): void {
  tty.session = t.sid;
  tty.pgrp = t.pgid;
  t.ctty = tty;
}

/**
 * is_current_pgrp_orphaned: no member of the group has a parent in another group of the same session.
 * Unlike Linux, a parent that is init counts: in wasmux the login shell is often pid 1.
 */
export function isOrphanedPgrp(k: Kernel, pgrp: number): boolean {
  for (const p of k.tasks.values()) {
    if (p.pgid !== pgrp || p.state === TaskState.Zombie) continue;
    const q = p.parent;
    if (q && q.pgid !== pgrp && q.sid === p.sid) return false;
  }
  return true;
}

/**
 * __tty_check_change: a process in a background group of the terminal's session that reads (SIGTTIN) or
 * changes the terminal or writes with TOSTOP (SIGTTOU) stops its group and restarts the call once
 * continued. Ignored or blocked: reads fail with EIO, the rest proceeds. Orphaned group: EIO.
 */
export function ttyCheckChange(t: Task, tty: Tty, sig: number): void {
  if (t.ctty !== tty) return;
  if (!tty.pgrp || t.pgid === tty.pgrp) return;
  const k = t.kernel;
  if ((t.sig.blocked & bit(sig)) || t.sig.actions[sig]!.handler === SIG_IGN) {
    if (sig === SIGTTIN) raise(EIO);
    return;
  }
  if (isOrphanedPgrp(k, t.pgid)) raise(EIO);
  k.signals.sendGroup(t.pgid, sig, { signo: sig, code: SI_KERNEL });
  raise(ERESTARTSYS);
}

/**
 * disassociate_ctty: the session leader gives up its terminal (TIOCNOTTY, or exit when `onExit`). The
 * foreground group gets SIGHUP (and SIGCONT unless exiting); every process of the session loses the
 * terminal. A leader whose terminal was hung up signals the group that was in the foreground then.
 */
export function disassociateCtty(t: Task, onExit: boolean): void {
  if (t.pid !== t.sid) return;
  const k = t.kernel;
  const tty = t.ctty;
  const info = (sig: number) => ({ signo: sig, code: SI_KERNEL });
  if (!tty) {
    if (onExit && t.ttyOldPgrp) {
      const old = t.ttyOldPgrp;
      t.ttyOldPgrp = 0;
      k.signals.sendGroup(old, SIGHUP, info(SIGHUP));
      k.signals.sendGroup(old, SIGCONT, info(SIGCONT));
    }
    return;
  }
  if (tty.pgrp) {
    k.signals.sendGroup(tty.pgrp, SIGHUP, info(SIGHUP));
    if (!onExit) k.signals.sendGroup(tty.pgrp, SIGCONT, info(SIGCONT));
  }
  t.ttyOldPgrp = 0;
  tty.session = 0;
  tty.pgrp = 0;
  for (const p of k.tasks.values()) if (p.sid === t.sid && p.ctty === tty) p.ctty = null;
  t.ctty = null;
}
