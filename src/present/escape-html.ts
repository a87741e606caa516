/**
 * Escapes text for HTML element content and quoted attribute values. Every value that comes from a capture or a log
 * goes through here before it reaches the HTML report: display names, headers and bodies are attacker-controlled.
 */
export function escapeHtml(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let rep: string | undefined;
    switch (text.charCodeAt(i)) {
      case 0x26: rep = '&amp;'; break;
      case 0x3c: rep = '&lt;'; break;
      case 0x3e: rep = '&gt;'; break;
      case 0x22: rep = '&quot;'; break;
      case 0x27: rep = '&#39;'; break;
      case 0x60: rep = '&#96;'; break;
      default: continue;
    }
    out += text.slice(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Serialises a value as JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` are written as
 * \u escapes so no `</script>` or `<!--` can end or bend the element, and U+2028/U+2029 are escaped for old parsers.
 */
export function serializeJsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
