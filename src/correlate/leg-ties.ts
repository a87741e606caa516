// B2BUA legs of one call: which Call-IDs the correlation values of dialog-creating INVITEs tie together.

/**
 * The Call-ID of the other leg that a correlation value names, or undefined when the value is one both legs share.
 * X-CID, X-Orig-Call-ID and X-Call-ID carry the other leg's Call-ID itself; icid (P-Charging-Vector) and Session-ID
 * are carried by both legs (values as MessageFacts.correlation spells them: `x-cid:…`, `icid:…`, `session-id:…`).
 */
export function namedLeg(value: string): string | undefined {
  return value.startsWith('x-') ? value.slice(value.indexOf(':') + 1) : undefined;
}

/**
 * Call-IDs tied into one call by correlation values, as the correlator ties them, over a whole input read ahead
 * (`analyze --filter` keeps every leg of a call it matched). A union-find over Call-IDs and values, holding only the
 * calls that carry such a value.
 */
export class LegTies {
  readonly #parent = new Map<string, string>();

  /** Records that the call `callId` carries correlation `value`. */
  tie(callId: string, value: string): void {
    this.#union(`c:${callId}`, `v:${value}`);
    const other = namedLeg(value);
    if (other !== undefined) this.#union(`c:${callId}`, `c:${other}`);
  }

  /** The Call-IDs given and every Call-ID tied to one of them. */
  withLegs(callIds: Iterable<string>): string[] {
    const out = new Set(callIds);
    const roots = new Set<string>();
    for (const id of out) if (this.#parent.has(`c:${id}`)) roots.add(this.#find(`c:${id}`));
    if (roots.size === 0) return [...out];
    for (const node of this.#parent.keys()) if (node.startsWith('c:') && roots.has(this.#find(node))) out.add(node.slice(2));
    return [...out];
  }

  #find(node: string): string {
    let root = node;
    for (let up = this.#parent.get(root); up !== undefined && up !== root; up = this.#parent.get(root)) root = up;
    // Every node on the way points at the root afterwards, so later finds take one step.
    for (let at = node; at !== root; ) {
      const next = this.#parent.get(at) as string;
      this.#parent.set(at, root);
      at = next;
    }
    return root;
  }

  #union(a: string, b: string): void {
    if (!this.#parent.has(a)) this.#parent.set(a, a);
    if (!this.#parent.has(b)) this.#parent.set(b, b);
    const ra = this.#find(a);
    const rb = this.#find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}
