/**
 * Fault label packing (pure): labels share a row only when they do not touch, a label with no free
 * row cuts the one before it short (or hides it), and nothing runs past the right edge.
 */
import test from 'ava';
import { packLabels } from '../../viz/draw/fault-labels.ts';

test('labels far apart stay in the first row at full width', (t) => {
  t.deepEqual(packLabels([{ x: 0, width: 50 }, { x: 100, width: 50 }], 2), [{ row: 0, width: 50 }, { row: 0, width: 50 }]);
});

test('a label that would touch the one before goes to the next row', (t) => {
  t.deepEqual(packLabels([{ x: 0, width: 150 }, { x: 100, width: 150 }, { x: 200, width: 50 }], 2, Infinity, 6), [
    { row: 0, width: 150 }, { row: 1, width: 150 }, { row: 0, width: 50 },
  ]);
});

test('with every row taken, the earliest-ending row\'s last label is cut short, or hidden when too short', (t) => {
  const placed = packLabels([{ x: 0, width: 300 }, { x: 10, width: 300 }, { x: 100, width: 80 }], 2, Infinity, 6, 24);
  t.deepEqual(placed, [{ row: 0, width: 94 }, { row: 1, width: 300 }, { row: 0, width: 80 }]);
  const crowded = packLabels([{ x: 0, width: 300 }, { x: 5, width: 300 }, { x: 20, width: 80 }], 2, Infinity, 6, 24);
  t.is(crowded[0].width, 0);
});

test('no placed label crosses another in its row, nor the right edge', (t) => {
  const boxes = Array.from({ length: 40 }, (_, i) => ({ x: (i * 37) % 400 + i, width: 40 + ((i * 53) % 120) })).sort((a, b) => a.x - b.x);
  const placed = packLabels(boxes, 2, 450);
  for (let i = 0; i < boxes.length; i++) {
    if (placed[i].width === 0) continue;
    t.true(boxes[i].x + placed[i].width <= 450);
    for (let j = i + 1; j < boxes.length; j++) {
      if (placed[j].width === 0 || placed[j].row !== placed[i].row) continue;
      t.true(boxes[i].x + placed[i].width < boxes[j].x || boxes[j].x + placed[j].width < boxes[i].x, `labels ${i} and ${j} overlap`);
    }
  }
});
