import type { Finding, FindingLabels, RunResults } from '../api/types';
import type { Language } from '../i18n';

/**
 * The names of a finding for the reader in the page's language. The api's findings endpoint sends them in every
 * language (`labels`, the words of the PDF report, one table on the server: shared/RadAI.Contracts/Findings/Names); a
 * finding, measurement or unit without a name there shows the SR's code meaning (English).
 */
export function findingLabels(run: RunResults, finding: Finding, language: Language): FindingLabels {
  const named = run.labels?.[language]?.[finding.id];
  const fallbackSite = [finding.site?.meaning, finding.laterality?.meaning ? `(${finding.laterality.meaning})` : null].filter(Boolean).join(' ') || null;
  return {
    name: named?.name || fallbackName(finding),
    site: named ? named.site : fallbackSite,
    measurements: finding.measurements.map((m, i) => named?.measurements[i] || m.concept.meaning + (m.derivation ? ` (${m.derivation.meaning})` : '')),
    units: finding.measurements.map((m, i) => {
      const unit = named?.units[i];
      return unit === undefined || unit === null ? m.unitMeaning : unit;
    }),
  };
}

function fallbackName(finding: Finding): string {
  const name = finding.laterality ? `${finding.type.meaning} (${finding.laterality.meaning})` : finding.type.meaning;
  return finding.kind === 'lesion' && finding.segmentNumber != null ? `${name} ${finding.segmentNumber}` : name;
}
