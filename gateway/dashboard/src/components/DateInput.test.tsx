import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nContext, translator, type Language } from '../i18n';
import { DateInput } from './DateInput';

function render(language: Language, value: string) {
  return renderToStaticMarkup(
    <I18nContext.Provider value={{ language, t: translator(language), setLanguage: () => {} }}>
      <DateInput label="Du" name="from" value={value} onChange={() => {}} />
    </I18nContext.Provider>,
  );
}

describe('DateInput', () => {
  it('is a text field in the dashboard language, not the browser date picker', () => {
    const fr = render('fr', '2026-11-27');
    expect(fr).toContain('type="text"');
    expect(fr).not.toContain('type="date"');
    expect(fr).toContain('placeholder="jj/mm/aaaa"');
    expect(fr).toContain('value="27/11/2026"');
    expect(render('en', '2026-11-27')).toContain('placeholder="dd/mm/yyyy"');
    expect(render('en', '')).toContain('value=""');
  });
});
