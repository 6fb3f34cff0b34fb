import { toOutputJson } from '../../../contract/json-numbers';
import type { NeuronProbeResult, ProbeChannelParams, ProbeChannelTrace } from '../../../contract/probe';
import { initBackend, parseBackendName } from '../../../engine/backend';
import { ConfigError } from '../../../engine/config/validate';
import { ProbeError } from '../../../engine/probe/neurons';
import { probeRun } from '../../../engine/probe/probe-run';
import { CheckpointError } from '../../../engine/train/checkpoint';
import { probeSource, ProbeSourceError } from '../../../runs/probe-source';
import { parseCliArgs } from '../args';
import type { CliCommand } from '../command';
import { CliError } from '../errors';
import { openReader } from '../store-access';
import { fmtNum, formatTable } from '../table';

const HELP = `Usage: glif probe <run-id> --layer <path> --channel <c>[,<c>...] --sample <i>[,<i>...] [options]

What GLIF neurons of a run did on test samples, step by step, from the run's newest checkpoint
(eval mode): the input current I[t], the membrane u[t] (charged, before the reset) against the
channel's learned V_th and V_re, the spikes S[t], and the channel's effective gates and
primitives. For a conv layer the channel's most active neuron is shown (ties: the first in
row-major order), with the mean I, mean u and the fraction spiking over the whole channel.

  --layer <path>      a GLIF layer's dotted path (an unknown one lists them all)
  --channel <list>    channel indices, comma-separated
  --sample <list>     test-split sample indices, comma-separated
  --json              the whole result as JSON
  --db <path>         the run database (default: the desktop app's)
  --backend <name>    force a TensorFlow.js backend`;

function indexList(flag: string, value: string | undefined): number[] {
  if (value === undefined || value.trim() === '') throw new CliError(`${flag} is required\n${HELP}`);
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 0)
      throw new CliError(`${flag}: expected non-negative integers separated by commas, got '${value}'`);
    return n;
  });
}

const fmtGate = (v: number | null) => (v === null ? '-' : fmtNum(v));

function paramsLine(p: ProbeChannelParams): string {
  return (
    `alpha ${fmtGate(p.alpha)}  beta ${fmtGate(p.beta)}  gamma ${fmtGate(p.gamma)}  ` +
    `tau_exp ${fmtNum(p.tauExp)}  tau_lin ${fmtNum(p.tauLin)}  V_th ${fmtNum(p.vth)}  V_re ${fmtNum(p.vre)}`
  );
}

function traceTable(tr: ProbeChannelTrace, p: ProbeChannelParams): string {
  const rows = tr.membrane.map((u, t) => [
    String(t),
    fmtNum(tr.current[t]),
    fmtNum(u),
    tr.spikes[t] ? '1' : '0',
    fmtNum(p.conduct[t]),
    fmtNum(tr.meanCurrent[t]),
    fmtNum(tr.meanMembrane[t]),
    fmtNum(tr.spikeFraction[t]),
  ]);
  return formatTable(['t', 'I[t]', 'u[t]', 'S[t]', 'g[t]', 'mean I', 'mean u', 'spiking'], rows);
}

function report(runId: string, epoch: number, r: NeuronProbeResult): string {
  const out = [
    `run ${runId}, checkpoint of epoch ${epoch + 1}: layer ${r.layer} (${r.variant}${r.layerwise ? ', layer-wise' : ''}, T=${r.timeSteps})`,
  ];
  for (const s of r.samples) {
    const verdict = s.predicted === s.label ? 'correct' : 'wrong';
    out.push('', `sample ${s.index}: label ${s.labelName}, predicted ${s.predictedName} (${verdict})`);
    s.traces.forEach((tr, k) => {
      const p = r.params[k];
      const where = tr.position ? `neuron (${tr.position[0]}, ${tr.position[1]}) of ${tr.neurons}` : 'dense';
      out.push('', `channel ${tr.channel}: ${where}; ${paramsLine(p)}`, traceTable(tr, p));
    });
  }
  return out.join('\n');
}

export const probeCommand: CliCommand = {
  summary: "a GLIF layer's neurons over time on test samples, from a run's checkpoint",
  async run(args) {
    const parsed = parseCliArgs(
      args,
      {
        allowPositionals: true,
        options: {
          layer: { type: 'string' },
          channel: { type: 'string' },
          sample: { type: 'string' },
          json: { type: 'boolean' },
          db: { type: 'string' },
          backend: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      },
      HELP,
    );
    const o = parsed.values;
    const runId = parsed.positionals[0];
    if (o.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (!runId) throw new CliError(`a run id is required\n${HELP}`);
    if (parsed.positionals.length > 1) throw new CliError(`one run id, got ${parsed.positionals.join(' ')}`);
    if (!o.layer) throw new CliError(`--layer is required\n${HELP}`);
    const channels = indexList('--channel', o.channel);
    const samples = indexList('--sample', o.sample);
    let backendName;
    try {
      backendName = o.backend === undefined ? undefined : parseBackendName(o.backend, '--backend');
    } catch (err) {
      throw new CliError((err as Error).message);
    }

    const { reader } = openReader(o.db);
    let source;
    try {
      source = probeSource(reader, runId);
    } catch (err) {
      if (err instanceof ProbeSourceError || err instanceof ConfigError) throw new CliError(err.message);
      throw err;
    } finally {
      reader.close();
    }
    const backend = await initBackend(backendName ? { only: backendName } : {});
    let result: NeuronProbeResult;
    try {
      result = await probeRun({
        config: source.config,
        checkpoint: source.checkpoint,
        target: { layer: o.layer, channels, samples },
        backend: backend.active,
      });
    } catch (err) {
      if (err instanceof ProbeError) throw new CliError(err.message);
      if (err instanceof CheckpointError) throw new CliError(err.message, 1);
      throw err;
    }
    const { epoch, sha256, path } = source.checkpoint;
    process.stdout.write(
      (o.json
        ? toOutputJson({ runId, checkpoint: { epoch, sha256, path }, ...result })
        : report(runId, epoch, result)) + '\n',
    );
    return 0;
  },
};
