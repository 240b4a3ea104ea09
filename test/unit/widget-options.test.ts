/**
 * Embed options: what a site owner may write in the script tag's data attributes, and what the
 * widget makes of it, including the mistakes it must survive.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRANSPORTS,
  embedAttributes,
  parseFlag,
  parseMapping,
  parseTransports,
  resolveServer,
  siteProblem,
} from '../../widget/options.js';

describe('siteProblem', () => {
  it('accepts site names of the protocol', () => {
    for (const site of ['acme', 'a', 'my-site-2', 'x'.repeat(40)]) {
      expect(siteProblem(site)).toBeUndefined();
    }
  });

  it('explains a missing site', () => {
    expect(siteProblem(undefined)).toMatch(/data-site is missing/);
    expect(siteProblem('  ')).toMatch(/data-site is missing/);
    expect(siteProblem('', 'site')).toMatch(/^site is missing/);
  });

  it('refuses invalid and reserved names, quoting them', () => {
    for (const site of ['Acme', '-acme', 'acme-', 'a_b', 'x'.repeat(41), 'admin', 'ac me']) {
      expect(siteProblem(site)).toContain(`data-site="${site}"`);
    }
  });
});

describe('parseTransports', () => {
  it('keeps known names in the order given, without duplicates', () => {
    expect(parseTransports('polling')).toEqual(['polling']);
    expect(parseTransports('polling, websocket')).toEqual(['polling', 'websocket']);
    expect(parseTransports('WebSocket websocket')).toEqual(['websocket']);
  });

  it('falls back to WebSocket then polling for nothing usable', () => {
    expect(parseTransports(undefined)).toEqual(DEFAULT_TRANSPORTS);
    expect(parseTransports('carrier-pigeon')).toEqual(['websocket', 'polling']);
  });
});

describe('parseMapping and parseFlag', () => {
  it('reads the room mapping, defaulting to pathname', () => {
    expect(parseMapping('url')).toBe('url');
    expect(parseMapping(' Title ')).toBe('title');
    expect(parseMapping('query')).toBe('pathname');
    expect(parseMapping(null)).toBe('pathname');
  });

  it('treats a present attribute as true unless it says otherwise', () => {
    expect(parseFlag('')).toBe(true);
    expect(parseFlag('true')).toBe(true);
    expect(parseFlag('open')).toBe(true);
    for (const no of ['false', '0', 'no', 'OFF']) expect(parseFlag(no)).toBe(false);
    expect(parseFlag(undefined)).toBe(false);
  });
});

describe('resolveServer', () => {
  const page = 'https://blog.example.org/posts/1';

  it("takes the origin of the script's own src, dropping the path", () => {
    expect(resolveServer(undefined, 'https://chat.example.com/widget.js', page)).toBe(
      'https://chat.example.com',
    );
    expect(resolveServer(undefined, 'https://chat.example.com:8443/x/widget.js?v=2', page)).toBe(
      'https://chat.example.com:8443',
    );
  });

  it('resolves a relative src against the page', () => {
    expect(resolveServer(undefined, '/widget.js', page)).toBe('https://blog.example.org');
  });

  it('prefers an explicit http(s) server and ignores anything else', () => {
    expect(resolveServer('https://rt.example.net/', '/widget.js', page)).toBe(
      'https://rt.example.net',
    );
    expect(resolveServer('javascript:alert(1)', 'https://c.example/widget.js', page)).toBe(
      'https://c.example',
    );
    expect(resolveServer(undefined, undefined, page)).toBe('https://blog.example.org');
  });
});

describe('embedAttributes', () => {
  it('turns the script tag into a floating element of the same options', () => {
    const attributes = embedAttributes(
      {
        site: 'acme',
        room: ' launch ',
        mapping: 'title',
        position: 'bottom-left',
        theme: 'dark',
        lang: 'fr',
        transports: 'polling',
        maxLength: '500',
        open: '',
        unknown: 'ignored',
      },
      'https://chat.example.com/widget.js',
      'https://acme.test/',
    );
    expect(attributes).toEqual({
      layout: 'floating',
      server: 'https://chat.example.com',
      site: 'acme',
      room: 'launch',
      mapping: 'title',
      position: 'bottom-left',
      theme: 'dark',
      lang: 'fr',
      transports: 'polling',
      'max-length': '500',
      open: '',
    });
  });

  it('leaves out what was not given, and data-open="false"', () => {
    expect(
      embedAttributes({ site: 'acme', open: 'false' }, '/widget.js', 'http://x.test/'),
    ).toEqual({ layout: 'floating', server: 'http://x.test', site: 'acme' });
  });
});
