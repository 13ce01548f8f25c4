/* global d3, document */
/**
 * The charts of a study report (`report.html`), run in the browser with d3 (inlined in the page).
 * It reads the study from the page's JSON block and draws, for every metric that varies:
 *   - compare: per variant, a bar at the mean with its 95% interval and every seed's value as a dot
 *     (the distribution), and below it each variant's paired difference to the baseline with its
 *     interval against a zero line — filled when the interval excludes zero;
 *   - sweep: the mean against the swept parameter (log axis for log ranges) with the 95% interval
 *     as a band, one line per variant (and per value of the other parameters).
 * Plain script, no modules, so the page works opened from disk. Numbers are formatted like the
 * Markdown report (study-format.ts), re-implemented here because this runs in the browser.
 */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('study-data').textContent);
  const colour = d3.scaleOrdinal(d3.schemeTableau10).domain(data.variants);
  const W = 360;
  const MARGIN = { top: 10, right: 24, bottom: 34, left: 70 };

  const UNITS = {
    duration: [['h', 3.6e9], ['m', 6e7], ['s', 1e6], ['ms', 1e3], ['us', 1]],
    bytes: [['GB', 1e9], ['MB', 1e6], ['kB', 1e3], ['B', 1]],
  };
  /** A number that was measured: JSON turns a mean of no values (NaN) into null. */
  const has = (x) => typeof x === 'number' && isFinite(x);
  function num(x) {
    if (!has(x)) return '–';
    return Math.abs(x) >= 1000 ? String(Math.round(x)) : String(Number(x.toPrecision(3)));
  }
  function fmt(x, unit) {
    if (!has(x)) return '–';
    if (!UNITS[unit] || x === 0) return num(x);
    const units = UNITS[unit];
    const u = units.find((entry) => Math.abs(x) >= entry[1]) || units[units.length - 1];
    return num(x / u[1]) + u[0];
  }
  const keyOf = (point) => JSON.stringify(point);
  const groupOf = (point, variant) => data.groups.find((g) => g.variant === variant && keyOf(g.point) === keyOf(point));
  const comparisonOf = (point, variant) => data.comparisons.find((c) => c.variant === variant && keyOf(c.point) === keyOf(point));

  function card(metric) {
    const div = d3.select('#charts').append('div').attr('class', 'card');
    const title = div.append('h3').text(metric.label);
    title.append('code').text(metric.name);
    return div;
  }
  /** The y axis's title: the metric in plain words and what its numbers count. */
  function yTitle(s, H, metric) {
    s.append('text').attr('class', 'axis-title').attr('transform', `translate(12,${(H - MARGIN.bottom + MARGIN.top) / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle').text(`${metric.label} (${metric.noun})`);
  }
  const seeds = (n) => `${n} seed${n === 1 ? '' : 's'}`;
  function svg(parent, height) {
    return parent.append('svg').attr('viewBox', `0 0 ${W} ${height}`).attr('width', W).attr('height', height);
  }
  /** Round ticks in the unit the axis is labelled in (10m, 20m rather than 8.33m, 16.7m). */
  function unitTicks(scale, unit, count) {
    const [lo, hi] = scale.domain();
    const units = UNITS[unit];
    if (!units) return scale.ticks(count);
    const top = Math.max(Math.abs(lo), Math.abs(hi));
    const factor = (units.find((entry) => top >= entry[1]) || units[units.length - 1])[1];
    return d3.ticks(lo / factor, hi / factor, count).map((v) => v * factor);
  }
  function yAxis(g, y, unit) {
    g.call(d3.axisLeft(y).tickValues(unitTicks(y, unit, 5)).tickFormat((v) => fmt(v, unit)));
  }
  /** Bars and differences start at zero; sweep lines zoom on their range, to show the trend. */
  function extent(values, withZero = true) {
    const finite = values.filter(has);
    let lo = d3.min(finite) ?? 0;
    let hi = d3.max(finite) ?? 1;
    if (withZero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)];
    return lo === hi ? [lo - Math.max(1, Math.abs(lo) * 0.1), hi + Math.max(1, Math.abs(hi) * 0.1)] : [lo, hi];
  }

  // ---------------------------------------------------------------------------------------------
  // compare: bars with intervals and per-seed dots; paired differences to the baseline

  function compareCard(metric) {
    const div = card(metric);
    const point = {};
    // A variant that never produced this metric (e.g. no checkpoints without a strategy) has no bar.
    const groups = data.variants.map((v) => groupOf(point, v)).filter((g) => g && g.stats[metric.name].n > 0);
    const H = 220;
    const s = svg(div, H);
    const values = groups.flatMap((g) => [g.stats[metric.name].low, g.stats[metric.name].high, ...g.samples[metric.name].map((p) => p[1])]);
    const x = d3.scaleBand().domain(groups.map((g) => g.variant)).range([MARGIN.left, W - MARGIN.right]).padding(0.35);
    const y = d3.scaleLinear().domain(extent(values)).nice().range([H - MARGIN.bottom, MARGIN.top]);
    s.append('g').attr('transform', `translate(0,${H - MARGIN.bottom})`).call(d3.axisBottom(x));
    yAxis(s.append('g').attr('transform', `translate(${MARGIN.left},0)`), y, metric.unit);
    yTitle(s, H, metric);
    for (const g of groups) {
      const e = g.stats[metric.name];
      const cx = x(g.variant) + x.bandwidth() / 2;
      s.append('rect').attr('class', 'bar').attr('x', x(g.variant)).attr('width', x.bandwidth())
        .attr('y', Math.min(y(e.mean), y(0))).attr('height', Math.abs(y(e.mean) - y(0))).attr('fill', colour(g.variant))
        .append('title').text(`${g.variant}: mean ${fmt(e.mean, metric.unit)} over ${seeds(e.n)}`);
      if (e.low !== null) {
        const w = s.append('g').attr('class', 'whisker');
        w.append('line').attr('x1', cx).attr('x2', cx).attr('y1', y(e.low)).attr('y2', y(e.high));
        for (const end of [e.low, e.high]) w.append('line').attr('x1', cx - 8).attr('x2', cx + 8).attr('y1', y(end)).attr('y2', y(end));
        w.append('title').text(`95% interval ${fmt(e.low, metric.unit)} to ${fmt(e.high, metric.unit)}`);
      }
      // Seeds spread across the bar in seed order: a deterministic jitter that shows the distribution.
      const samples = g.samples[metric.name];
      samples.forEach(([seed, value], i) => {
        const dx = samples.length > 1 ? (i / (samples.length - 1) - 0.5) * x.bandwidth() * 0.8 : 0;
        s.append('circle').attr('class', 'seed').attr('cx', cx + dx).attr('cy', y(value)).attr('r', 2.5)
          .append('title').text(`seed ${seed}: ${fmt(value, metric.unit)}`);
      });
    }
    const others = data.variants.filter((v) => v !== data.baseline && comparisonOf(point, v) && comparisonOf(point, v).diffs[metric.name].n > 0);
    if (others.length > 0) differenceChart(div, metric, others.map((v) => [v, comparisonOf(point, v).diffs[metric.name]]));
  }

  function differenceChart(div, metric, rows) {
    const H = 22 * rows.length + 40;
    const s = svg(div, H);
    // Room for the longest variant name left of the axis (about 6.5 px a character at 11 px).
    const left = Math.min(140, Math.max(MARGIN.left, 12 + 6.5 * d3.max(rows, ([v]) => v.length)));
    s.append('text').attr('class', 'caption').attr('x', 4).attr('y', 12).text(`difference to ${data.baseline} by seed, 95% CI (filled: excludes 0)`);
    const values = rows.flatMap(([, d]) => [d.low, d.high, d.mean]);
    const x = d3.scaleLinear().domain(extent(values)).nice().range([left, W - MARGIN.right]);
    const y = d3.scaleBand().domain(rows.map(([v]) => v)).range([20, H - 20]);
    s.append('g').attr('transform', `translate(0,${H - 20})`).call(d3.axisBottom(x).tickValues(unitTicks(x, metric.unit, 5)).tickFormat((v) => fmt(v, metric.unit)));
    s.append('line').attr('class', 'zero').attr('x1', x(0)).attr('x2', x(0)).attr('y1', 18).attr('y2', H - 20);
    for (const [variant, d] of rows) {
      const cy = y(variant) + y.bandwidth() / 2;
      s.append('text').attr('class', 'label').attr('x', left - 6).attr('y', cy + 4).attr('text-anchor', 'end').text(variant);
      if (d.low !== null) s.append('line').attr('class', 'interval').attr('x1', x(d.low)).attr('x2', x(d.high)).attr('y1', cy).attr('y2', cy).attr('stroke', colour(variant));
      s.append('circle').attr('cx', x(d.mean)).attr('cy', cy).attr('r', 4).attr('stroke', colour(variant))
        .attr('fill', d.significant ? colour(variant) : 'white')
        .append('title').text(`${variant} − ${data.baseline}: ${fmt(d.mean, metric.unit)}` +
          (d.low === null ? '' : ` [${fmt(d.low, metric.unit)}, ${fmt(d.high, metric.unit)}], p ${d.p < 0.001 ? '<0.001' : d.p.toFixed(3)}`) +
          (d.significant ? ' — significant' : ''));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // sweep: mean against the swept parameter, with the interval as a band

  function sweepCard(metric, param) {
    const div = card(metric);
    const H = 240;
    const s = svg(div, H);
    const others = data.params.filter((p) => p.path !== param.path);
    const series = seriesOf(param, others, metric);
    const numeric = param.scale !== 'category';
    const x = numeric
      ? (param.scale === 'log' ? d3.scaleLog() : d3.scaleLinear()).domain(d3.extent(param.values, (v) => v.x)).range([MARGIN.left, W - MARGIN.right])
      : d3.scalePoint().domain(param.values.map((v) => v.text)).range([MARGIN.left, W - MARGIN.right]).padding(0.3);
    const xOf = (v) => (numeric ? x(v.x) : x(v.text));
    const values = series.flatMap((line) => line.points.flatMap((p) => [p.e.low, p.e.high, p.e.mean]));
    const y = d3.scaleLinear().domain(extent(values, false)).nice().range([H - MARGIN.bottom, MARGIN.top]);
    const ticks = thin(param.values, 6);
    s.append('g').attr('transform', `translate(0,${H - MARGIN.bottom})`)
      .call(d3.axisBottom(x).tickValues(ticks.map((v) => (numeric ? v.x : v.text))).tickFormat((_, i) => ticks[i].text));
    s.append('text').attr('class', 'caption').attr('x', W - MARGIN.right).attr('y', H - 4).attr('text-anchor', 'end').text(param.path);
    yAxis(s.append('g').attr('transform', `translate(${MARGIN.left},0)`), y, metric.unit);
    yTitle(s, H, metric);
    for (const line of series) {
      const points = line.points.filter((p) => has(p.e.mean));
      const withBand = points.filter((p) => p.e.low !== null);
      s.append('path').attr('class', 'band').attr('fill', line.colour)
        .attr('d', d3.area().x((p) => xOf(p.value)).y0((p) => y(p.e.low)).y1((p) => y(p.e.high))(withBand));
      s.append('path').attr('class', 'line').attr('stroke', line.colour).attr('stroke-dasharray', line.dash)
        .attr('d', d3.line().x((p) => xOf(p.value)).y((p) => y(p.e.mean))(points));
      for (const p of points) {
        s.append('path').attr('transform', `translate(${xOf(p.value)},${y(p.e.mean)})`).attr('d', d3.symbol(line.symbol, 40)())
          .attr('fill', line.hollow ? 'none' : line.colour).attr('stroke', line.colour).attr('stroke-width', 1.5)
          .append('title').text(`${line.label}, ${param.path}=${p.value.text}: ${fmt(p.e.mean, metric.unit)}` +
            (p.e.low === null ? '' : ` [${fmt(p.e.low, metric.unit)}, ${fmt(p.e.high, metric.unit)}]`) + ` over ${seeds(p.e.n)}`);
      }
    }
  }

  const DASHES = ['', '6,3', '2,2', '9,3,2,3'];
  /** Per variant a marker and a dash, besides its colour: lines that coincide stay told apart. */
  const SYMBOLS = [d3.symbolCircle, d3.symbolSquare, d3.symbolTriangle, d3.symbolDiamond, d3.symbolCross, d3.symbolWye, d3.symbolStar];

  /** Every combination of the values of the parameters not on the x axis. */
  function restsOf(others) {
    let rests = [{}];
    for (const other of others) rests = rests.flatMap((rest) => other.values.map((v) => ({ ...rest, [other.path]: v.text })));
    return rests;
  }

  /**
   * One line per variant (colour and marker) and per combination of the other parameters' values
   * (dash; with no other parameter, the dash and a hollow marker tell the variants apart too — a
   * hollow marker drawn over a filled one at the same point leaves it visible).
   */
  function seriesOf(param, others, metric) {
    const rests = restsOf(others);
    return data.variants.flatMap((variant, v) =>
      rests.map((rest, r) => ({
        label: [variant, ...Object.entries(rest).map(([k, val]) => `${k}=${val}`)].join(' '),
        colour: colour(variant),
        symbol: SYMBOLS[v % SYMBOLS.length],
        hollow: v % 2 === 1,
        dash: DASHES[(rests.length > 1 ? r : v) % DASHES.length],
        points: param.values.map((value) => {
          const point = {};
          for (const p of data.params) point[p.path] = p.path === param.path ? value.text : rest[p.path];
          const g = groupOf(point, variant);
          return { value, e: g ? g.stats[metric.name] : { n: 0, mean: NaN, low: null, high: null } };
        }),
      })),
    );
  }

  function thin(values, most) {
    if (values.length <= most) return values;
    const step = Math.ceil((values.length - 1) / (most - 1));
    return values.filter((_, i) => i % step === 0 || i === values.length - 1);
  }

  // ---------------------------------------------------------------------------------------------

  function legend() {
    const ul = d3.select('#legend');
    data.variants.forEach((v, i) => {
      const li = ul.append('li');
      if (data.kind === 'compare' || data.params.length === 0) {
        li.append('span').attr('class', 'swatch').style('background', colour(v));
        li.append('span').text(v === data.baseline && data.variants.length > 1 ? `${v} (baseline)` : v);
        return;
      }
      const key = li.append('svg').attr('width', 34).attr('height', 12).style('margin-right', '6px');
      key.append('line').attr('x1', 0).attr('x2', 34).attr('y1', 6).attr('y2', 6).attr('stroke', colour(v)).attr('stroke-width', 2)
        .attr('stroke-dasharray', data.kind === 'sweep' && data.params.length === 1 ? DASHES[i % DASHES.length] : '');
      key.append('path').attr('transform', 'translate(17,6)').attr('d', d3.symbol(SYMBOLS[i % SYMBOLS.length], 40)())
        .attr('fill', i % 2 === 1 ? 'none' : colour(v)).attr('stroke', colour(v)).attr('stroke-width', 1.5);
      li.append('span').text(v === data.baseline && data.variants.length > 1 ? `${v} (baseline)` : v);
    });
  }

  /** Which dash stands for which values of the parameters off the x axis. */
  function dashLegend(others) {
    const ul = d3.select('#dashes');
    ul.selectAll('*').remove();
    if (others.length === 0) return;
    restsOf(others).forEach((rest, r) => {
      const li = ul.append('li');
      li.append('svg').attr('width', 28).attr('height', 10).append('line')
        .attr('x1', 0).attr('x2', 28).attr('y1', 5).attr('y2', 5).attr('class', 'line').attr('stroke', '#444').attr('stroke-dasharray', DASHES[r % DASHES.length]);
      li.append('span').text(Object.entries(rest).map(([k, v]) => `${k}=${v}`).join(' '));
    });
  }

  function draw() {
    d3.select('#charts').selectAll('*').remove();
    if (data.kind === 'compare' || data.params.length === 0) {
      for (const metric of data.metrics) compareCard(metric);
      return;
    }
    const chosen = data.params.length > 1 ? d3.select('#x-param').property('value') : data.params[0].path;
    const param = data.params.find((p) => p.path === chosen) || data.params[0];
    dashLegend(data.params.filter((p) => p !== param));
    for (const metric of data.metrics) sweepCard(metric, param);
  }

  legend();
  if (data.kind === 'sweep' && data.params.length > 1) {
    const select = d3.select('#controls').append('label').text('x axis: ').append('select').attr('id', 'x-param').on('change', draw);
    select.selectAll('option').data(data.params).join('option').attr('value', (p) => p.path).text((p) => p.path);
  }
  if (data.metrics.length === 0) d3.select('#charts').append('p').text('No metric varies between cells: every value is listed below.');
  draw();
})();
