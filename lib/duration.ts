/** Seconds per unit of the duration strings accepted by every lifetime setting. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i;

/** A lifetime: seconds as a number, or a string such as `'300'`, `'5m'`, `'1d'`. */
export type Duration = number | string;

/**
 * Parses a duration into seconds, or returns `undefined` when it is not one.
 * The only place durations are parsed: settings and token methods call it.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value);
  if (!match) return undefined;
  const unit = match[2].toLowerCase();
  const factor = unit === '' ? 1 : UNIT_SECONDS[unit];
  if (factor === undefined) return undefined;
  return Number(match[1]) * factor;
}

/**
 * Like {@link parseDuration}, but a duration may also be negative (`-60`,
 * `'-1h'`), as the lifetime given to `Token.setExp` to make a token that is
 * already expired. Settings never accept one.
 */
export function parseSignedDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trimStart().startsWith('-')) {
    const magnitude = parseDuration(value.trimStart().slice(1));
    return magnitude === undefined ? undefined : -magnitude;
  }
  return parseDuration(value);
}
