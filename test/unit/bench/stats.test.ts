import { formatSpread, median, quantile, round, summarize, unionLength } from '../../../bench/lib/stats.js';

describe('median', () => {
  it('is the middle value of an odd count, in any order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
  it('refuses a value that is not a finite number', () => {
    expect(() => median([1, NaN, 3])).toThrow(/not a finite number/);
    expect(() => median([1, Infinity])).toThrow(/not a finite number/);
  });
  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('quantile (nearest rank)', () => {
  const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  it('p90 of 1..10 is 9, p100 is 10, p0 is the minimum', () => {
    expect(quantile(ten, 0.9)).toBe(9);
    expect(quantile(ten, 1)).toBe(10);
    expect(quantile(ten, 0)).toBe(1);
  });
  it('p90 of five values is the largest', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBe(5);
  });
  it('p50 is an observed value (the lower middle for an even count)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
  });
  it('refuses q outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(/outside/);
    expect(() => quantile([1], -0.1)).toThrow(/outside/);
  });
});

describe('summarize', () => {
  it('gives n, median, min, max and p90', () => {
    expect(summarize([300, 100, 200, 1000, 250])).toEqual({ n: 5, median: 250, min: 100, max: 1000, p90: 1000 });
  });
  it('of one sample is that sample everywhere', () => {
    expect(summarize([7])).toEqual({ n: 1, median: 7, min: 7, max: 7, p90: 7 });
  });
  it('refuses no samples', () => {
    expect(() => summarize([])).toThrow(/no samples/);
  });
});

describe('unionLength', () => {
  it('adds disjoint intervals', () => {
    expect(unionLength([{ start: 0, end: 10 }, { start: 20, end: 25 }])).toBe(15);
  });
  it('counts overlapping and nested intervals once, in any order', () => {
    expect(unionLength([{ start: 5, end: 15 }, { start: 0, end: 10 }, { start: 2, end: 3 }])).toBe(15);
  });
  it('joins intervals that touch', () => {
    expect(unionLength([{ start: 0, end: 5 }, { start: 5, end: 8 }])).toBe(8);
  });
  it('clips to the window', () => {
    expect(unionLength([{ start: 0, end: 10 }, { start: 20, end: 30 }], 5, 25)).toBe(10);
  });
  it('ignores empty, inverted and out-of-window intervals', () => {
    expect(unionLength([{ start: 3, end: 3 }, { start: 9, end: 4 }, { start: 50, end: 60 }], 0, 40)).toBe(0);
    expect(unionLength([])).toBe(0);
  });
});

describe('presentation', () => {
  it('round keeps the given decimals', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(2.5, 0)).toBe(3);
  });
  it('formatSpread shows median and min–max, or just the value when the runs agree', () => {
    expect(formatSpread({ n: 3, median: 12.34, min: 10, max: 15, p90: 15 }, 1, ' ms')).toBe('12.3 ms (10.0–15.0)');
    expect(formatSpread({ n: 3, median: 10, min: 10, max: 10, p90: 10 })).toBe('10');
  });
});
