/**
 * Canonical resources by URL and version. Rules (deterministic, never reported): a later resource
 * replaces an earlier one only when url AND version are the same; otherwise the first one loaded
 * for a url answers unversioned lookups.
 */
export interface Canonical {
  url?: string;
  version?: string;
}

export class CanonicalIndex<T extends Canonical> {
  private readonly byUrl = new Map<string, T[]>();
  private readonly ordered: T[] = [];

  add(resource: T): void {
    const url = resource.url;
    if (!url) return;
    const list = this.byUrl.get(url);
    if (!list) {
      this.byUrl.set(url, [resource]);
      this.ordered.push(resource);
      return;
    }
    const same = list.findIndex((r) => r.version === resource.version);
    if (same === -1) {
      list.push(resource);
      this.ordered.push(resource);
    } else {
      this.ordered[this.ordered.indexOf(list[same])] = resource;
      list[same] = resource;
    }
  }

  /**
   * `url` or `url|version`. A version nobody loaded falls back to the first resource of that url
   * (packages often pin terminology versions that the base R4 files carry under other version ids).
   */
  get(canonical: string): T | undefined {
    const bar = canonical.indexOf('|');
    if (bar === -1) return this.byUrl.get(canonical)?.[0];
    const list = this.byUrl.get(canonical.slice(0, bar));
    if (!list) return undefined;
    const version = canonical.slice(bar + 1);
    return list.find((r) => r.version === version) ?? list.find((r) => !!r.version && r.version.startsWith(version + '.')) ?? list[0];
  }

  /** Every version loaded for a url, in load order. */
  versions(url: string): readonly T[] {
    return this.byUrl.get(url) ?? [];
  }

  all(): readonly T[] {
    return this.ordered;
  }

  replace(old: T, replacement: T): void {
    const list = this.byUrl.get(old.url!);
    if (list) {
      const i = list.indexOf(old);
      if (i !== -1) list[i] = replacement;
    }
    const j = this.ordered.indexOf(old);
    if (j !== -1) this.ordered[j] = replacement;
  }
}
