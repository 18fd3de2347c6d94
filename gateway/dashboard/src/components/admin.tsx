import { useI18n } from '../i18n';

/** Where an administered item comes from: `config` items are read-only through the api (409), shown as such. */
export function SourceBadge({ source }: { source: string }) {
  const { t } = useI18n();
  if (source === 'config') return <span className="badge tone-neutral read-only" data-source="config" title={t('admin.readOnlyHint')}>{t('admin.readOnly')}</span>;
  return <span className="source" data-source={source}>{source === 'api' ? t('admin.sourceApi') : source === 'default' ? t('admin.sourceDefault') : source}</span>;
}

/** Enabled / disabled as a badge. */
export function StateBadge({ enabled, refused }: { enabled: boolean; refused?: boolean }) {
  const { t } = useI18n();
  if (!enabled) return <span className="badge tone-neutral" data-state="disabled">{t('admin.disabled')}</span>;
  if (refused) return <span className="badge tone-error" data-state="refused">{t('senders.refused')}</span>;
  return <span className="badge tone-ok" data-state="enabled">{t('admin.enabled')}</span>;
}
