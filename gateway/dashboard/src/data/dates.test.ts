import { describe, expect, it } from 'vitest';
import { dayPattern, formatDay, parseDay } from './dates';

describe('day inputs in the dashboard language', () => {
  it('shows the expected form of each language', () => {
    expect(dayPattern('fr')).toBe('jj/mm/aaaa');
    expect(dayPattern('en')).toBe('dd/mm/yyyy');
  });

  it('reads day/month/year, whatever the browser locale', () => {
    expect(parseDay('27/11/2026', 'fr')).toEqual({ ok: true, day: '2026-11-27' });
    expect(parseDay('3/1/2026', 'en')).toEqual({ ok: true, day: '2026-01-03' });
    expect(parseDay(' 03.01.2026 ', 'fr')).toEqual({ ok: true, day: '2026-01-03' });
    expect(parseDay('03-01-2026', 'fr')).toEqual({ ok: true, day: '2026-01-03' });
  });

  it('accepts the ISO form too', () => {
    expect(parseDay('2026-11-27', 'fr')).toEqual({ ok: true, day: '2026-11-27' });
    expect(parseDay('2026-1-5', 'en')).toEqual({ ok: true, day: '2026-01-05' });
  });

  it('refuses days that do not exist and other shapes', () => {
    expect(parseDay('31/02/2026', 'fr')).toEqual({ ok: false, reason: 'date' });
    expect(parseDay('29/02/2025', 'fr')).toEqual({ ok: false, reason: 'date' });
    expect(parseDay('29/02/2024', 'fr')).toEqual({ ok: true, day: '2024-02-29' });
    expect(parseDay('12/13/2026', 'en')).toEqual({ ok: false, reason: 'date' });
    expect(parseDay('00/01/2026', 'en')).toEqual({ ok: false, reason: 'date' });
    expect(parseDay('27/11/26', 'fr')).toEqual({ ok: false, reason: 'format' });
    expect(parseDay('hier', 'fr')).toEqual({ ok: false, reason: 'format' });
    expect(parseDay('', 'fr')).toEqual({ ok: false, reason: 'format' });
  });

  it('writes an ISO day in the language form and round-trips', () => {
    expect(formatDay('2026-01-03', 'fr')).toBe('03/01/2026');
    expect(formatDay('2026-01-03', 'en')).toBe('03/01/2026');
    expect(parseDay(formatDay('2026-12-31', 'fr'), 'fr')).toEqual({ ok: true, day: '2026-12-31' });
    expect(formatDay('', 'fr')).toBe('');
  });
});
