/**
 * The deployment: placement order is kept (it is the actors' kernel order), a node lists its own
 * actors, an id is placed once; a world's deployment is exactly what it spawned, and a spawn the
 * simulator refuses leaves no entry behind.
 */
import test from 'ava';
import { Deployment } from '../../src/deploy/index.ts';
import { TraceWriter } from '../../src/kernel/index.ts';
import { World } from '../../src/world/index.ts';

const idle = () => ({});

test('entries keep their order; a node lists its own; an id is placed once', (t) => {
  const deployment = new Deployment();
  deployment.add({ id: 'b', node: 'n1', site: 's', factory: idle });
  deployment.add({ id: 'a', node: 'n2', site: 's', factory: idle });
  deployment.add({ id: 'c', node: 'n1', site: 's', factory: idle });
  t.deepEqual(deployment.actors().map((a) => a.id), ['b', 'a', 'c']);
  t.deepEqual(deployment.on('n1').map((a) => a.id), ['b', 'c']);
  t.deepEqual(deployment.on('elsewhere'), []);
  t.is(deployment.get('a').node, 'n2');
  t.throws(() => deployment.add({ id: 'a', node: 'n1', site: 's', factory: idle }), { message: /actor id a is already taken/ });
  t.throws(() => deployment.get('z'), { message: /no actor named z/ });
});

test("a world's deployment is what it spawned, in the trace header's order, with the sites of the nodes", (t) => {
  const trace = new TraceWriter();
  let header: Record<string, unknown> | undefined;
  trace.listen((record) => void (record.k === 'meta' && (header = record)));
  const world = new World({ seed: 1, trace });
  world.addSite('edge', { nodes: 2 });
  world.addSite('core');
  world.spawn('w2', 'edge-2', idle);
  world.spawn('m', 'core-1', idle);
  world.spawn('w1', 'edge-1', idle);
  t.throws(() => world.spawn('world', 'core-1', idle), { message: /already taken/ });
  t.throws(() => world.spawn('m', 'edge-1', idle), { message: /already taken/ });
  t.deepEqual(world.deployment.actors().map(({ id, node, site }) => ({ id, node, site })), [
    { id: 'w2', node: 'edge-2', site: 'edge' },
    { id: 'm', node: 'core-1', site: 'core' },
    { id: 'w1', node: 'edge-1', site: 'edge' },
  ]);
  t.false(world.has('world'));
  t.is(world.nodeOf('w1'), 'edge-1');
  world.run({ until: 0 });
  t.deepEqual(header?.actors, world.deployment.actors().map(({ id, node, site }) => ({ id, node, site })));
});
