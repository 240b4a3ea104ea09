/**
 * Default display names (backend/names.ts): friendly, valid by the protocol's name rules, stable
 * for one visitor id, and varied across visitors.
 */
import { describe, expect, it } from 'vitest';
import { defaultName } from '../../backend/names.js';
import { expectValidName } from '../helpers/assertions.js';

const ids = Array.from({ length: 500 }, (_, i) => `visitor-${i}-`.padEnd(21, 'x').slice(0, 21));

describe('defaultName', () => {
  it('is a valid display name of two capitalised words', () => {
    for (const id of ids) {
      const name = defaultName(id);
      expectValidName(name);
      expect(name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    }
  });

  it('is stable for one visitor id', () => {
    expect(defaultName('V1StGXR8_Z5jdHi6B-myT')).toBe(defaultName('V1StGXR8_Z5jdHi6B-myT'));
  });

  it('varies across visitors', () => {
    const names = new Set(ids.map(defaultName));
    expect(names.size).toBeGreaterThan(200);
  });
});
