import { describe, expect, it } from 'vitest';
import { SseParser } from './sse';

describe('event stream parser', () => {
  it('reads the api feed: id, event, data, heartbeat comments', () => {
    const parser = new SseParser();
    const messages = parser.push(': heartbeat\n\nid: 42\nevent: job\ndata: {"sequence":42}\n\n');
    expect(messages).toEqual([{ id: '42', event: 'job', data: '{"sequence":42}' }]);
    expect(parser.lastEventId).toBe('42');
  });

  it('assembles messages split across chunks, in any place, with CRLF line ends', () => {
    const parser = new SseParser();
    const text = 'id: 1\r\nevent: job\r\ndata: {"a":\r\ndata: 1}\r\n\r\nid: 2\r\ndata: x\r\n\r\n';
    const received = [];
    for (const char of text) received.push(...parser.push(char));
    expect(received).toEqual([
      { id: '1', event: 'job', data: '{"a":\n1}' },
      { id: '2', event: 'message', data: 'x' },
    ]);
    expect(parser.lastEventId).toBe('2');
  });

  it('dispatches nothing for a block without data', () => {
    const parser = new SseParser();
    expect(parser.push('event: job\n\n')).toEqual([]);
    expect(parser.push('data: y\n\n')).toEqual([{ id: null, event: 'message', data: 'y' }]);
  });
});
