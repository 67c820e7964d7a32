// Activity pings keep the backend's idle-lock timer from firing while someone is using the app.

export const TOUCH_INTERVAL_MS = 20_000;

/** Returns a function that calls `send` at most once per `intervalMs` (first call goes through). */
export function throttle(send: () => void, intervalMs = TOUCH_INTERVAL_MS, now: () => number = Date.now) {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    send();
  };
}

const EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

/** Listens for user activity on `target` and pings (throttled). Returns the cleanup. */
export function watchActivity(target: EventTarget, ping: () => void, intervalMs = TOUCH_INTERVAL_MS): () => void {
  const throttled = throttle(ping, intervalMs);
  const options: AddEventListenerOptions = { passive: true, capture: true };
  for (const name of EVENTS) target.addEventListener(name, throttled, options);
  return () => {
    for (const name of EVENTS) target.removeEventListener(name, throttled, options);
  };
}
