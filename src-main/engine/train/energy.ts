/**
 * Synaptic-operation (SOP) estimate of one forward pass, per sample.
 *
 *   SOPs = sum over weighted layers l (conv, linear) that receive spikes of
 *          sum(input activity of l) * fanOut(l)
 *
 * where the input activity is the sum of the layer's input values over all time steps (the
 * spike count for binary spikes; SEW additions and average pooling give the corresponding
 * fractional or multiple counts), and fanOut is the number of synapses one input drives:
 * Cout * k^2 / stride^2 for a k x k conv (exact away from the borders), the output width for
 * a linear layer. The first layer of a static-image model receives the analog image, not
 * spikes (direct encoding): its multiply-accumulates are not SOPs and are left out.
 * Energy in joules follows by multiplying with a per-SOP cost (e.g. 0.9 pJ on 45 nm,
 * Horowitz 2014), which we leave to the reader because it depends on the hardware.
 */
export class SopCounter {
  private perLayer = new Map<string, number>();
  private order: string[] = [];
  private samples = 0;

  constructor(private readonly skipFirstLayer: boolean) {}

  add(layerPath: string, inputActivity: number, fanOut: number): void {
    if (!this.perLayer.has(layerPath)) {
      this.order.push(layerPath);
      this.perLayer.set(layerPath, 0);
    }
    this.perLayer.set(layerPath, this.perLayer.get(layerPath)! + inputActivity * fanOut);
  }

  addSamples(n: number): void {
    this.samples += n;
  }

  /** SOPs per sample over all spiking layers. */
  perSample(): number {
    if (this.samples === 0) return 0;
    const layers = this.skipFirstLayer ? this.order.slice(1) : this.order;
    let total = 0;
    for (const l of layers) total += this.perLayer.get(l)!;
    return total / this.samples;
  }
}
