// Execution-segment math: how N k6 runners split one test, exactly as the k6-operator splits it
// (grafana/k6-operator pkg/segmentation): runner i of n gets `--execution-segment=(i-1)/n:i/n`
// and every runner gets the same sequence `0,1/n,...,(n-1)/n,1`. The ends are written "0" and
// "1" and the fractions are not reduced (2/4 stays 2/4), so local and cluster runs are the same
// arguments, byte for byte.

export interface RunnerSegment {
  /** 1-based, the operator's `instance_id`. */
  instance: number;
  /** e.g. "1/3:2/3" */
  segment: string;
  /** e.g. "0,1/3,2/3,1" */
  sequence: string;
}

function segmentPoint(index: number, total: number): string {
  if (index === 0) return '0';
  if (index === total) return '1';
  return `${index}/${total}`;
}

function checkParallelism(parallelism: number): void {
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new RangeError(`parallelism must be a whole number >= 1, got ${parallelism}`);
  }
}

/** The segment of runner `instance` (1..parallelism). */
export function runnerSegment(instance: number, parallelism: number): RunnerSegment {
  checkParallelism(parallelism);
  if (!Number.isInteger(instance) || instance < 1 || instance > parallelism) {
    throw new RangeError(`instance must be a whole number in 1..${parallelism}, got ${instance}`);
  }
  const points = Array.from({ length: parallelism + 1 }, (_, i) => segmentPoint(i, parallelism));
  return {
    instance,
    segment: `${points[instance - 1]}:${points[instance]}`,
    sequence: points.join(','),
  };
}

/** Every runner's segment, runner 1 first. */
export function runnerSegments(parallelism: number): RunnerSegment[] {
  checkParallelism(parallelism);
  return Array.from({ length: parallelism }, (_, i) => runnerSegment(i + 1, parallelism));
}

/** The k6 CLI arguments for a segment (k6 takes these on the command line only). */
export function segmentArgs(segment: RunnerSegment): string[] {
  return [`--execution-segment=${segment.segment}`, `--execution-segment-sequence=${segment.sequence}`];
}
