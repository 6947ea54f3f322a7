// Summarise the samples collected by bench/run.sh.
//
// Usage: node --import tsx bench/report.ts SAMPLES_FILE [BASELINE_NAME]
//
// SAMPLES_FILE is tab-separated, one line per event, in target order:
//   target <TAB> name                      (declares a target, fixes row order)
//   sample <TAB> name <TAB> round <TAB> requests_per_sec <TAB> errors
//   skip   <TAB> name <TAB> reason
//   fail   <TAB> name <TAB> reason
// Lines starting with "#" are copied to the output as header lines.
//
// Prints a table: median req/s per target, its ratio to the baseline target
// (default "node:http", so node:http = 1.00), and the individual samples.
import { readFileSync } from "node:fs";

interface Target {
  name: string;
  samples: number[];
  errors: number;
  note: string | undefined;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function parse(text: string): { header: string[]; targets: Target[] } {
  const header: string[] = [];
  const byName = new Map<string, Target>();
  const get = (name: string): Target => {
    let t = byName.get(name);
    if (t === undefined) {
      t = { name, samples: [], errors: 0, note: undefined };
      byName.set(name, t);
    }
    return t;
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    if (line.startsWith("#")) {
      header.push(line.replace(/^#\s?/, ""));
      continue;
    }
    const [kind, name, ...rest] = line.split("\t");
    if (name === undefined) throw new Error(`bad samples line: ${line}`);
    const t = get(name);
    if (kind === "target") {
      continue; // declaration only: fixes the row order
    } else if (kind === "sample") {
      const rps = Number(rest[1]);
      const errors = Number(rest[2] ?? "0");
      if (!Number.isFinite(rps)) throw new Error(`bad req/s in: ${line}`);
      t.samples.push(rps);
      t.errors += Number.isFinite(errors) ? errors : 0;
    } else if (kind === "skip" || kind === "fail") {
      t.note = `${kind === "skip" ? "skipped" : "FAILED"}: ${rest.join(" ")}`;
    } else {
      throw new Error(`unknown line kind ${JSON.stringify(kind)}: ${line}`);
    }
  }
  return { header, targets: [...byName.values()] };
}

function fmt(n: number, digits: number): string {
  return Number.isFinite(n)
    ? n.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : "-";
}

function render(header: string[], targets: Target[], baselineName: string): string {
  const baseline = targets.find((t) => t.name === baselineName);
  const base = baseline !== undefined ? median(baseline.samples) : Number.NaN;
  const rows: string[][] = [
    ["target", "median req/s", `vs ${baselineName}`, "errors", "samples (req/s)"],
  ];
  const notes: string[] = [];
  for (const t of targets) {
    if (t.samples.length === 0) {
      rows.push([t.name, "-", "-", "-", t.note ?? "no samples"]);
      continue;
    }
    const m = median(t.samples);
    rows.push([
      t.name,
      fmt(m, 0),
      Number.isFinite(base) && base > 0 ? fmt(m / base, 2) : "-",
      String(t.errors),
      t.samples.map((s) => fmt(s, 0)).join("  "),
    ]);
    if (t.note !== undefined) notes.push(`${t.name}: ${t.note}`);
    if (t.errors > 0) {
      notes.push(
        `${t.name}: wrk reported ${t.errors} socket errors / non-2xx responses; its req/s is suspect`,
      );
    }
  }
  if (baseline === undefined || baseline.samples.length === 0) {
    notes.push(`baseline ${baselineName} has no samples; ratios not computed`);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const numeric = new Set([1, 2, 3]);
  const lines = rows.map((r) =>
    r
      .map((cell, i) =>
        i === r.length - 1
          ? cell
          : numeric.has(i)
            ? cell.padStart(widths[i]!)
            : cell.padEnd(widths[i]!),
      )
      .join("   ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("   "));
  return [...header, "", ...lines, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}

const [file, baselineName = "node:http"] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: node --import tsx bench/report.ts SAMPLES_FILE [BASELINE_NAME]");
  process.exit(2);
}
const { header, targets } = parse(readFileSync(file, "utf8"));
console.log(render(header, targets, baselineName));
