import { useI18n } from '../i18n';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div className="language" role="group" aria-label={t('app.language')}>
      {(['fr', 'en'] as const).map((l) => (
        <button key={l} type="button" className={l === language ? 'active' : ''} aria-pressed={l === language} onClick={() => setLanguage(l)} data-lang={l}>
          {l.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
