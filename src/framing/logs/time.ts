import { readInt } from './text.js';

/** A time as a log line gave it. `time` is set only when the log gives a full date; zone-less stamps read as UTC. */
export interface LogTime {
  readonly time: number | null;
  /** As written, when it is not a full date and time (time of day, uptime, syslog date without a year). */
  readonly timeText?: string;
  /** Seconds on the log's own clock (time of day, uptime), to order messages when `time` is null. */
  readonly clock?: number;
  /** The date looks like a device clock that was never set (1970, 2000, or 1 January just after boot). */
  readonly unsetClock?: boolean;
}

export interface TimeAt {
  readonly value: LogTime;
  readonly end: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** 0-based month of a three-letter English month name at `at`, or -1. */
export function readMonth(text: string, at: number): number {
  // Cheap refusal first: this runs on every line that starts with a capital letter.
  const c = text.charCodeAt(at) | 0x20;
  if (c !== 0x6a && c !== 0x66 && c !== 0x6d && c !== 0x61 && c !== 0x73 && c !== 0x6f && c !== 0x6e && c !== 0x64) return -1;
  if (text.charCodeAt(at + 3) !== 0x20 && text.charCodeAt(at + 3) !== 0x2e && text.charCodeAt(at + 3) !== 0x2c) return -1;
  return MONTHS.indexOf(text.slice(at, at + 3).toLowerCase());
}

function fixed(text: string, at: number, width: number): number | undefined {
  let v = 0;
  for (let k = 0; k < width; k++) {
    const c = text.charCodeAt(at + k);
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

interface ClockAt {
  readonly seconds: number;
  readonly end: number;
}

/** `HH:MM:SS` with an optional fraction after `.`, `,` or `:` (Sofia and some PBXs write `hh:mm:ss:fff`). */
export function readClock(text: string, at: number): ClockAt | undefined {
  const h = fixed(text, at, 2);
  const m = fixed(text, at + 3, 2);
  const s = fixed(text, at + 6, 2);
  if (h === undefined || m === undefined || s === undefined) return undefined;
  if (text.charCodeAt(at + 2) !== 0x3a || text.charCodeAt(at + 5) !== 0x3a || h > 23 || m > 59 || s > 60) return undefined;
  let end = at + 8;
  let seconds = h * 3600 + m * 60 + s;
  const sep = text.charCodeAt(end);
  if (sep === 0x2e || sep === 0x2c || sep === 0x3a) {
    const frac = readInt(text, end + 1);
    if (frac !== undefined && frac[1] - end - 1 <= 9) {
      seconds += frac[0] / 10 ** (frac[1] - end - 1);
      end = frac[1];
    }
  }
  return { seconds, end };
}

function utc(year: number, month: number, day: number, seconds: number): number {
  return Date.UTC(year, month, day) + seconds * 1000;
}

function isUnsetYear(year: number): boolean {
  // Devices without a battery-backed clock boot at the epoch (1970) or at their firmware's base date (2000).
  return year === 1970 || year === 2000;
}

/** Reads a time zone after a time: `Z`, `+0700`, `-05:00`, ` UTC`, ` GMT`. Returns offset in minutes and end. */
function readZone(text: string, at: number): { minutes: number; end: number } | undefined {
  const c = text.charCodeAt(at);
  if (c === 0x5a) return { minutes: 0, end: at + 1 };
  if (c === 0x2b || c === 0x2d) {
    const hh = fixed(text, at + 1, 2);
    if (hh === undefined) return undefined;
    let p = at + 3;
    if (text.charCodeAt(p) === 0x3a) p++;
    const mm = fixed(text, p, 2);
    if (mm === undefined) return undefined;
    const minutes = (hh * 60 + mm) * (c === 0x2d ? -1 : 1);
    return { minutes, end: p + 2 };
  }
  if (c === 0x20 && (text.startsWith('UTC', at + 1) || text.startsWith('GMT', at + 1))) return { minutes: 0, end: at + 4 };
  return undefined;
}

/**
 * `YYYY-MM-DD HH:MM:SS(.frac)` or with `/` or `T`, optionally with a zone. Zone-less stamps are the device's wall clock
 * and are read as UTC: the only safe reading without more knowledge, and what the rest of the log shows.
 */
export function readDateTime(text: string, at: number): TimeAt | undefined {
  const y = fixed(text, at, 4);
  const sep = text.charCodeAt(at + 4);
  if (y === undefined || (sep !== 0x2d && sep !== 0x2f) || text.charCodeAt(at + 7) !== sep) return undefined;
  const mo = fixed(text, at + 5, 2);
  const d = fixed(text, at + 8, 2);
  const t = text.charCodeAt(at + 10);
  if (mo === undefined || d === undefined || mo < 1 || mo > 12 || d < 1 || d > 31 || (t !== 0x20 && t !== 0x54)) return undefined;
  const clock = readClock(text, at + 11);
  if (clock === undefined) return undefined;
  let ms = utc(y, mo - 1, d, clock.seconds);
  let end = clock.end;
  const zone = readZone(text, end);
  if (zone !== undefined) {
    ms -= zone.minutes * 60_000;
    end = zone.end;
  }
  const value: LogTime = isUnsetYear(y) ? { time: ms, unsetClock: true } : { time: ms };
  return { value, end };
}

/** A time of day only (`16:35:39.729`): kept as text with its seconds as the clock, never given a date. */
export function readTimeOfDay(text: string, at: number): TimeAt | undefined {
  const clock = readClock(text, at);
  if (clock === undefined) return undefined;
  return { value: { time: null, timeText: text.slice(at, clock.end), clock: clock.seconds }, end: clock.end };
}

/**
 * RFC 3164 syslog date `Mmm dd HH:MM:SS` (day space-padded). It has no year: with `year` given the time is absolute,
 * otherwise it stays text with a clock of seconds since 1 January. 1 January before 06:00 is flagged as a clock that was
 * never set (embedded devices count from 1 January at boot).
 */
export function readSyslogDate(text: string, at: number, year?: number): TimeAt | undefined {
  const month = readMonth(text, at);
  if (month < 0 || text.charCodeAt(at + 3) !== 0x20) return undefined;
  let p = at + 4;
  if (text.charCodeAt(p) === 0x20) p++;
  const day = readInt(text, p);
  if (day === undefined || day[0] < 1 || day[0] > 31 || text.charCodeAt(day[1]) !== 0x20) return undefined;
  const clock = readClock(text, day[1] + 1);
  if (clock === undefined) return undefined;
  const unsetClock = month === 0 && day[0] === 1 && clock.seconds < 6 * 3600;
  const timeText = text.slice(at, clock.end);
  const sinceNewYear = (Date.UTC(2001, month, day[0]) - Date.UTC(2001, 0, 1)) / 1000 + clock.seconds;
  const value: LogTime =
    year !== undefined
      ? { time: utc(year, month, day[0], clock.seconds), timeText, ...(unsetClock ? { unsetClock } : {}) }
      : { time: null, timeText, clock: sinceNewYear, ...(unsetClock ? { unsetClock } : {}) };
  return { value, end: clock.end };
}

/** RFC 1123 date `Sat, 19 Dec 2020 10:45:08 GMT` (the day name is optional). */
export function readHttpDate(text: string, at: number): TimeAt | undefined {
  let p = at;
  if (text.charCodeAt(p + 3) === 0x2c) p += 5;
  const day = readInt(text, p);
  if (day === undefined || text.charCodeAt(day[1]) !== 0x20) return undefined;
  const month = readMonth(text, day[1] + 1);
  if (month < 0) return undefined;
  const year = fixed(text, day[1] + 5, 4);
  if (year === undefined || text.charCodeAt(day[1] + 9) !== 0x20) return undefined;
  const clock = readClock(text, day[1] + 10);
  if (clock === undefined) return undefined;
  let ms = utc(year, month, day[0], clock.seconds);
  let end = clock.end;
  const zone = readZone(text, end);
  if (zone !== undefined) {
    ms -= zone.minutes * 60_000;
    end = zone.end;
  }
  return { value: isUnsetYear(year) ? { time: ms, unsetClock: true } : { time: ms }, end };
}

/** Seconds since the epoch with a fraction (`1795543363.374008`), as Kamailio and tshark write them. */
export function readEpochSeconds(text: string): LogTime | undefined {
  const t = text.trim();
  const whole = readInt(t, 0);
  if (whole === undefined) return undefined;
  let ms = whole[0] * 1000;
  if (t.charCodeAt(whole[1]) === 0x2e) {
    // Milliseconds from the digits directly, so 1643827934.643277 gives …643.277 and not …643.2769.
    const digits = t.slice(whole[1] + 1, whole[1] + 16);
    const frac = readInt(digits, 0);
    if (frac !== undefined) ms += Number(`${digits.slice(0, 3).padEnd(3, '0')}.${digits.slice(3, frac[1])}`);
  }
  return ms < 366 * 86_400_000 ? { time: ms, unsetClock: true } : { time: ms };
}
