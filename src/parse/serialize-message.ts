import type { SipMessage } from '../model/sip-message.js';

/** What serializeMessage needs: a parsed SipMessage, or a plain description of one. */
export type SerializableMessage = Pick<SipMessage, 'kind' | 'method' | 'requestUri' | 'status' | 'reason' | 'version' | 'body'> & {
  readonly headers: readonly { readonly name: string; readonly value: string }[];
};

export interface SerializeOptions {
  /** Line end to write; RFC 3261 §7 says CRLF. */
  readonly lineEnd?: '\r\n' | '\n';
  /** Rewrite (or add) Content-Length to the body's length. Default false: headers are written as they are. */
  readonly fixContentLength?: boolean;
}

const encoder = new TextEncoder();

/**
 * Writes a message back to bytes: start line, one line per header (`Name: value`, unfolded), an empty line and the
 * body. Parsing the result gives the same start line, headers and body.
 */
export function serializeMessage(message: SerializableMessage, options: SerializeOptions = {}): Uint8Array {
  const eol = options.lineEnd ?? '\r\n';
  const version = message.version.length > 0 ? message.version : 'SIP/2.0';
  let text =
    message.kind === 'request'
      ? `${message.method ?? ''} ${message.requestUri ?? ''} ${version}${eol}`
      : `${version} ${String(message.status ?? 0).padStart(3, '0')} ${message.reason ?? ''}${eol}`;
  let wroteLength = false;
  for (const h of message.headers) {
    const lower = h.name.toLowerCase();
    if (options.fixContentLength === true && (lower === 'content-length' || lower === 'l')) {
      if (wroteLength) continue;
      wroteLength = true;
      text += `${h.name}: ${message.body.length}${eol}`;
      continue;
    }
    text += `${h.name}: ${h.value}${eol}`;
  }
  if (options.fixContentLength === true && !wroteLength) text += `Content-Length: ${message.body.length}${eol}`;
  text += eol;
  const head = encoder.encode(text);
  const out = new Uint8Array(head.length + message.body.length);
  out.set(head, 0);
  out.set(message.body, head.length);
  return out;
}
