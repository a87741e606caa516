/**
 * Where a piece of input came from. `path` names nested containers with `!`:
 * `snapshot.zip!tmp/sitara1.zip!var/log/sip`. `offset` is the byte offset in the innermost file (for a capture, of the
 * record); `line` (1-based) is set for text logs and `packet` (1-based) for captures.
 */
export interface Origin {
  readonly path: string;
  readonly offset: number;
  readonly line?: number;
  readonly packet?: number;
}

/** Formats an origin as `path:line`, `path#packet` or `path@offset`, for messages and reports. */
export function formatOrigin(origin: Origin): string {
  if (origin.line !== undefined) return `${origin.path}:${origin.line}`;
  if (origin.packet !== undefined) return `${origin.path}#${origin.packet}`;
  return `${origin.path}@${origin.offset}`;
}
