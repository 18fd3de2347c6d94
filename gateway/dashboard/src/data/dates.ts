import type { Language } from '../i18n';

/**
 * Day inputs in the dashboard's language rather than the browser's (`<input type="date">` follows the browser's locale):
 * French `jj/mm/aaaa`, English `dd/mm/yyyy` (en-GB, as the dashboard's dates are shown); the ISO form `yyyy-mm-dd`
 * is accepted in both. The value kept in the filters is always ISO `yyyy-mm-dd`.
 */
export type DayParse = { ok: true; day: string } | { ok: false; reason: 'format' | 'date' };

/** What the user sees as the expected form. */
export function dayPattern(language: Language): string {
  return language === 'fr' ? 'jj/mm/aaaa' : 'dd/mm/yyyy';
}

/** `yyyy-mm-dd` → the language's form (`27/11/2026`); anything else is returned as is. */
export function formatDay(iso: string, language: Language): string {
  void language; // both languages write day/month/year
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : iso;
}

/**
 * The user's text → ISO `yyyy-mm-dd`: `d/m/yyyy` (separators `/`, `.` or `-`, one or two digits for day and month) or
 * `yyyy-mm-dd`. A day that does not exist (31/02/2026) is refused as `date`, text of another shape as `format`.
 */
export function parseDay(text: string, language: Language): DayParse {
  void language;
  const value = text.trim();
  let year: number;
  let month: number;
  let day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const local = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (local) [day, month, year] = [Number(local[1]), Number(local[2]), Number(local[3])];
  else return { ok: false, reason: 'format' };
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1) return { ok: false, reason: 'date' };
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { ok: false, reason: 'date' };
  return { ok: true, day: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}
