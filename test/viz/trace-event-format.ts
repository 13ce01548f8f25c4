/**
 * The rules of the Chrome trace event format (the JSON Perfetto and chrome://tracing load) that
 * a writer can break, checked over a whole file: each phase's required fields and types, async
 * spans (`b`/`e`, in file order) and flows (`s`/`f`) that end only after they began, counters with numeric
 * values, and metadata events with the arguments their names require. Returns the problems found.
 */
export interface TraceEvent {
  ph: string;
  name?: string;
  cat?: string;
  ts?: number;
  dur?: number;
  pid?: number;
  tid?: number;
  id?: number | string;
  s?: string;
  bp?: string;
  args?: Record<string, unknown>;
}

const METADATA_ARGS: Record<string, string> = { process_name: 'name', thread_name: 'name', process_sort_index: 'sort_index', thread_sort_index: 'sort_index' };
const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

export function traceEventProblems(file: { traceEvents?: unknown; displayTimeUnit?: unknown }): string[] {
  const problems: string[] = [];
  if (!Array.isArray(file.traceEvents)) return ['traceEvents is not an array'];
  if (file.displayTimeUnit !== undefined && file.displayTimeUnit !== 'ms' && file.displayTimeUnit !== 'ns') problems.push(`displayTimeUnit ${String(file.displayTimeUnit)}`);
  const asyncOpen = new Map<string, number>();
  const flowStart = new Map<string, number>();
  (file.traceEvents as TraceEvent[]).forEach((e, i) => {
    const where = `event ${i} (${e.ph} ${e.name ?? ''})`;
    if (typeof e.name !== 'string' || e.name === '') problems.push(`${where}: no name`);
    if (!isInt(e.pid)) problems.push(`${where}: pid is not an integer`);
    if (e.ph !== 'M' && !isTime(e.ts)) problems.push(`${where}: ts is not a time`);
    switch (e.ph) {
      case 'X':
        if (!isInt(e.tid)) problems.push(`${where}: no tid`);
        if (!isTime(e.dur)) problems.push(`${where}: dur is not a duration`);
        break;
      case 'i':
      case 'I':
        if (e.s !== undefined && !['g', 'p', 't'].includes(e.s)) problems.push(`${where}: scope ${e.s}`);
        if ((e.s ?? 't') === 't' && !isInt(e.tid)) problems.push(`${where}: a thread instant without tid`);
        break;
      case 'b':
      case 'e': {
        if (e.id === undefined || typeof e.cat !== 'string') problems.push(`${where}: async event without id and cat`);
        const key = `${e.pid}|${e.cat}|${e.id}|${e.name}`;
        if (e.ph === 'b') {
          if (asyncOpen.has(key)) problems.push(`${where}: async span ${key} begins again before it ended`);
          asyncOpen.set(key, e.ts!);
          break;
        }
        const begun = asyncOpen.get(key);
        if (begun === undefined) problems.push(`${where}: async span ${key} ends without a begin`);
        else if (begun > e.ts!) problems.push(`${where}: async span ${key} ends at ${e.ts} before it begins at ${begun}`);
        asyncOpen.delete(key);
        break;
      }
      case 's':
      case 'f':
        if (e.id === undefined || !isInt(e.tid)) problems.push(`${where}: flow without id or tid`);
        if (e.ph === 's') flowStart.set(String(e.id), e.ts!);
        else if (e.bp !== undefined && e.bp !== 'e') problems.push(`${where}: binding point ${e.bp}`);
        break;
      case 'C':
        if (e.args === undefined || Object.keys(e.args).length === 0 || !Object.values(e.args).every((v) => typeof v === 'number' && Number.isFinite(v))) problems.push(`${where}: counter without numeric args`);
        break;
      case 'M': {
        const arg = METADATA_ARGS[e.name ?? ''];
        if (arg === undefined) problems.push(`${where}: unknown metadata`);
        else if (e.args?.[arg] === undefined) problems.push(`${where}: metadata without ${arg}`);
        break;
      }
      default:
        problems.push(`${where}: phase ${e.ph} not written by this exporter`);
    }
  });
  for (const key of asyncOpen.keys()) problems.push(`async span ${key} never ends`);
  for (const e of (file.traceEvents as TraceEvent[]).filter((x) => x.ph === 'f')) {
    const start = flowStart.get(String(e.id));
    if (start === undefined || start > e.ts!) problems.push(`flow ${e.id} ends without an earlier start`);
  }
  return problems;
}
