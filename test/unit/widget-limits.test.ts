/**
 * The limits the widget checks before sending, counted as the server counts them.
 */
import { describe, expect, it } from 'vitest';
import { characterCount, nameProblem, textProblem } from '../../widget/limits.js';

describe('characterCount', () => {
  it('counts code points, so an emoji is one character', () => {
    expect(characterCount('abc')).toBe(3);
    expect(characterCount('😀😀')).toBe(2);
    expect(characterCount('é')).toBe(1);
  });
});

describe('textProblem', () => {
  it('refuses empty text and text over the limit, after trimming', () => {
    expect(textProblem('   \n ', 10)).toBe('empty');
    expect(textProblem('  hello  ', 5)).toBeUndefined();
    expect(textProblem('hello!', 5)).toBe('too_long');
    expect(textProblem('😀'.repeat(5), 5)).toBeUndefined();
  });
});

describe('nameProblem', () => {
  it('accepts 1 to 40 characters without control characters', () => {
    expect(nameProblem(' Ada ')).toBeUndefined();
    expect(nameProblem('x'.repeat(40))).toBeUndefined();
    expect(nameProblem('x'.repeat(41))).toBe('too_long');
    expect(nameProblem('  ')).toBe('invalid_payload');
    expect(nameProblem('Ada\u0007')).toBe('invalid_payload');
  });
});
