import { createLogger } from './logger.js';
import { throttledWarning } from './log-throttle.js';

describe('a throttled warning', () => {
  it('logs the first, holds back the rest of the interval, then says how many it held back', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('test', 'warn', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    let clock = 0;
    const warn = throttledWarning(logger, 'store down', 1000, () => clock);
    for (let i = 0; i < 5; i += 1) warn({ attempt: i });
    clock = 999;
    warn({ attempt: 5 });
    expect(lines.map((line) => [line['msg'], line['attempt'], line['suppressed']])).toEqual([
      ['store down', 0, undefined],
    ]);
    clock = 1000;
    warn({ attempt: 6 });
    expect(lines.map((line) => [line['attempt'], line['suppressed']])).toEqual([
      [0, undefined],
      [6, 5],
    ]);
  });
});
