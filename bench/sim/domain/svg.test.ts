import { learningCurveSvg, niceTicks, xmlEscape } from './svg';

/**
 * A small well-formedness check: one root element, every tag closed in order, attributes quoted,
 * no raw "&" or "<" in text. Returns the element names in document order.
 */
function parseXml(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < xml.length && (m = re.exec(xml))) {
    pos = re.lastIndex;
    const [, close, name, , selfClose, text] = m;
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`unescaped & in ${JSON.stringify(text)}`);
      if (stack.length === 0 && text.trim()) throw new Error(`text outside the root: ${JSON.stringify(text)}`);
      continue;
    }
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
      continue;
    }
    if (stack.length === 0 && names.length > 0) throw new Error('more than one root element');
    names.push(name);
    if (!selfClose) stack.push(name);
  }
  if (pos !== xml.length) throw new Error(`unparseable at ${pos}: ${xml.slice(pos, pos + 40)}`);
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return names;
}

describe('learningCurveSvg', () => {
  const plot = {
    title: 'F1 <vs> labels & "budget"',
    subtitle: 'pool cluener',
    xLabel: 'labelled documents',
    yLabel: 'F1 (%)',
    series: [
      { name: 'random', points: [{ x: 0, y: 0.43 }, { x: 50, y: 0.45, yStd: 0.01 }, { x: 100, y: 0.47, yStd: 0.01 }] },
      { name: 'hybrid', points: [{ x: 0, y: 0.43 }, { x: 50, y: 0.5 }, { x: 100, y: 0.55 }] },
      { name: 'empty', points: [] },
    ],
  };
  const svg = learningCurveSvg(plot);

  it('is well-formed XML with an <svg> root in the SVG namespace', () => {
    const names = parseXml(svg.trim());
    expect(names[0]).toBe('svg');
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  });

  it('draws one polyline per series with points, a ±std band where std > 0, and a legend entry per series', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<polygon /g)).toHaveLength(1);
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    for (const name of ['random', 'hybrid', 'empty']) expect(legend).toContain(`>${name}</text>`);
  });

  it('escapes text', () => {
    expect(svg).toContain('F1 &lt;vs&gt; labels &amp; &quot;budget&quot;');
  });

  it('places points inside the plot area, higher F1 higher up', () => {
    const hybrid = svg.slice(svg.indexOf('data-name="hybrid"'));
    const pts = /<polyline points="([^"]+)"/.exec(hybrid)![1].split(' ').map((p) => p.split(',').map(Number));
    expect(pts).toHaveLength(3);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(64);
      expect(x).toBeLessThanOrEqual(760 - 170);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(460 - 52);
    }
    expect(pts[0][0]).toBeLessThan(pts[2][0]);
    expect(pts[2][1]).toBeLessThan(pts[0][1]);
  });

  it('renders a plot without any points', () => {
    expect(parseXml(learningCurveSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [] }).trim())[0]).toBe('svg');
  });
});

describe('niceTicks', () => {
  it('uses 1-2-5 steps covering the range', () => {
    expect(niceTicks(0, 250, 5)).toEqual([0, 50, 100, 150, 200, 250]);
    const ticks = niceTicks(0.4, 0.56, 6);
    expect(ticks).toHaveLength(4);
    [0.4, 0.45, 0.5, 0.55].forEach((v, i) => expect(ticks[i]).toBeCloseTo(v, 12));
    expect(niceTicks(0.5, 0.5)).toEqual([0.5]);
  });

  it('escapes all five XML specials', () => {
    expect(xmlEscape(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
});
