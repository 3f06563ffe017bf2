import { GOALS } from './goals';
import { asPrinted, fixed, type FigureRow, kb, verdict } from './report';
import type { BundleFigures, ColdStartFigures } from './sections/cold-start';

/**
 * Where a load time over the goal goes (`ratio`, the row's as printed): what its reference (the libraries, and the
 * SQS client for a job that loads it at init) takes by itself, what is left for the framework's own code, and how far
 * this run's noise moves a ratio: the floor measured against itself in the same rounds.
 */
function loadShares(c: ColdStartFigures, b: BundleFigures, ratio: number): string {
  const floor = c.sdkFloor;
  const libraries = c.librariesFloor;
  const reference = b.loadsQueueAtInit ? c.enqueuingFloor : libraries;
  if (!libraries || !reference) return '';
  const limit = GOALS.loadOverFloor;
  // `ratio` is the row's, as printed; the others are judged as printed too.
  const referenceRatio = asPrinted(reference.loadMs / floor.loadMs, 2);
  const noise = c.floorControl ? asPrinted(Math.abs(c.floorControl.loadMs / floor.loadMs - 1)) : 0;
  const over = asPrinted(ratio - limit);
  const what = b.loadsQueueAtInit
    ? 'the floor with the libraries and the SQS client, which this job loads at init as it enqueues another job on ' +
      'every run (the floor + libraries + SQS row),'
    : 'the floor with the libraries (the floor + libraries row)';
  const referenceOver = referenceRatio - limit > noise ? ", over the goal by itself by more than this run's noise" : '';
  const withinNoise = c.floorControl
    ? `; the floor against itself came out ${fixed(noise, 3)} from 1 in the same rounds, so this row's ` +
      `${fixed(over, 3)} over the goal is ${over <= noise ? 'within' : 'beyond'} this run's noise`
    : '';
  return (
    `; ${what} loads at ${fixed(referenceRatio)}× the floor by itself${referenceOver}; the framework's own code ` +
    `and the commands it sends (${kb(b.entryBytes - libraries.entryBytes)} more at init) take the other ` +
    `${fixed(ratio - referenceRatio)}×${withinNoise}`
  );
}

