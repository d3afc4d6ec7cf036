import { saveBlueprintYaml } from "../core/blueprint/save.js";
import type { Blueprint } from "../core/blueprint/schema.js";
import { contentHash } from "../core/risk/approval.js";

/** A blueprint that was shown to the caller valid: by plan_migration or validate_blueprint. */
export interface ShelvedBlueprint {
  /** `sha256:…` of the blueprint's canonical JSON, as the store and the executor compute it. */
  hash: string;
  blueprint: Blueprint;
  /** The blueprint as YAML, as it was shown. */
  yaml: string;
  /** Which tool showed it. */
  shown_by: "plan_migration" | "validate_blueprint";
  shown_at: string;
}

/**
 * The blueprints a surface has shown valid, by content hash. `run_migration` runs only what is
 * here (or already stored by an earlier run), so an assistant cannot run anything other than what
 * was validated and shown: the hash names the exact content.
 *
 * Kept in memory, shared by every session of one server: showing a blueprint changes nothing in the
 * system, and a restart only means validating it again. At most `limit` are kept (oldest go first).
 */
export class BlueprintShelf {
  private readonly items = new Map<string, ShelvedBlueprint>();

  constructor(private readonly limit = 500) {}

  /** Keeps a valid blueprint and returns its hash. */
  keep(blueprint: Blueprint, shownBy: ShelvedBlueprint["shown_by"], at = new Date()): ShelvedBlueprint {
    const hash = contentHash(blueprint);
    this.items.delete(hash);
    const item = {
      hash,
      blueprint,
      yaml: saveBlueprintYaml(blueprint),
      shown_by: shownBy,
      shown_at: at.toISOString(),
    };
    this.items.set(hash, item);
    while (this.items.size > this.limit) {
      const oldest = this.items.keys().next().value;
      if (oldest === undefined) break;
      this.items.delete(oldest);
    }
    return item;
  }

  /** The blueprint with this hash (`sha256:…` or the bare hex). */
  get(hash: string): ShelvedBlueprint | undefined {
    return this.items.get(normalizeHash(hash));
  }

  /** Newest first. */
  list(): ShelvedBlueprint[] {
    return [...this.items.values()].reverse();
  }
}

/** `sha256:<hex>` from either spelling, lower-cased. */
export function normalizeHash(hash: string): string {
  const text = hash.trim().toLowerCase();
  return text.startsWith("sha256:") ? text : `sha256:${text}`;
}
