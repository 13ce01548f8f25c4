/**
 * The layer fence (eslint.config.js, `no-restricted-imports` per folder) reports, in the editor, an
 * import of a folder the importing folder may never reach; these tests prove it, folder by folder:
 *
 * - each forbidden import, written in a file of that folder, is reported with the name of the rule
 *   it breaks (the same name test/architecture/import-graph.test.ts uses);
 * - `import type` and `export … from` are reported like a plain import (a type dependency is a
 *   dependency; the import-graph test counts it too);
 * - what the folder may import is not reported, at the same path.
 *
 * Dynamic `import('…')` is beyond `no-restricted-imports`; the import-graph test covers it.
 * Fixtures are linted with `lintText` and a `filePath` that does not exist, as in lint.test.ts.
 */
import test from 'ava';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root });
const RULE = 'no-restricted-imports';

async function layerFindings(code: string, filePath: string): Promise<{ messages: string[]; fatal: string[] }> {
  const [result] = await eslint.lintText(code, { filePath });
  return {
    messages: result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message),
    fatal: result.messages.filter((m) => m.ruleId === null).map((m) => m.message),
  };
}

/** A folder, a file in it, the rule governing it, and what it may and may not import. */
interface Layer {
  file: string;
  rule: string;
  forbidden: string[];
  allowed: string[];
}

const LAYERS: Layer[] = [
  {
    file: 'src/kernel/contract/fixture.ts',
    rule: 'contract stands alone',
    forbidden: ['../simulator.ts', '../../world/index.ts'],
    allowed: ['./time.ts'],
  },
  {
    file: 'src/kernel/fixture.ts',
    rule: 'kernel is the bottom layer',
    forbidden: ['../world/index.ts', '../scenario/index.ts', '../features/log/actors/index.ts', '../exec/run.ts'],
    allowed: ['./contract/index.ts', './simulator.ts'],
  },
  {
    file: 'src/world/fixture.ts',
    rule: 'world knows no protocol',
    forbidden: ['../features/log/actors/index.ts', '../faults/index.ts', '../scenario/index.ts'],
    allowed: ['../kernel/index.ts', '../deploy/index.ts', './disk.ts'],
  },
  {
    file: 'src/deploy/fixture.ts',
    rule: 'deployment is shared by simulator and emulator',
    forbidden: ['../world/index.ts', '../kernel/simulator.ts'],
    allowed: ['../kernel/contract/index.ts', './deployment.ts'],
  },
  {
    file: 'src/faults/fixture.ts',
    rule: 'faults act on the world',
    forbidden: ['../features/log/actors/index.ts', '../scenario/index.ts', '../check/index.ts'],
    allowed: ['../world/index.ts', '../kernel/index.ts'],
  },
  {
    file: 'src/features/lint-fixture/actors/actor.ts',
    rule: 'actors see only the contract',
    forbidden: [
      '../../../world/index.ts',
      '../../../scenario/index.ts',
      '../../../kernel/simulator.ts',
      '../../../kernel/index.ts',
      '../../../exec/run.ts',
      '../checks/fixture.ts',
      '../scenario/build.ts',
    ],
    allowed: ['../../../kernel/contract/index.ts', './messages.ts', '../shared/objective.ts', '../../log/actors/index.ts'],
  },
  {
    file: 'src/features/lint-fixture/actors/nested/deeper.ts',
    rule: 'actors see only the contract',
    forbidden: ['../../../../world/index.ts'],
    allowed: ['../../../../kernel/contract/index.ts', '../messages.ts'],
  },
  {
    file: 'src/features/lint-fixture/shared/fixture.ts',
    rule: 'feature shared code is pure',
    forbidden: ['../actors/index.ts', '../../../kernel/index.ts'],
    allowed: ['../../../kernel/contract/index.ts'],
  },
  {
    file: 'src/features/lint-fixture/checks/fixture.ts',
    rule: 'checkers read only the trace',
    forbidden: ['../actors/objective.ts', '../../log/actors/index.ts', '../../../world/index.ts', '../../../kernel/index.ts'],
    allowed: ['../../../kernel/contract/index.ts', '../../../check/checker.ts', '../shared/objective.ts', './helper.ts'],
  },
  {
    file: 'src/features/lint-fixture/metrics/fixture.ts',
    rule: 'metrics read only the trace',
    forbidden: ['../actors/index.ts', '../../../check/checker.ts', '../../../kernel/index.ts'],
    allowed: ['../../../kernel/contract/index.ts', '../../../metrics/metric.ts'],
  },
  {
    file: 'src/features/lint-fixture/scenario/build.ts',
    rule: 'a feature plugs in like a plug-in',
    forbidden: ['../../../exec/run.ts', '../../../report/summary-markdown.ts', '../../../cli/main.ts'],
    allowed: ['../../../scenario/index.ts', '../../../world/index.ts', '../actors/index.ts'],
  },
  {
    file: 'src/check/fixture.ts',
    rule: 'checker machinery names no feature',
    forbidden: ['../features/log/actors/index.ts', '../world/index.ts', '../scenario/index.ts'],
    allowed: ['../kernel/contract/index.ts', './checker.ts'],
  },
  {
    file: 'src/metrics/fixture.ts',
    rule: 'metric machinery names no feature',
    forbidden: ['../features/log/actors/index.ts', '../check/checker.ts'],
    allowed: ['../kernel/contract/index.ts', './metric.ts'],
  },
  {
    file: 'src/scenario/fixture.ts',
    rule: 'scenario never runs anything',
    forbidden: ['../exec/run.ts', '../report/summary-markdown.ts', '../cli/main.ts'],
    allowed: ['../world/index.ts', '../faults/index.ts', '../features/log/index.ts', './units.ts'],
  },
  {
    file: 'src/scenario/faults/fixture.ts',
    rule: 'scenario never runs anything',
    forbidden: ['../../exec/run.ts'],
    allowed: ['../../faults/index.ts', '../units.ts'],
  },
  {
    file: 'src/exec/fixture.ts',
    rule: 'exec runs, report presents',
    forbidden: ['../report/summary-markdown.ts', '../cli/main.ts'],
    allowed: ['../scenario/index.ts', '../kernel/index.ts'],
  },
  {
    file: 'src/report/timeline/fixture.ts',
    rule: 'report reads results',
    forbidden: ['../../../viz/draw/marks.ts', '../../../viz/ui/app.ts', '../../exec/run.ts', '../../features/log/actors/index.ts'],
    allowed: ['../../../viz/wire/wire.ts', '../../check/checker.ts', '../../metrics/metric.ts'],
  },
  {
    file: 'viz/wire/fixture.ts',
    rule: 'viz wire format is shared',
    forbidden: ['../model/model.ts', '../ui/app.ts', '../../src/kernel/contract/index.ts'],
    allowed: ['./wire.ts'],
  },
  {
    file: 'viz/model/fixture.ts',
    rule: 'viz model is pure',
    forbidden: ['../draw/marks.ts', '../panels/panels.ts'],
    allowed: ['../wire/wire.ts', './lanes.ts'],
  },
  {
    file: 'viz/draw/fixture.ts',
    rule: 'viz drawing is below panels and UI',
    forbidden: ['../panels/panels.ts', '../ui/view.ts'],
    allowed: ['../model/model.ts', '../wire/wire.ts'],
  },
  {
    file: 'viz/panels/fixture.ts',
    rule: 'viz panels compose drawing',
    forbidden: ['../ui/view.ts', '../../src/report/timeline.ts'],
    allowed: ['../draw/marks.ts', '../model/model.ts'],
  },
  {
    file: 'viz/ui/fixture.ts',
    rule: 'viz UI is the top of the page',
    forbidden: ['../../src/kernel/contract/index.ts'],
    allowed: ['../panels/panels.ts', '../draw/marks.ts', './view.ts'],
  },
];

