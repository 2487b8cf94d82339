import { checkNewType, presentTypes, PALETTE } from './entityTypes';

describe('entity types as the studio presents them', () => {
  const time = { type: 'TIME', colour: '#00ff88', shortcut: '4', custom: true, guideline: { version: 2, body: 'dates', createdAt: 1, createdBy: 'root' } };

  it('gives model types a colour and key by position, custom types their own', () => {
    const t = presentTypes(['PER', 'LOC', 'ORG', 'TIME'], [time]);
    expect(t.map((x) => [x.type, x.colour, x.shortcut, x.custom])).toEqual([
      ['PER', PALETTE[0], '1', false], ['LOC', PALETTE[1], '2', false], ['ORG', PALETTE[2], '3', false], ['TIME', '#00ff88', '4', true],
    ]);
    expect(t[3].guideline).toEqual(time.guideline);
    // a custom type holding "1" takes it from the type at position 1
    expect(presentTypes(['PER', 'TIME'], [{ ...time, shortcut: '1' }]).map((x) => x.shortcut)).toEqual([null, '1']);
  });

  it('refuses a malformed type, colour, key or guideline, a type already there and a key in use, with codes', () => {
    const current = presentTypes(['PER', 'LOC'], []);
    const ok = { type: 'TIME', colour: '#00ff88', shortcut: '4', guideline: 'dates and times' };
    expect(() => checkNewType(ok, ['PER', 'LOC'], current)).not.toThrow();
    const code = (f: () => void) => { try { f(); return 'none'; } catch (e) { return (e as { code: string }).code; } };
    expect(code(() => checkNewType({ ...ok, type: 'time' }, ['PER'], current))).toBe('VALIDATION_FAILED');
    expect(code(() => checkNewType({ ...ok, colour: 'green' }, ['PER'], current))).toBe('VALIDATION_FAILED');
    expect(code(() => checkNewType({ ...ok, shortcut: '0' }, ['PER'], current))).toBe('VALIDATION_FAILED');
    expect(code(() => checkNewType({ ...ok, guideline: ' ' }, ['PER'], current))).toBe('VALIDATION_FAILED');
    expect(code(() => checkNewType({ ...ok, type: 'LOC' }, ['PER', 'LOC'], current))).toBe('TYPE_EXISTS');
    expect(code(() => checkNewType({ ...ok, shortcut: '2' }, ['PER', 'LOC'], current))).toBe('TYPE_SHORTCUT_TAKEN');
  });
});
