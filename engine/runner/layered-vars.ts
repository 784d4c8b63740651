import type { SourceLocation } from '../errors.js';
import type { Vars, VarOrigins, VarsReader } from '../types.js';

export interface VarsLayer {
  readonly vars: Vars;
  readonly origins?: VarOrigins;
  /** Location for every key of this layer when origins has none (e.g. '-e'). */
  readonly where?: SourceLocation;
}

/** Precedence, lowest first: role defaults < inventory < play vars < role params < extra vars. */
export class LayeredVars implements VarsReader {
  constructor(private readonly layers: readonly VarsLayer[]) {}

  private top(key: string): VarsLayer | undefined {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (Object.prototype.hasOwnProperty.call(layer.vars, key)) return layer;
    }
    return undefined;
  }

  raw(key: string): unknown {
    return this.top(key)?.vars[key];
  }

  has(key: string): boolean {
    return this.top(key) !== undefined;
  }

  origin(key: string): SourceLocation | undefined {
    const layer = this.top(key);
    return layer ? (layer.origins?.[key] ?? layer.where) : undefined;
  }

  /** Every key visible through the layers, merged (for secret scanning). */
  merged(): Vars {
    return Object.assign({}, ...this.layers.map((l) => l.vars)) as Vars;
  }
}
