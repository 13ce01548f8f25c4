/**
 * What the study reports read: a study's spec and its cells, as `exec/` writes them to
 * `sweep.json` and `results.jsonl`. Declared here (the fields the reports use, nothing more) so that
 * `report/` depends on data, not on the code that produced it.
 */

export interface ParamView {
  path: string;
  values: { text: string; x: number | null }[];
  kind: string;
  scale: 'linear' | 'log' | 'category';
}

export interface StudySpecView {
  kind: 'sweep' | 'compare';
  scenario: { name: string; sha256: string };
  version: string;
  /** `path=value`, each path spelt one way (exec normalises them), so one field's sets have the same text before `=`. */
  sets: string[];
  variants: { name: string; sets: string[] }[];
  baseline: string;
  params: ParamView[];
  seeds: number[];
}

export interface CellView {
  index: number;
  cell: string;
  variant: string;
  params: Record<string, string>;
  seed: number;
  status: 'pass' | 'fail' | 'error';
  traceHash?: string;
  events?: number;
  checks?: Record<string, boolean>;
  values?: Record<string, number>;
  /** `skipped`: not run, its scenario cannot be built (`--skip-invalid`). */
  error?: { kind: string; message: string; skipped?: true };
  wallTimeMs: number;
}

export interface StudyView {
  id: string;
  /** The scenario file as given on the command line. */
  file: string;
  spec: StudySpecView;
  /** Every cell, in cell order. */
  cells: CellView[];
  /**
   * The report's directory as the study named it (relative to where it ran, like `file`), so a
   * cell's command writes its timeline beside the report; without it, commands write `cells/<i>`.
   */
  dir?: string;
}
