/**
 * `fn` with its answers remembered by argument, for as long as the caller keeps the returned
 * function (one request: its events repeat the same session, visitor, path and library values,
 * so each distinct value is checked once). Only for pure functions of one string; the map grows
 * with the distinct arguments of that one caller and is dropped with it (never module scope).
 */
export function memo<R>(fn: (arg: string) => R): (arg: string) => R {
  const seen = new Map<string, R>();
  return (arg) => {
    if (seen.has(arg)) return seen.get(arg) as R;
    const value = fn(arg);
    seen.set(arg, value);
    return value;
  };
}
