// Which share of an analysis a message belongs to, when the input is analysed by several threads: every message of
// one call (its Call-ID, or the other B2BUA leg's that an X-CID, icid or Session-ID ties it to), of one account
// (REGISTER: the To URI, the address of record, RFC 3261 §10.2) gets the same number. A rough, fast read of a few header lines; the number only has to be the same, never exact.

const LF = 0x0a;

function fnv(b: Uint8Array, s: number, e: number, h = 0x811c9dc5): number {
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** Whether b[s…] starts with `name` (lower case) then optional white space and ':'; returns the value start or -1. */
function valueAfter(b: Uint8Array, s: number, e: number, name: string): number {
  const n = name.length;
  if (e - s <= n) return -1;
  for (let j = 0; j < n; j++) if (lower(b[s + j]!) !== name.charCodeAt(j)) return -1;
  let i = s + n;
  while (i < e && (b[i] === 0x20 || b[i] === 0x09)) i++;
  return b[i] === 0x3a ? i + 1 : -1;
}

const REGISTER = 1;
const INVITE = 3;

/** REGISTER or INVITE spelled at b[s…], followed by a space or the line end; else 0. */
function methodAt(b: Uint8Array, s: number, e: number): number {
  const is = (word: string): boolean => {
    if (e - s < word.length) return false;
    for (let j = 0; j < word.length; j++) if (b[s + j] !== word.charCodeAt(j)) return false;
    const after = b[s + word.length];
    return after === undefined || after === 0x20 || after === 0x0d || after === 0x0a || s + word.length === e;
  };
  if (is('REGISTER')) return REGISTER;
  if (is('INVITE')) return INVITE;
  return 0;
}

function trim(b: Uint8Array, s: number, e: number): [number, number] {
  while (s < e && (b[s] === 0x20 || b[s] === 0x09)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0x09 || b[e - 1] === 0x0d)) e--;
  return [s, e];
}

/** The URI of a To value without its parameters: inside `<>`, else up to the first `;`. */
function uriHash(b: Uint8Array, s: number, e: number): number {
  let lt = -1;
  for (let i = s; i < e; i++) {
    if (b[i] === 0x3c) {
      lt = i;
      break;
    }
  }
  let us = lt < 0 ? s : lt + 1;
  let ue = us;
  while (ue < e && b[ue] !== 0x3e && (lt >= 0 || b[ue] !== 0x3b)) ue++;
  // URI parameters are no part of the account.
  for (let i = us; i < ue; i++) {
    if (b[i] === 0x3b) {
      ue = i;
      break;
    }
  }
  [us, ue] = trim(b, us, ue);
  return fnv(b, us, ue);
}

/** Routes messages to shares, remembering the calls tied to another leg. */
export class Router {
  /** Call-ID hash → the hash its call is routed by (another leg's), for calls tied by X-CID, icid or Session-ID. */
  #tied = new Map<number, number>();

