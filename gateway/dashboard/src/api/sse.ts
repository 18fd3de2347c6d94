import type { ApiClient } from './client';

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Incremental parser of a text/event-stream (HTML Living Standard, "event stream interpretation"): feed it chunks as
 * they arrive, get the complete messages. Comments (": heartbeat") are skipped; CR, LF and CRLF end lines.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  /** The last event id seen (kept across messages, as Last-Event-ID). */
  lastEventId: string | null = null;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the end of the buffer may be the first half of CRLF: wait for more.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const message: SseMessage = { id: this.id, event: this.event || 'message', data: this.data.join('\n') };
      this.data = [];
      this.event = '';
      return message;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.id = value;
          this.lastEventId = value;
        }
        break;
      default:
        break;
    }
    return null;
  }
}

export type StreamState = 'connecting' | 'open' | 'retrying';

/**
 * Follows GET /api/jobs/events with the caller's bearer token (EventSource cannot send one), and reconnects with
 * Last-Event-ID after a drop, so no change is missed. Stops when the signal aborts.
 */
export async function followJobEvents(
  client: ApiClient,
  onMessage: (message: SseMessage) => void,
  onState: (state: StreamState) => void,
  signal: AbortSignal,
  retryMs = 2000,
): Promise<void> {
  let lastEventId: string | null = null;
  while (!signal.aborted) {
    onState('connecting');
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const response = await client.send('/api/jobs/events', { headers, signal, cache: 'no-store' });
      if (!response.body) throw new Error('no body');
      onState('open');
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(value)) onMessage(message);
        lastEventId = parser.lastEventId ?? lastEventId;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Error && 'status' in error && (error as { status: number }).status === 401) return;
    }
    if (signal.aborted) return;
    onState('retrying');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, retryMs);
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  }
}
