import { describe, expect, it } from 'vitest';
import { escapeHtml, serializeJsonForHtml } from './escape-html.js';

describe('escapeHtml', () => {
  it('escapes every character that can open markup or leave an attribute', () => {
    expect(escapeHtml(`"><img src=x onerror='a()'>&\``)).toBe('&quot;&gt;&lt;img src=x onerror=&#39;a()&#39;&gt;&amp;&#96;');
  });
  it('returns plain text unchanged', () => {
    expect(escapeHtml('SIP/2.0 486 Busy Here')).toBe('SIP/2.0 486 Busy Here');
  });
});

describe('serializeJsonForHtml', () => {
  it('cannot close its script element and still parses to the same value', () => {
    const value = { from: '</script><script>alert(1)</script><!--', sep: '\u2028' };
    const text = serializeJsonForHtml(value);
    expect(text).not.toMatch(/[<>]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
