// Activity pings keep the backend's idle-lock timer from firing while someone is using the app.

export const TOUCH_INTERVAL_MS = 20_000;

export type Throttled = (() => void) & { cancel: () => void };

/**
 * Calls `send` at most once per `intervalMs`: the first call goes through at once; calls inside
 * the interval are folded into one trailing call at its end, so the backend's idea of "last
 * activity" is never more than one interval behind.
 */
export function throttle(send: () => void, intervalMs = TOUCH_INTERVAL_MS, now: () => number = Date.now): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    last = now();
    send();
  };
  const ping = () => {
    const wait = last + intervalMs - now();
    if (wait <= 0) fire();
    else timer ??= setTimeout(fire, wait);
  };
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return Object.assign(ping, { cancel });
}

const EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

/** Listens for user activity on `target` and pings (throttled). Returns the cleanup. */
export function watchActivity(target: EventTarget, ping: () => void, intervalMs = TOUCH_INTERVAL_MS): () => void {
  const throttled = throttle(ping, intervalMs);
  const options: AddEventListenerOptions = { passive: true, capture: true };
  for (const name of EVENTS) target.addEventListener(name, throttled, options);
  return () => {
    throttled.cancel();
    for (const name of EVENTS) target.removeEventListener(name, throttled, options);
  };
}