/** Section 4: every bundle at init and its load time, against the SDK floor measured in the same rounds. */
export function coldStartRows(c: ColdStartFigures): FigureRow[] {
  const floor = c.sdkFloor;
  const maxBytes = floor.entryBytes + GOALS.bundleBytesOverFloor;
  const librariesBytes = c.librariesFloor && c.librariesFloor.entryBytes - floor.entryBytes;
  // The measured reason a bundle over the goal cannot meet it: the required libraries alone are over.
  const why =
    librariesBytes === undefined
      ? ''
      : `; of the bytes over the floor, Powertools Logger and Metrics and zod/mini take ${kb(librariesBytes)} ` +
        `(the floor + libraries row)` +
        (librariesBytes > GOALS.bundleBytesOverFloor
          ? ', more than the goal allows a whole bundle: no bundle built on them can meet it'
          : '');
  // A load row is judged as printed, to three places, so its ratio and its verdict never disagree; one not measured
  // (NaN) is over.
  const loadRatio = (b: BundleFigures) => asPrinted(b.loadMs / floor.loadMs);
  const overLoadGoal = (b: BundleFigures) => !(loadRatio(b) <= GOALS.loadOverFloor);
  const rows = c.bundles.flatMap((b): FigureRow[] => [
    {
      section: '4',
      figure: `bundle ${b.job}`,
      ours: `${kb(b.entryBytes)} (gzip ${kb(b.entryGzipBytes)})`,
      baseline: '-',
      ratio: `+${kb(b.entryBytes - floor.entryBytes)} over floor`,
      goal: `≤ floor + ${kb(GOALS.bundleBytesOverFloor)} (${kb(maxBytes)})`,
      verdict: verdict(b.entryBytes <= maxBytes),
      how:
        `what loads at init: the entry file and the ${b.initFiles - 1} chunks it imports ` +
        `statically, in the synthesized asset, minified by esbuild (gzip: zlib, file by file); every ` +
        `file of the asset, lazily loaded chunks included: ${kb(b.totalBytes)}${b.entryBytes > maxBytes ? why : ''}`,
    },
    {
      section: '4',
      figure: `load ${b.job}`,
      ours: `${fixed(b.loadMs, 0)} ms (${fixed(b.loadRatio)}× empty)`,
      baseline: '-',
      // Three places, as the wall ratio: at two, a ratio a hair above the goal printed as the goal beside "NOT met".
      ratio: `${fixed(loadRatio(b), 3)}× floor`,
      goal: `≤ ${GOALS.loadOverFloor}× floor`,
      verdict: verdict(!overLoadGoal(b)),
      how:
        `mean of the faster half of ${c.runs} fresh \`node\` processes importing the bundle with its template ` +
        `environment, against ${fixed(floor.loadMs, 0)} ms for the floor and ${fixed(c.emptyModuleMs, 0)} ms ` +
        `for an empty module in the same rounds` +
        (overLoadGoal(b) ? loadShares(c, b, loadRatio(b)) : ''),
    },
  ]);
  // The references, measured in the same rounds: no goal of their own.
  const reference = (figure: string, ours: string, ratio: string, how: string): FigureRow => ({
    section: '4',
    figure,
    ours,
    baseline: '-',
    ratio,
    goal: '-',
    verdict: '',
    how,
  });
  rows.push(
    reference(
      'floor: DynamoDB + SES clients alone',
      `${kb(floor.entryBytes)}, ${fixed(floor.loadMs, 0)} ms`,
      `${fixed(floor.loadRatio)}× empty`,
      'bench/reference/sdk-clients.ts (the two clients send-email uses on every record, built and ' +
        'nothing else) bundled exactly like a function and loaded in the same rounds: what no code of ' +
        'ours can go below while the SDK is bundled',
    ),
  );
  const libraries = c.librariesFloor;
  if (libraries)
    rows.push(
      reference(
        'floor + Powertools Logger, Metrics, zod/mini',
        `${kb(libraries.entryBytes)}, ${fixed(libraries.loadMs, 0)} ms`,
        `+${kb(libraries.entryBytes - floor.entryBytes)} over floor`,
        'bench/reference/required-libraries.ts: the floor plus the libraries every job function is built on ' +
          `and uses on every record, bundled and loaded the same way (${fixed(libraries.loadMs / floor.loadMs)}× ` +
          "the floor's load); a bundle's bytes above this are the framework's own code and the commands it sends",
      ),
    );
  const control = c.floorControl;
  if (control)
    rows.push(
      reference(
        'floor against itself (control)',
        `${fixed(control.loadMs, 0)} ms`,
        `${fixed(control.loadMs / floor.loadMs, 3)}× floor`,
        'the floor bundle measured a second time, first in each round where the floor is last: the same ' +
          "code, so how far its ratio is from 1 is what this run's noise alone does to a load row",
      ),
    );
  const enqueuing = c.enqueuingFloor;
  if (enqueuing) {
    const jobs = c.bundles.filter((b) => b.loadsQueueAtInit).map((b) => b.job);
    rows.push(
      reference(
        'floor + libraries + SQS client',
        `${fixed(enqueuing.loadMs, 0)} ms`,
        `${fixed(enqueuing.loadMs / floor.loadMs)}× floor`,
        'bench/reference/enqueuing-libraries.ts: the floor + libraries reference, and the SQS client loaded at ' +
          'init as the runtime loads it for a job that enqueues another (in a chunk of its own, not awaited), ' +
          `measured the same way: the reference for ${jobs.join(', ')}`,
      ),
    );
  }
  return rows;
}
