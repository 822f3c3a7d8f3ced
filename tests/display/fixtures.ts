// A generator that hands out copies of given models, for the display tests: its evaluation is a
// real one (accuracies, distances, reference) on the synthetic zoo, and cheap.
import type { WeightGenerator, WeightSet, ZooInput } from 'weightlab/internal';

export class CopyGenerator implements WeightGenerator {
  readonly family = 'baseline' as const;
  readonly mini = false;
  readonly fitSeconds = 0;
  readonly parameterCount = 0;
  constructor(
    readonly name: string,
    private readonly models: WeightSet[],
  ) {}
  async fit(_zoo: ZooInput): Promise<this> {
    return this;
  }
  async sample(n: number): Promise<WeightSet[]> {
    return Array.from({ length: n }, (_, i) => this.models[i % this.models.length]);
  }
}
