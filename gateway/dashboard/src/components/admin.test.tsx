import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactNode } from 'react';
import { I18nContext, translator } from '../i18n';
import { ApiError } from '../api/client';
import { ActionNotice, AdminForm, AdminTable, RowActions } from './admin';

function render(node: ReactNode) {
  return renderToStaticMarkup(<I18nContext.Provider value={{ language: 'fr', t: translator('fr'), setLanguage: () => {} }}>{node}</I18nContext.Provider>);
}

// The markup the destinations, senders and users pages had before sharing these components (what e2e/ selects on).
describe('administration components', () => {
  it('frame a list as the pages did', () => {
    const html = render(
      <AdminTable testId="senders" headers={['AE', 'Actions']}>
        <tr data-ae="CT1"><td>CT1</td><RowActions><button type="button" data-action="disable">Désactiver</button></RowActions></tr>
      </AdminTable>,
    );
    expect(html).toBe('<div class="table-scroll"><table class="grid" data-testid="senders"><thead><tr><th>AE</th><th>Actions</th></tr></thead>'
      + '<tbody><tr data-ae="CT1"><td>CT1</td><td class="row-actions"><button type="button" data-action="disable">Désactiver</button></td></tr></tbody></table></div>');
    // A read-only row: an empty actions cell.
    expect(render(<table><tbody><tr><RowActions>{false}</RowActions></tr></tbody></table>)).toContain('<td class="row-actions"></td>');
  });

  it('frame the add form as the pages did, its button disabled while busy', () => {
    const form = (busy?: boolean) => render(
      <AdminForm testId="user-form" title="Ajouter" submitLabel="Créer" onSubmit={() => {}} busy={busy}><label>Nom<input name="username" /></label></AdminForm>,
    );
    expect(form()).toBe('<form class="card form" data-testid="user-form" aria-label="Ajouter"><h2>Ajouter</h2><label>Nom<input name="username"/></label>'
      + '<button type="submit" class="primary">Créer</button></form>');
    expect(form(true)).toContain('<button type="submit" class="primary" disabled="">Créer</button>');
  });

  it('show what an action left: a line, or the problem with its headline', () => {
    expect(render(<ActionNotice message={null} />)).toBe('');
    expect(render(<ActionNotice message={{ tone: 'ok', text: 'Enregistré.' }} />)).toContain('Enregistré.');
    const problem = render(<ActionNotice message={{ tone: 'problem', error: new ApiError(409, 'Configured item', 'read-only') }} />);
    expect(problem).toContain('data-status="409"');
    expect(problem).toContain('read-only');
  });
});
