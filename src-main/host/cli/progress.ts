import { energyMicrojoules } from '../../engine/train/energy';
import type { TrainEvent } from '../../engine/train/events';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '--');
const count = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : '--');

/**
 * Training progress for a terminal: one redrawn line with a bar on a TTY, plain lines
 * (about ten per epoch) otherwise, and one summary line per epoch in both cases.
 */
export class ProgressPrinter {
  private epochs = 0;
  private lastPlainStep = -1;
  private lineOpen = false;

  constructor(
    private readonly out:
      NodeJS.WriteStream | { write(s: string): boolean; isTTY?: boolean; columns?: number },
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  handle(e: TrainEvent): void {
    switch (e.type) {
      case 'started':
        this.epochs = e.epochs;
        this.println(
          `training ${e.parameters.total.toLocaleString('en')} parameters (${e.parameters.glif.toLocaleString('en')} GLIF in ${e.parameters.glifLayers} ${e.parameters.glifLayers === 1 ? 'layer' : 'layers'}) ${e.neuronImpl === 'torch' ? `on the torch engine (${e.threads} ${e.threads === 1 ? 'process' : 'processes'})` : `on ${e.backend} with the ${e.neuronImpl} GLIF neuron`}: ` +
            `${e.trainSize} train / ${e.testSize} test samples, ${e.stepsPerEpoch} steps per epoch` +
            (e.startEpoch > 0 ? `, resuming at epoch ${e.startEpoch + 1}` : ''),
        );
        return;
      case 'step': {
        const text =
          `epoch ${e.epoch + 1}/${this.epochs} step ${e.stepInEpoch + 1}/${e.stepsPerEpoch} ` +
          `loss ${e.loss.toFixed(4)} acc ${pct(e.accuracy)} ${e.samplesPerSecond.toFixed(1)} samples/s ETA ${formatDuration(e.etaSeconds)}`;
        if (this.tty) {
          const frac = (e.stepInEpoch + 1) / e.stepsPerEpoch;
          const width = 20;
          const filled = Math.round(frac * width);
          const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
          const line = `${bar} ${text}`;
          const cols = (this.out as { columns?: number }).columns ?? 120;
          this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
          this.lineOpen = true;
        } else {
          const every = Math.max(1, Math.floor(e.stepsPerEpoch / 10));
          if (
            e.stepInEpoch === 0 ||
            (e.stepInEpoch + 1) % every === 0 ||
            e.stepInEpoch + 1 === e.stepsPerEpoch
          ) {
            if (e.step !== this.lastPlainStep) this.println(text);
            this.lastPlainStep = e.step;
          }
        }
        return;
      }
      case 'epoch':
        this.println(
          `epoch ${e.epoch + 1}/${this.epochs} done in ${formatDuration(e.seconds)}: train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)}, ` +
            `test loss ${e.testLoss.toFixed(4)} acc ${pct(e.testAccuracy)}, ` +
            `${count(e.sopsPerSample)} SOPs + ${count(e.macsPerSample)} MACs/sample ` +
            `(${energyMicrojoules({ sops: e.sopsPerSample, macs: e.macsPerSample }).toPrecision(3)} µJ at 45 nm)`,
        );
        return;
      case 'log':
        this.println(`${e.level === 'warn' ? 'warning: ' : ''}${e.message}`);
        return;
      case 'checkpoint':
        return;
    }
  }

  println(text: string): void {
    if (this.lineOpen) this.out.write('\r\x1b[K');
    this.lineOpen = false;
    this.out.write(text + '\n');
  }
}