for (const layer of LAYERS) {
  for (const spec of layer.forbidden) {
    test(`${layer.file}: import from '${spec}' is reported as "${layer.rule}"`, async (t) => {
      const { messages, fatal } = await layerFindings(`import { x } from '${spec}';\nexport const y = x;`, layer.file);
      t.deepEqual(fatal, [], 'the fixture must parse');
      t.is(messages.length, 1, JSON.stringify(messages));
      t.true(messages[0]?.includes(`"${layer.rule}": `), messages[0]);
    });
  }

  test(`${layer.file}: what "${layer.rule}" allows is not reported`, async (t) => {
    const code = layer.allowed.map((spec, i) => `import { x${i} } from '${spec}';\nexport const y${i} = x${i};`).join('\n');
    const { messages, fatal } = await layerFindings(code, layer.file);
    t.deepEqual(fatal, []);
    t.deepEqual(messages, []);
  });
}

test('a type-only import and a re-export are reported like an import', async (t) => {
  const file = 'src/features/lint-fixture/actors/actor.ts';
  for (const code of [
    "import type { World } from '../../../world/index.ts';\nexport type W = World;",
    "import { type World } from '../../../world/index.ts';\nexport type W = World;",
    "export { World } from '../../../world/index.ts';",
    "export * from '../../../scenario/index.ts';",
  ]) {
    const { messages, fatal } = await layerFindings(code, file);
    t.deepEqual(fatal, [], code);
    t.is(messages.length, 1, code);
    t.true(messages[0]?.includes('"actors see only the contract": '), code);
  }
});

test('the runners above the layers are not fenced: cli/ may import anything in src/', async (t) => {
  const code = ["import { a } from '../exec/run.ts';", "import { b } from '../report/summary-markdown.ts';", "import { c } from '../kernel/simulator.ts';", 'export const all = [a, b, c];'].join('\n');
  const { messages, fatal } = await layerFindings(code, 'src/cli/fixture.ts');
  t.deepEqual(fatal, []);
  t.deepEqual(messages, []);
});
