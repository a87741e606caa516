/** A parsed URI. sip, sips and tel are parsed; any other scheme keeps only `scheme` and `raw`. RFC 3261 §19.1.1, RFC 3966. */
export interface SipUri {
  readonly raw: string;
  readonly scheme: string;
  /** Percent-decoded user part (sip/sips), or the number (tel). */
  readonly user?: string;
  readonly password?: string;
  /** Host name, IPv4 address, or IPv6 address without brackets. */
  readonly host?: string;
  readonly hostKind?: 'name' | 'ipv4' | 'ipv6';
  readonly port?: number;
  /** URI parameters in order; a parameter without a value maps to `null`. Names are lower-cased. */
  readonly params: ReadonlyMap<string, string | null>;
  /** `?` headers of the URI, percent-decoded. */
  readonly headers: ReadonlyMap<string, string>;
}