  /** The routing number of the message in `b`. */
  key(b: Uint8Array): number {
    const end = b.length;
    let i = 0;
    while (i < end && (b[i] === 0x0d || b[i] === LF)) i++;
    // Request or response, and which method: REGISTER and INVITE matter here.
    const response = end - i > 4 && b[i] === 0x53 && b[i + 1] === 0x49 && b[i + 2] === 0x50 && b[i + 3] === 0x2f;
    let line = b.indexOf(LF, i);
    if (line < 0) return 0;
    let method = response ? 0 : methodAt(b, i, line);
    let callId = -1;
    let to = -1;
    let toEnd = -1;
    let tied = -1;
    let toTagged = false;
    // Only an INVITE request reads every header line (a tie to another leg may come last); any other message is done
    // once its Call-ID, its method (a response's from CSeq) and, for REGISTER, its To are read.
    const wholeHeader = !response && method === INVITE;
    let cseqRead = !response;
    let pos = line + 1;
    while (pos < end) {
      line = b.indexOf(LF, pos);
      const le = line < 0 ? end : line;
      const ls = pos;
      pos = le + 1;
      if (le === ls || (le === ls + 1 && b[ls] === 0x0d)) break; // the empty line ending the headers
      const c0 = lower(b[ls]!);
      let v: number;
      if (c0 === 0x63 /* c */) {
        if ((v = valueAfter(b, ls, le, 'call-id')) >= 0) {
          if (callId < 0) {
            const [s, e] = trim(b, v, le);
            callId = fnv(b, s, e);
          }
        } else if (response && (v = valueAfter(b, ls, le, 'cseq')) >= 0) {
          while (v < le && (b[v] === 0x20 || b[v] === 0x09 || (b[v]! >= 0x30 && b[v]! <= 0x39))) v++;
          method = methodAt(b, v, le);
          cseqRead = true;
        }
      } else if (c0 === 0x69 /* i */ && (v = valueAfter(b, ls, le, 'i')) >= 0) {
        if (callId < 0) {
          const [s, e] = trim(b, v, le);
          callId = fnv(b, s, e);
        }
      } else if (c0 === 0x74 /* t */ && to < 0 && ((v = valueAfter(b, ls, le, 'to')) >= 0 || (v = valueAfter(b, ls, le, 't')) >= 0)) {
        to = v;
        toEnd = le;
        for (let k = v; k + 4 < le; k++) if (b[k] === 0x3b && lower(b[k + 1]!) === 0x74 && lower(b[k + 2]!) === 0x61 && lower(b[k + 3]!) === 0x67) toTagged = true;
      } else if (!response && method === INVITE && tied < 0) {
        if (c0 === 0x78 /* x */) {
          if ((v = valueAfter(b, ls, le, 'x-cid')) >= 0 || (v = valueAfter(b, ls, le, 'x-orig-call-id')) >= 0 || (v = valueAfter(b, ls, le, 'x-call-id')) >= 0) {
            let [s, e] = trim(b, v, le);
            for (let k = s; k < e; k++) if (b[k] === 0x3b) e = k;
            [s, e] = trim(b, s, e);
            tied = fnv(b, s, e);
          }
        } else if (c0 === 0x73 /* s */ && (v = valueAfter(b, ls, le, 'session-id')) >= 0) {
          let [s, e] = trim(b, v, le);
          for (let k = s; k < e; k++) if (b[k] === 0x3b) e = k;
          [s, e] = trim(b, s, e);
          tied = fnv(b, s, e, 0x01234567);
        } else if (c0 === 0x70 /* p */ && (v = valueAfter(b, ls, le, 'p-charging-vector')) >= 0) {
          for (let k = v; k + 10 < le; k++) {
            if (lower(b[k]!) === 0x69 && valueAfterEq(b, k, le, 'icid-value') >= 0) {
              let s = valueAfterEq(b, k, le, 'icid-value');
              while (s < le && (b[s] === 0x20 || b[s] === 0x22)) s++;
              let e = s;
              while (e < le && b[e] !== 0x3b && b[e] !== 0x22 && b[e] !== 0x20 && b[e] !== 0x0d) e++;
              tied = fnv(b, s, e, 0x089abcde);
              break;
            }
          }
        }
      }
      if (line < 0) break;
      if (!wholeHeader && callId >= 0 && cseqRead && (method !== REGISTER || to >= 0)) break;
    }
    // Accounts by their To URI (a device may take a new Call-ID for each REGISTER); the rest by Call-ID, or by the leg
    // a call is tied to. OPTIONS goes by Call-ID too: inside a dialog it belongs to the call.
    if (method === REGISTER && to >= 0) return uriHash(b, to, toEnd);
    if (callId < 0) return 0;
    if (tied >= 0 && !toTagged) {
      if (this.#tied.size >= 1 << 20) this.#tied = new Map();
      this.#tied.set(callId, tied);
      // The leg named by X-CID is routed by its own Call-ID: the tie points there.
      return tied;
    }
    return this.#tied.get(callId) ?? callId;
  }
}

function valueAfterEq(b: Uint8Array, s: number, e: number, name: string): number {
  const n = name.length;
  if (e - s <= n) return -1;
  for (let j = 0; j < n; j++) if (lower(b[s + j]!) !== name.charCodeAt(j)) return -1;
  let i = s + n;
  while (i < e && b[i] === 0x20) i++;
  return b[i] === 0x3d ? i + 1 : -1;
}
