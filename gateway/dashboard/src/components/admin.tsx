import { useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { ErrorNotice, Notice } from './common';

/**
 * What the administration pages (destinations, senders, users) share: the list as a grid in its scrolling frame, the
 * cell of a row's actions, the add form under the list, the message an action leaves, and the running of an action.
 */

/** A list of administered items: the scrolling frame, the grid and its header row; the rows are the page's. */
export function AdminTable({ testId, headers, children }: { testId: string; headers: readonly ReactNode[]; children: ReactNode }) {
  return (
    <div className="table-scroll">
      <table className="grid" data-testid={testId}>
        <thead><tr>{headers.map((header, i) => <th key={i}>{header}</th>)}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The last cell of a row: its action buttons (none for a read-only item). */
export function RowActions({ children }: { children?: ReactNode }) {
  return <td className="row-actions">{children}</td>;
}

/** The add (or replace) form under a list: a titled card, the fields, the submit button (disabled while `busy`). */
export function AdminForm({ testId, title, submitLabel, onSubmit, busy, children }: {
  testId: string; title: string; submitLabel: string; onSubmit: (event: FormEvent) => void; busy?: boolean; children: ReactNode;
}) {
  return (
    <form className="card form" onSubmit={onSubmit} data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      {children}
      <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
    </form>
  );
}

/** What an action leaves on the page: a line of text (done, or failed with the node's words), or the api's problem. */
export type ActionMessage = { tone: 'ok' | 'error'; text: string } | { tone: 'problem'; error: unknown };

export function ActionNotice({ message }: { message: ActionMessage | null }) {
  if (!message) return null;
  return message.tone === 'problem' ? <ErrorNotice error={message.error} /> : <Notice tone={message.tone}>{message.text}</Notice>;
}

/**
 * Runs one administration call at a time: `busy` while it runs, then "saved" and `after` (e.g. the form emptied), or
 * the api's problem; the list is reloaded after a success.
 */
export function useAdminAction(reload: () => void) {
  const { t } = useI18n();
  const [message, setMessage] = useState<ActionMessage | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<unknown>, after?: () => void) => {
    setMessage(null);
    setBusy(true);
    try {
      await call();
      setMessage({ tone: 'ok', text: t('form.saved') });
      after?.();
      reload();
    } catch (error) {
      setMessage({ tone: 'problem', error });
    } finally {
      setBusy(false);
    }
  };
  return { message, setMessage, busy, run };
}

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
