// The browser KernelHost: what the kernel needs from its thread (a SharedWorker, or a dedicated Worker of the
// tab as the fallback). Why a MessageChannel for `defer`: the scheduler must yield to the event loop between
// batches so that port messages (keystrokes from pages) and timers get a turn, and a MessageChannel message
// is a macrotask without setTimeout's 4 ms clamp for nested timers. Deferred functions queued before the
// message arrives run together in that one task.
import { Kernel, type KernelHost, type KernelOptions } from '../../kernel/kernel.js';

export function browserKernelHost(log: (m: string) => void = (m) => console.error(m)): KernelHost {
  const channel = new MessageChannel();
  let queue: (() => void)[] = [];
  channel.port1.onmessage = () => {
    const run = queue;
    queue = [];
    for (const fn of run) fn();
  };
  return {
    defer(fn) {
      queue.push(fn);
      if (queue.length === 1) channel.port2.postMessage(0);
    },
    // Longer delays than 2^31-1 ms overflow to "now" in browsers; the scheduler sleeps again after an early
    // wake, so a clamped timer just wakes it once every 24.8 days.
    setTimer: (fn, ms) => setTimeout(fn, Math.min(ms, 0x7fffffff)),
    clearTimer: (h) => clearTimeout(h as number),
    now: () => performance.now(),
    wallclock: () => Date.now(),
    // getRandomValues fills at most 65536 bytes per call.
    random: (b) => { for (let i = 0; i < b.length; i += 65536) crypto.getRandomValues(b.subarray(i, i + 65536)); },
    log,
  };
}

export function createBrowserKernel(opts: Omit<KernelOptions, 'host'>): Kernel {
  return new Kernel({ ...opts, host: browserKernelHost() });
}
