import { describe, expect, it } from 'vitest';
import { layoutBars, niceTicks } from './charts';
import { can } from './roles';
import { MESSAGES, translator } from '../i18n';
import { formatPersonName } from './patients';

describe('roles', () => {
  it('shows patient identity and report files to radiologists only', () => {
    expect(can('radiologist', 'patient-identity')).toBe(true);
    expect(can('admin', 'patient-identity')).toBe(false);
    expect(can('viewer', 'patient-identity')).toBe(false);
    expect(can('viewer', 'download-report')).toBe(false);
  });

  it('gives a viewer no action and administration to admins only', () => {
    for (const capability of ['rerun', 'resend', 'view-images', 'admin-destinations', 'admin-users', 'audit'] as const) {
      expect(can('viewer', capability)).toBe(false);
    }
    expect(can('admin', 'admin-destinations')).toBe(true);
    expect(can('radiologist', 'admin-users')).toBe(false);
    expect(can(null, 'rerun')).toBe(false);
  });
});

describe('charts', () => {
  it('ticks at 1, 2 or 5 × 10^n up to at least the maximum', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it('scales bars to the top tick, bottom-aligned', () => {
    const { bars, ticks } = layoutBars([{ label: 'a', value: 4 }, { label: 'b', value: 8 }], 100, 80, 0);
    expect(ticks.at(-1)).toBe(8);
    expect(bars[1]).toMatchObject({ x: 50, y: 0, width: 50, height: 80 });
    expect(bars[0]).toMatchObject({ y: 40, height: 40 });
  });
});

describe('translations', () => {
  it('has every French message in English, French by default', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual(Object.keys(MESSAGES.fr).sort());
    for (const value of Object.values(MESSAGES.en)) expect(value.trim()).not.toBe('');
    expect(translator('fr')('jobs.count', { shown: 2, total: 5 })).toBe('2 sur 5 examens');
    expect(translator('en')('status.delivered')).toBe('Delivered');
  });

  it('formats DICOM person names', () => {
    expect(formatPersonName('SYNTHETIC^PHANTOM')).toBe('SYNTHETIC PHANTOM');
    expect(formatPersonName(null)).toBe('—');
  });
});
