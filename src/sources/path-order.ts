/**
 * Orders file paths so that a folder's rotated logs come oldest first: `sip.3.gz`, `sip.2.gz`, `sip.1`, `sip`
 * (logrotate numbers older files higher; the unnumbered file is the live one), and dated ones (`sip-20240130.gz`,
 * `sip-20240131`, `sip`) by date. Other names sort by code point, with
 * numbers inside names compared as numbers, so `a2` comes before `a10`.
 */
export function comparePaths(a: string, b: string): number {
  const ka = rotationKey(a);
  const kb = rotationKey(b);
  if (ka.family !== kb.family) return compareNatural(ka.family, kb.family);
  // Same family: the higher generation is older and comes first; the live file (-1) comes last.
  return kb.generation - ka.generation;
}

/** Sorts a copy of `paths` with `comparePaths`. */
export function sortPaths(paths: readonly string[]): string[] {
  return [...paths].sort(comparePaths);
}

interface RotationKey {
  /** The path without its rotation number and compression suffix. */
  readonly family: string;
  /** The rotation number, -1 for the live file. */
  readonly generation: number;
}

const COMPRESSED_SUFFIXES = ['.gz', '.bz2', '.xz', '.zst'];

/** `var/log/sip.2.gz` → family `var/log/sip`, generation 2; `var/log/sip` → generation -1. */
export function rotationKey(path: string): RotationKey {
  let name = path;
  for (const suffix of COMPRESSED_SUFFIXES) {
    if (name.endsWith(suffix)) {
      name = name.slice(0, -suffix.length);
      break;
    }
  }
  let i = name.length;
  while (i > 0 && isDigit(name.charCodeAt(i - 1))) i--;
  const digits = name.length - i;
  if (digits > 0 && digits <= 6 && i > 0 && name[i - 1] === '.') {
    return { family: name.slice(0, i - 1), generation: Number(name.slice(i)) };
  }
  // logrotate's dateext (`sip.log-20240131`, `-2024013112`): a later date is newer, so it counts as a lower generation.
  if ((digits === 8 || digits === 10) && i > 0 && name[i - 1] === '-') {
    return { family: name.slice(0, i - 1), generation: 1e12 - Number(name.slice(i)) };
  }
  return { family: name, generation: -1 };
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Code-point order, except that runs of digits compare by value. */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      let ej = j;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      const na = a.slice(i, ei).replace(/^0+/, '');
      const nb = b.slice(j, ej).replace(/^0+/, '');
      if (na.length !== nb.length) return na.length - nb.length;
      if (na !== nb) return na < nb ? -1 : 1;
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}
