import { describe, expect, it } from 'vitest';
// The names the api sends come from the one table the PDF report uses (shared/RadAI.Contracts/Findings/Names).
import frText from '../../../../shared/RadAI.Contracts/Findings/Names/finding-names-fr.json?raw';
import enText from '../../../../shared/RadAI.Contracts/Findings/Names/finding-names-en.json?raw';
import { findingLabels } from './findings';
import type { Finding, RunResults } from '../api/types';

type NamesFile = { findings: Record<string, string>; concepts: Record<string, string>; units: Record<string, string> };

const lung = { scheme: 'SCT', value: '39607008', meaning: 'Lung' };
const right = { scheme: 'SCT', value: '24028007', meaning: 'Right' };
const finding: Finding = {
  id: 'lung-right', kind: 'organ', type: lung, site: lung, segmentNumber: 1, laterality: right, region: null,
  measurements: [
    { concept: { scheme: 'SCT', value: '118565006', meaning: 'Volume' }, value: 2612.4, unit: 'ml', unitMeaning: 'milliliter' },
    { concept: { scheme: '99XYZ', value: 'ODD', meaning: 'Odd measure' }, value: 1, unit: '{odd}', unitMeaning: 'odd unit', derivation: { scheme: 'SCT', value: '373098007', meaning: 'Mean' } },
  ],
};

function run(labels?: RunResults['labels']): RunResults {
  return {
    runId: 'run-1', model: { id: 'm', version: '1', name: 'M', status: 'DEMO', intendedUse: '', limitations: [] }, seriesInstanceUid: '1.2',
    modality: 'CT', geometry: { sizeX: 8, sizeY: 8, sizeZ: 4, spacing: { x: 1, y: 1, z: 1 } }, executionProvider: 'CPU', durationMs: 1,
    segments: [], hasMask: true, findings: [finding], notes: [], labels,
  };
}

// What GET /api/jobs/{id}/findings answers for this finding (ViewerApi.LabelsOf, tested on the server with the same table).
const fr = JSON.parse(frText) as NamesFile;
const en = JSON.parse(enText) as NamesFile;
const served = run({
  fr: { 'lung-right': { name: fr.findings['SCT:39607008|SCT:24028007'], site: fr.findings['SCT:39607008|SCT:24028007'], measurements: [fr.concepts['SCT:118565006'], 'Odd measure (moyenne)'], units: [fr.units.ml, null] } },
  en: { 'lung-right': { name: en.findings['SCT:39607008|SCT:24028007'], site: en.findings['SCT:39607008|SCT:24028007'], measurements: [en.concepts['SCT:118565006'], 'Odd measure (mean)'], units: [en.units.ml, null] } },
});

describe('names of findings and measurements', () => {
  it("shows the page's language, the PDF's words", () => {
    const labels = findingLabels(served, finding, 'fr');
    expect(labels.name).toBe('Poumon droit');
    expect(labels.site).toBe('Poumon droit');
    expect(labels.measurements).toEqual(['Volume', 'Odd measure (moyenne)']);
    expect(labels.units).toEqual(['mL', 'odd unit']);
    expect(findingLabels(served, finding, 'en').name).toBe('Right lung');
  });

  it("falls back to the SR's code meanings without names", () => {
    const labels = findingLabels(run(undefined), finding, 'fr');
    expect(labels.name).toBe('Lung (Right)');
    expect(labels.site).toBe('Lung (Right)');
    expect(labels.measurements).toEqual(['Volume', 'Odd measure (Mean)']);
    expect(labels.units).toEqual(['milliliter', 'odd unit']);
    const nodule: Finding = { ...finding, id: 'nodule-3', kind: 'lesion', type: { scheme: 'SCT', value: '27925004', meaning: 'Nodule' }, site: null, laterality: null, segmentNumber: 3, measurements: [] };
    expect(findingLabels(run({ fr: {} }), nodule, 'fr')).toEqual({ name: 'Nodule 3', site: null, measurements: [], units: [] });
  });
});
