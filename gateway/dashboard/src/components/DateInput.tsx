import { useEffect, useState } from 'react';
import { dayPattern, formatDay, parseDay } from '../data/dates';
import { useI18n } from '../i18n';

/**
 * A day typed in the dashboard's language (`jj/mm/aaaa` in French, `dd/mm/yyyy` in English), not the browser's as
 * `<input type="date">` would be. `value` and `onChange` are ISO `yyyy-mm-dd` ('' for none); text that is not a day
 * is kept in the field, marked invalid with the expected form, and not sent.
 */
export function DateInput({ value, onChange, name, label }: { value: string; onChange: (day: string) => void; name: string; label: string }) {
  const { t, language } = useI18n();
  const [text, setText] = useState(() => formatDay(value, language));
  const [invalid, setInvalid] = useState<'format' | 'date' | null>(null);
  const [left, setLeft] = useState(false);

  // The value changed from outside (filters cleared) or the language changed: show it in the current form.
  useEffect(() => {
    // (Text being typed that is not a day yet stays as typed.)
    setText((current) => (value === '' && !parseDay(current, language).ok ? current : formatDay(value, language)));
  }, [value, language]);

  const edit = (next: string) => {
    setText(next);
    setLeft(false);
    if (next.trim() === '') {
      setInvalid(null);
      if (value !== '') onChange('');
      return;
    }
    const parsed = parseDay(next, language);
    if (parsed.ok) {
      setInvalid(null);
      if (parsed.day !== value) onChange(parsed.day);
    } else {
      setInvalid(parsed.reason);
      if (value !== '') onChange('');
    }
  };

  const pattern = dayPattern(language);
  return (
    <label className={`date-input${invalid ? ' invalid' : ''}`}>
      {label}
      <input
        type="text"
        inputMode="numeric"
        name={name}
        value={text}
        placeholder={pattern}
        size={10}
        maxLength={10}
        aria-invalid={invalid !== null}
        title={pattern}
        onChange={(e) => edit(e.target.value)}
        onBlur={() => setLeft(true)}
      />
      {invalid && (left || text.trim().length >= 10) && <small className="field-error" role="alert">{t(invalid === 'date' ? 'date.noSuchDay' : 'date.format', { pattern })}</small>}
    </label>
  );
}
