/**
 * A corpus of broken inputs as an outsider writes them — scenario files (test/fixtures/broken/
 * scenarios), command lines, traces (test/fixtures/broken/traces) and sweep directories
 * (…/sweeps, and a sweep killed mid-way) — each
 * given to the `diaspora` command: one readable line on stderr that names the file (and the
 * line and field when it has them), exit code 2, no stack trace, nothing on stdout that judges.
 *
 * Most cases call the command in this process (test/fuzz/harness.ts: the function bin/diaspora.mjs
 * runs, from source), one after another: a start of the real command costs ≈ 0.45 s of CPU to print
 * one line, a call here a few milliseconds. The cases marked `process` run the real command in a
 * child process in test/fixtures/broken, as a user does, a few at a time: at least one per command
 * and group, so the bundle's start, its exit code and its streams are seen for each; and the
 * plug-in and emulation cases, which the bundle does differently (it registers tsx for plug-ins;
 * emulated nodes are threads of their own).
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../fuzz/harness.ts';
import { diaspora, type Outcome, ROOT } from './cli.ts';

const BROKEN = join(ROOT, 'test/fixtures/broken');
const DEMO = join(ROOT, 'scenarios/beamline-store.yaml');
const BIN = fileURLToPath(new URL('../../bin/diaspora.mjs', import.meta.url));
const SCRATCH = mkdtempSync(join(tmpdir(), 'diaspora-broken-'));
test.after.always(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** A file where a directory is expected, and a directory where a file is. */
const A_FILE = join(SCRATCH, 'a-file');
writeFileSync(A_FILE, 'not a directory\n');
/** A web site's own folder: `lab --export` must not overwrite its page. */
const A_SITE = join(SCRATCH, 'a-site');
mkdirSync(A_SITE);
writeFileSync(join(A_SITE, 'index.html'), '<p>my page</p>\n');
const A_DIR = join(SCRATCH, 'a-dir.yaml');
mkdirSync(A_DIR);
/** A named pipe nothing writes to: opening it to read waits for a writer, forever. */
const A_FIFO = join(SCRATCH, 'a-fifo.yaml');
execFileSync('mkfifo', [A_FIFO]);

/**
 * [arguments (paths relative to test/fixtures/broken), the one line expected on stderr, and
 * `process` to run it as a child process rather than in this one].
 */
type Case = [string[], RegExp, 'process'?];

const SCENARIOS: Case[] = [
  [['run', 'scenarios/recursive-alias.yaml'], /^scenarios\/recursive-alias\.yaml:1 YAML: the alias \*a is inside its own anchor &a/, 'process'],
  [['run', 'scenarios/deep-nesting.yaml'], /^scenarios\/deep-nesting\.yaml:\d+ YAML: nested more than 100 levels deep/],
  [['run', 'scenarios/deep-block.yaml'], /^scenarios\/deep-block\.yaml:\d+ YAML: nested more than 100 levels deep/],
  [['run', 'scenarios/complex-key.yaml'], /^scenarios\/complex-key\.yaml:3 YAML: a key must be a name, not a list or map$/],
  [['run', 'scenarios/proto-site.yaml'], /^scenarios\/proto-site\.yaml:8 YAML: "__proto__" cannot be a key/],
  [['run', 'scenarios/bom-crlf-typo.yaml'], /^scenarios\/bom-crlf-typo\.yaml:18 links\[0\]\.lantency: unknown field "lantency"; did you mean "latency"\?$/],
  // Tags: a YAML 1.1 one (!!binary, !!timestamp, !!set) makes bytes, a date or a set no field takes; an unknown one is dropped by the parser.
  [['run', 'scenarios/binary-tag.yaml'], /^scenarios\/binary-tag\.yaml:3 YAML: the tag !!binary makes a value no scenario field takes; remove the tag$/],
  [['run', 'scenarios/binary-document.yaml'], /^scenarios\/binary-document\.yaml:1 YAML: the tag !!binary makes a value no scenario field takes; remove the tag$/],
  [['run', 'scenarios/custom-tag.yaml'], /^scenarios\/custom-tag\.yaml:2 YAML: unknown tag !seconds; remove it \(scenario values carry no tags\)$/],
  // A Kafka property's dots are part of its name: as nested maps (or a --set path) its first word is an unknown field.
  [['run', 'scenarios/dotted-key-nested.yaml'], /^scenarios\/dotted-key-nested\.yaml:13 services\.stream\.replication: unknown field "replication"; did you mean "replication\.factor"\? Its dots are part of the name: replication\.factor: 3 in the file, services\.stream\["replication\.factor"\]=3 in --set$/],
  // Red before: "the file is empty" (the YAML parser ends lines at LF only: one comment line).
  [['run', 'scenarios/cr-line-ends.yaml'], /^scenarios\/cr-line-ends\.yaml:1 a line ends with a carriage return alone \(classic Mac line ends\); save the file with LF \(or CRLF\) line ends$/],
  [['run', 'scenarios/tab-indent.yaml'], /^scenarios\/tab-indent\.yaml:12 YAML: tabs cannot indent YAML; use spaces/],
  [['run', 'scenarios/unit-typo.yaml'], /^scenarios\/unit-typo\.yaml:4 duration: expected a duration like "5ms", got "10 ss" \(units: us, ms, s, m or min, h — lower-case, right after the number\)$/, 'process'],
  [['run', 'scenarios/unit-overflow.yaml'], /^scenarios\/unit-overflow\.yaml:4 duration: expected a duration like "5ms", got "1e999s" \(write the digits out: an exponent like 1e9 is not read\)$/],
  [['run', 'scenarios/name-too-long.yaml'], /^scenarios\/name-too-long\.yaml:1 name: a scenario name is at most 100 characters/],
  [['run', 'scenarios/binary.yaml'], /^scenarios\/binary\.yaml:1 a NUL byte: this is not a text file$/],
  [['run', 'scenarios/plugin-missing.yaml'], /^scenarios\/plugin-missing\.yaml:4 plugins\[0\]: no such file$/, 'process'],
  [['run', 'scenarios/plugin-directory.yaml'], /^scenarios\/plugin-directory\.yaml:4 plugins\[0\]: a directory; name the plug-in's module file/, 'process'],
  [['run', 'scenarios/plugin-throws.yaml'], /^scenarios\/plugin-throws\.yaml:4 plugins\[0\]: cannot be loaded: the plug-in failed to start \(line 2 of the plug-in\)$/, 'process'],
  [['run', 'scenarios/plugin-syntax.yaml'], /^scenarios\/plugin-syntax\.yaml:4 plugins\[0\]: cannot be loaded: Unexpected token/, 'process'],
  // Red before: Node's `Unknown file extension ".yaml" for …`, the file's absolute path again.
  [['run', 'scenarios/plugin-scenario.yaml'], /^scenarios\/plugin-scenario\.yaml:4 plugins\[0\]: a scenario file, not a plug-in module \(a \.ts, \.mts, \.js or \.mjs file exporting defineFeature\(\{ … \}\)\)$/, 'process'],
  [['run', 'scenarios/plugin-wrong-export.yaml'], /^scenarios\/plugin-wrong-export\.yaml:4 plugins\[0\]: its default export must be a feature/, 'process'],
  // Red before: "a .cjs file, not a plug-in module (a .ts, .mts, .js or .mjs file …)", as if any file; Node would import it, and its require of diaspora-sim would fail.
  [['run', 'scenarios/plugin-commonjs.yaml'], /^scenarios\/plugin-commonjs\.yaml:4 plugins\[0\]: a CommonJS module \(\.cjs\), not a plug-in module: it could not import diaspora-sim, an ES module; write it as one \(\.mjs\)$/, 'process'],
  // A typo inside a map that is one shape of a union (a duration or { mean, distribution, cv }).
  [['run', 'scenarios/service-map-typo.yaml'], /^scenarios\/service-map-typo\.yaml:106 pipeline\.operators\.reconstruct\.service\.distribution: unknown value "lognorml"; did you mean "lognormal"\?$/],
  // A log producer's buffer.memory and max.block.ms: a typo'd unit, zero, below batch.size, a negative wait.
  [['run', 'scenarios/producer-buffer-memory.yaml'], /^scenarios\/producer-buffer-memory\.yaml:21 workload\.detector\["buffer\.memory"\]: expected a size like "8MiB", got "32 MiBs"$/],
  [['run', 'scenarios/producer-buffer-memory.yaml', '--set', 'workload.detector["buffer.memory"]=0'], /^--set workload\.detector\["buffer\.memory"\]=0 workload\.detector\["buffer\.memory"\]: must be more than zero, got 0$/],
  [['run', 'scenarios/producer-buffer-memory.yaml', '--set', 'workload.detector["buffer.memory"]=8KiB'], /^--set workload\.detector\["buffer\.memory"\]=8KiB workload\.detector\["buffer\.memory"\]: buffer\.memory \(8KiB\) must be at least batch\.size \(16KiB\)/],
  [['run', 'scenarios/producer-buffer-memory.yaml', '--set', 'workload.detector["buffer.memory"]=32MiB', '--set', 'workload.detector["max.block.ms"]=-5'], /^--set workload\.detector\["max\.block\.ms"\]=-5 workload\.detector\["max\.block\.ms"\]: expected a duration like "500ms" or a number of milliseconds, got -5$/],
  // Two sites no link joins: found when the first message has no way (messages are not routed), not a crash.
  [['run', 'scenarios/quiesce-in-ms.yaml'], /^scenarios\/quiesce-in-ms\.yaml:14 quiesce: 2000ms is too short for the final read/],
  // A count YAML reads as a number but nobody reads as one (red before: ran; nodes=1e6 ran a million-node site).
  [['run', 'scenarios/count-exponent.yaml'], /^scenarios\/count-exponent\.yaml:22 sites\.hpc\.nodes: a whole number is written in digits: 2, not 2e0$/],
  [['run', 'scenarios/no-link.yaml'], /^scenarios\/no-link\.yaml:3 links: no link between sites beamline and hpc, but beamline-1 sends to hpc-1; add \{ between: \[beamline, hpc\], latency: … \}$/],
  [['emulate', 'scenarios/no-link.yaml', '--speed', '10', '--out', join(SCRATCH, 'no-link-emulated')], /^scenarios\/no-link\.yaml:3 links: no link between sites beamline and hpc, but beamline-1 sends to hpc-1/, 'process'],
  [['run', A_DIR], /a-dir\.yaml: is a directory, not a scenario file$/],
  // Red before: hung (no writer: the open never returned).
  [['run', A_FIFO], /a-fifo\.yaml: a named pipe nothing writes to \(no writer came in 1 s\); start the program that writes it first, or give a file$/],
  [['run', 'scenarios/no-such.yaml'], /^scenarios\/no-such\.yaml: no such file$/],
  // A device never ends: read whole, it would fill the memory.
  [['run', '/dev/zero'], /^\/dev\/zero: a device or socket, not a scenario file$/],
];

const FLAGS: Case[] = [
  [['compare', DEMO, '--strategies', 'a,b', '--seeds', '1', '--seeds', '2'], /^--seeds: given 2 times \(1, 2\); give it once$/, 'process'],
  [['run', DEMO, '--out', 'a', '--out', 'b'], /^--out: given 2 times \(a, b\); give it once$/],
  [['run', DEMO, '--set'], /^--set: needs a value \(see diaspora run --help\)$/, 'process'],
  [['sweep', DEMO, '--param'], /^--param: needs a value/, 'process'],
  [['run', DEMO, '--trace=maybe'], /^--trace=maybe: --trace is a switch; give it alone, or =true \/ =false$/],
  // A switch on and off: yargs let the last win, silently (red before: ran, and wrote no trace).
  [['run', DEMO, '--trace', '--no-trace'], /^--trace --no-trace: the switch is turned both on and off; give one of them$/],
  [['run', DEMO, '--no-viz', '--trace', '--viz=true'], /^--no-viz --viz=true: the switch is turned both on and off; give one of them$/],
  [['viz', 'traces/valid.jsonl', '--force=false', '--force', '-o', join(SCRATCH, 'forced.html')], /^--force=false --force: the switch is turned both on and off; give one of them$/],
  [['run', DEMO, '-q', '--no-quiet'], /^-q --no-quiet: the switch is turned both on and off; give one of them$/],
  [['run', DEMO, '--set', 'seed=!!binary AQ=='], /^--set seed=!!binary AQ==: YAML: the tag !!binary makes a value no scenario field takes; remove the tag$/],
  [['run', DEMO, '--set', 'checks=&a [*a]'], /^--set checks=&a \[\*a\]: cannot use the alias/],
  // An entry named __proto__ of a map of names set the copy's prototype: the set vanished and the run went on (red before: exit 1, judged).
  [['run', DEMO, '--set', 'sites.__proto__={role: hpc}'], /^--set sites\.__proto__=\{role: hpc\} sites\.__proto__: "__proto__" cannot be a name; choose another$/],
  // The same key inside a value's map was dropped by the parser (red before: the run went on, judged, without the site).
  [['run', DEMO, '--set', 'sites={hpc: {role: hpc, nodes: 2}, __proto__: {role: hpc}}'], /^--set sites=\{hpc: \{role: hpc, nodes: 2\}, __proto__: \{role: hpc\}\}: YAML: "__proto__" cannot be a key; choose another name$/],
  [['run', DEMO, '--set', 'sevices.store.flush=1s'], /^--set sevices\.store\.flush=1s sevices: unknown field "sevices"; did you mean "services"\?$/],
  [['compare', DEMO, '--strategies', 'a,b', '--seeds', '1..'], /^--seeds 1\.\.: /],
  [['compare', DEMO, '--strategies', 'a,b', '--seeds', '0'], /^--seeds 0: asks for no seeds/],
  [['compare', DEMO, '--strategies', 'a,b', '--seeds', '-1..3'], /^--seeds -1\.\.3: a value starting with "-" reads as flags; write --seeds=-1\.\.3$/],
  [['run', DEMO, '--workers', '-1'], /^--workers -1: expected a whole number of worker threads/],
  // Flags of a run the command does not make were ignored (red before: ran in one thread, exit 1; --check-determinism --json printed nothing, exit 0).
  [['run', DEMO, '--partition-by', 'hpc'], /^--partition-by hpc: applies only with --workers N \(a run split over worker threads\); add --workers, or leave --partition-by out$/],
  [['run', DEMO, '--check-determinism', '--json'], /^--json: does not apply with --check-determinism, which runs the scenario twice in this thread/],
  [['run', DEMO, '--check-determinism', '--workers', '2'], /^--workers: does not apply with --check-determinism/],
  // A partitioning the world refuses names the flags (red before: "partition group 1: …", no flag).
  [['run', DEMO, '--workers', '2', '--partition-by', 'beamline,mars;hpc', '--out', join(SCRATCH, 'mars')], /^--workers 2 --partition-by beamline,mars;hpc: partition group 1: mars is neither a site nor a node$/],
  // A --set value the world's build refuses is placed at the --set (red before: at the file's line, which holds another value: "beamline-store.yaml:14 quiesce: 1s …" where line 14 says 10s).
  [['run', DEMO, '--set', 'quiesce=1s', '--out', join(SCRATCH, 'quiesce')], /^--set quiesce=1s quiesce: 1s is too short for the final read/],
  [['run', DEMO, '--set', 'links=[]', '--out', join(SCRATCH, 'no-links')], /^--set links=\[\] links: no link between sites beamline and hpc/],
  // A value quoted as the user wrote it, not as the program spells it (red before: "0s would end …" of 0ms, "0us is too short" of 0s).
  [['run', DEMO, '--set', 'faults[0]={kind: disk-full, targets: [hpc-1], at: 20s, for: 0ms}'], /^--set faults\[0\]=.* faults\[0\]\.for: 0ms would end a disk-full as it begins \(no fault at all\); only a crash restarts at once — give a positive duration$/],
  [['run', DEMO, '--set', 'quiesce=0s', '--out', join(SCRATCH, 'quiesce-0')], /^--set quiesce=0s quiesce: 0s is too short for the final read/],
  [['run', DEMO, '--set', 'sites.hpc.nodes=1e6'], /^--set sites\.hpc\.nodes=1e6 sites\.hpc\.nodes: a whole number is written in digits: 1000000, not 1e6$/],
  [['run', DEMO, '--set', 'sites={beamline: {role: instrument, nodes: 1}, hpc: {role: hpc, nodes: 0x2}}'], /^--set sites=.* sites\.hpc\.nodes: a whole number is written in digits: 2, not 0x2$/],
  [['run', DEMO, '--set', 'seed=-0'], /^--set seed=-0 seed: a whole number is written in digits: 0, not -0$/],
  // A set holding a line break (red before: the message, quoting it as typed, spanned two lines).
  [['run', DEMO, '--set', 'name=a\nb'], /^--set "name=a\\nb" name: a scenario name uses lower-case letters, digits and "-"; got "a b"$/],
  // A size that is what something is made of: an event, an alert, an update, a segment (red before: ran, judged, with 0-byte events).
  [['run', DEMO, '--set', 'workload.detector.size=0B'], /^--set workload\.detector\.size=0B workload\.detector\.size: must be more than zero, got "0B"$/],
  [['run', join(ROOT, 'scenarios/drills/log-acks1-leader-crash.yaml'), '--set', 'services.stream["segment.bytes"]=0'], /^--set \S+ services\.stream\["segment\.bytes"\]: must be more than zero, got 0$/],
  [['run', DEMO, '--sed', '1'], /^--sed: unknown flag; did you mean --seed\? \(see diaspora run --help\)$/],
  [['run', DEMO, '--seeds', '3'], /^--seeds: unknown flag; did you mean --seed\? \(see diaspora run --help\)$/],
  // Another command's flag (red before: the --set hint, "a scenario field is set with --set <path>=x", or nothing).
  [['run', DEMO, '--metrics', 'x'], /^--metrics: unknown flag; --metrics is a flag of diaspora compare, not of run \(see diaspora run --help\)$/],
  [['compare', DEMO, '--shard', '1/2'], /^--shard: unknown flag; --shard is a flag of diaspora sweep, not of compare \(see diaspora compare --help\)$/],
  [['run', DEMO, '-j', '2'], /^-j: unknown flag; -j is a flag of diaspora compare and sweep, not of run \(see diaspora run --help\)$/],
  [['viz', 'traces/valid.jsonl', '--set', 'a=1'], /^--set: unknown flag; --set is a flag of diaspora run, emulate, compare and sweep, not of viz \(see diaspora viz --help\)$/, 'process'],
  [['check', 'traces/valid.jsonl', '--maxEvents=5'], /^--maxEvents: unknown flag; --maxEvents is a flag of diaspora run, emulate, compare and sweep, not of check/],
  // Standard input and an empty name where a file goes (red before: ": no such file", and viz an internal error).
  [['run', '-'], /^-: diaspora does not read standard input; name a file/],
  [['viz', '-'], /^-: diaspora does not read standard input; name a file/, 'process'],
  [['viz', 'traces/valid.jsonl', '-', '-o', join(SCRATCH, 'stdin.html')], /^-: diaspora does not read standard input/],
  [['check', ''], /^"" \(argument 2\): an empty name where a file or directory goes$/, 'process'],
  [['run', DEMO, '--seed', ''], /^--seed \(nothing\): a seed is a whole number/],
  [['run', DEMO, DEMO], /^unexpected argument "\S*beamline-store\.yaml" \(see diaspora run --help\)$/],
  [['run'], /^<scenario> missing: diaspora run <scenario> \(see diaspora run --help\)$/],
  [['frobnicate'], /^unknown command "frobnicate"; the commands are: run, .*schema \(see diaspora --help\)$/, 'process'],
  [['rnu', DEMO], /^unknown command "rnu"; did you mean "run"\? \(see diaspora --help\)$/],
  [['run', DEMO, '--out', A_FILE], /a-file is a file, not a directory/],
  [['run', DEMO, '--out', join(A_FILE, 'x')], /a-file is a file, so nothing can be written below it$/],
  // A Kafka emulation's option without --kafka (red before: emulated without Kafka clients, exit 1, judged).
  [['emulate', DEMO, '--kafka-service', 'store', '--speed', '100', '-d', '1s', '--out', join(SCRATCH, 'no-kafka')], /^--kafka-service: applies only with --kafka \(serving a log service to real Kafka clients\); add --kafka, or leave --kafka-service out$/],
  [['lab', '--port', '99999'], /^--port 99999: expected a port number from 0 to 65535$/, 'process'],
  // A host that is not this machine's (red before: an internal error with a stack, exit 3), or empty, which node reads as every interface (red before: served to the network).
  [['lab', '--host', '192.0.2.1', '--port', '0'], /^--host 192\.0\.2\.1: not an address of this machine; give one of its own like 127\.0\.0\.1 \(0\.0\.0\.0: every interface\)$/, 'process'],
  [['lab', '--host', '', '--port', '0'], /^--host: an empty address; give one like 127\.0\.0\.1 \(0\.0\.0\.0 listens on every interface\)$/],
  [['lab', '--port', 'abc'], /^--port abc: expected a port number from 0 to 65535$/],
  // Serving options with --export, which serves nothing (red before: ignored, the page written, exit 0); an empty --export's label (was "--export : …").
  [['lab', '--export', join(SCRATCH, 'lab-port'), '--port', '5000'], /^--port 5000: is for serving the lab, and with --export the lab is written as a page, not served; leave it out, or run lab again to serve it$/],
  [['lab', '--export', join(SCRATCH, 'lab-host'), '--host', '0.0.0.0'], /^--host 0\.0\.0\.0: is for serving the lab/],
  [['lab', '--export', ''], /^--export: an empty path; give a path to write$/],
  // An empty -o wrote the gallery into the working directory (red before: index.html and runs/ here, exit 0).
  [['gallery', '-o', '', '--only', 'beamline-store'], /^-o: an empty path; give a path to write$/],
  [['lab', '--export', A_FILE], /^--export .*a-file: .*a-file is a file, not a directory/],
  [['lab', '--export', A_SITE], /^--export .*a-site \(index\.html\): the file exists and is not a lab page written by diaspora; choose another name$/],
  [['lab', '--export', A_SITE, '--force'], /^--export .*a-site \(index\.html\): the file exists and is not a lab page written by diaspora; --force replaces only what diaspora wrote$/],
  [['gallery', '-o', A_SITE, '--only', 'chandy-lamport-bank'], /^-o .*a-site \(index\.html\): the file exists and is not a gallery page written by diaspora; choose another name$/, 'process'],
  // Red before: the 32 known names, no did-you-mean, cut at 300 characters; and yargs' three lines for a value not among a flag's choices.
  [['gallery', '-o', join(SCRATCH, 'gallery'), '--only', 'beamline-stor'], /^gallery --only: no shipped scenario named "beamline-stor"; did you mean "beamline-store"\?$/],
  // Every unknown name, once each, with its near one if any (red before: only the first was named).
  [['gallery', '-o', join(SCRATCH, 'gallery'), '--only', 'beamline-stor,chandy-lamport-bank,no-such-drill,beamline-stor'], /^gallery --only: no shipped scenarios named "beamline-stor" \(did you mean "beamline-store"\?\), "no-such-drill"; the names are those of scenarios\/\*\.yaml and scenarios\/drills\/\*\.yaml, such as [a-z0-9-]+$/],
  [['gallery', '-o', join(SCRATCH, 'gallery'), '--thumbnails', 'maybe'], /^--thumbnails "maybe": expected one of "auto", "png", "svg" \(see diaspora gallery --help\)$/],
  [['gallery', '-o', join(SCRATCH, 'gallery'), '--only', ','], /^gallery --only ",": names no scenario/],
  [['run', join(ROOT, 'scenarios/drills/log-acks1-leader-crash.yaml'), '--set', 'workload.detector.request.timeout.ms=2s'], /^--set workload\.detector\.request\.timeout\.ms=2s workload\.detector\.request: unknown field "request"; did you mean "request\.timeout\.ms"\? Its dots are part of the name: request\.timeout\.ms: 2s in the file, workload\.detector\["request\.timeout\.ms"\]=2s in --set$/],
  // The advice at a long message's end fits in the line (red before: cut at 300 characters inside Kafka's quoted sentence).
  [['run', join(ROOT, 'scenarios/drills/log-acks1-leader-crash.yaml'), '--set', 'workload.detector["delivery.timeout.ms"]=500ms'], /^--set \S+ workload\.detector\["delivery\.timeout\.ms"\]: delivery\.timeout\.ms \(500ms\) must be at least linger\.ms \+ request\.timeout\.ms \(5ms \+ 1s = 1\.005s\), and Kafka refuses a producer with less at start; raise it, or lower request\.timeout\.ms$/],
  [['run', join(ROOT, 'scenarios/aps-xray.yaml'), '--set', 'pipeline.operators.reconstruct.parallelism=100000000'], /parallelism: at most 100000 instances per operator/],
  [['run', join(ROOT, 'scenarios/aps-xray.yaml'), '--set', 'pipeline.operators.reconstruct.service={mean: 1s, distributon: fixed}'], /reconstruct\.service\.distributon: unknown field "distributon"; did you mean "distribution"\?$/],
  [['run', join(ROOT, 'scenarios/aps-xray.yaml'), '--set', 'pipeline.operators.reconstruct.service={maen: 1s}'], /reconstruct\.service\.maen: unknown field "maen"; did you mean "mean"\?$/],
  [['run', join(ROOT, 'scenarios/drills/forward-field-station.yaml'), '--set', 'forwarders.uplink.from={bufer: {capacity: 1GiB}}'], /forwarders\.uplink\.from\.bufer: unknown field "bufer"; did you mean "buffer"\?$/],
  // --strategies a,b is written as variants; its mistakes are named as typed.
  [['compare', join(ROOT, 'scenarios/aps-xray.yaml'), '--strategies', 'none,streamreplay'], /^--strategies streamreplay: checkpoint\.strategy: unknown value "streamreplay"; did you mean "stream-replay"\?$/],
  [['compare', DEMO, '--variant', 'a:duration=30s', '--variant', 'b:duration=40s', '--baseline', ''], /^--baseline "": no such variant; the variants are a, b$/],
  [['compare', DEMO, '--strategies', 'none,none'], /^--strategies none: the name is given twice$/],
  // Contradictory study options: a seed set where --seeds rules (the cells would be the same runs under other names), values equal after units.
  [['sweep', DEMO, '--param', 'seed=1,2', '--seeds', '1'], /^--param seed: a cell's seed comes from --seeds, not from the scenario; write --seeds 1,2 or --seeds 1\.\.10$/],
  [['compare', DEMO, '--variant', 'a:seed=1', '--variant', 'b:seed=2'], /^--variant a:seed=1: a cell's seed comes from --seeds, not from the scenario/],
  [['sweep', DEMO, '--param', 'quiesce=10s,10000ms'], /^--param quiesce=10s,10000ms: the values 10s and 10000ms are the same$/],
  // Values only the world's build refuses: refused before any cell runs (and nothing written here).
  [['sweep', DEMO, '--param', 'quiesce=1s', '--seeds', '2', '--jobs', '1'], /^--param quiesce=1s: .*beamline-store\.yaml:14 quiesce: 1s is too short for the final read/, 'process'],
];

const TRACES: Case[] = [
  [['check', 'traces/empty.jsonl'], /^traces\/empty\.jsonl: the trace is empty/, 'process'],
  [['check', 'traces/torn.jsonl'], /^traces\/torn\.jsonl:6: the last line is cut short: the trace is torn/],
  [['viz', 'traces/torn.jsonl', '-o', join(SCRATCH, 'torn.html')], /^traces\/torn\.jsonl:6: the last line is cut short/, 'process'],
  [['check', 'traces/corrupt-line.jsonl'], /^traces\/corrupt-line\.jsonl:4: not a JSON trace record$/],
  [['check', 'traces/not-a-record.jsonl'], /^traces\/not-a-record\.jsonl:4: a trace record needs numeric t and n and string k and a; this line is a list, not a record \(\{"t":…,"k":…\}\)$/],
  // The field a record lacks, or has of the wrong type, is named (red before: the four fields listed, whichever was wrong).
  [['check', 'traces/record-no-kind.jsonl'], /^traces\/record-no-kind\.jsonl:4: a trace record needs numeric t and n and string k and a; this one has no k \(its kind\)$/],
  [['viz', 'traces/record-time-text.jsonl', '-o', join(SCRATCH, 'time-text.html')], /^traces\/record-time-text\.jsonl:4: a trace record needs numeric t and n and string k and a; its t is "30", not a number$/],
  [['check', 'traces/format-99.jsonl'], /^traces\/format-99\.jsonl:1: trace format 99; this version of diaspora-sim reads formats 1, 2, 3, 4 and 5$/],
  [['viz', 'traces/format-99.jsonl', '-o', join(SCRATCH, 'f99.html')], /^traces\/format-99\.jsonl:1: trace format 99/],
  [['viz', 'traces/format-missing.jsonl', '-o', join(SCRATCH, 'fm.html')], /^traces\/format-missing\.jsonl:1: the meta header has no trace format \(v\); this version/],
  [['viz', 'traces/no-meta.jsonl', '-o', join(SCRATCH, 'nm.html')], /^traces\/no-meta\.jsonl:1: not a diaspora trace \(it does not start with a meta record\)$/],
  [['check', 'traces/meta-twice.jsonl'], /^traces\/meta-twice\.jsonl:4: a second meta header/],
  [['check', 'traces/meta-bad-sites.jsonl'], /^traces\/meta-bad-sites\.jsonl:1: the meta header lacks sites/],
  [['check', 'traces/time-backwards.jsonl'], /^traces\/time-backwards\.jsonl:4: t=5 goes back in time/],
  [['check', 'traces/time-negative.jsonl'], /^traces\/time-negative\.jsonl:4: t must be a non-negative integer/],
  [['check', 'traces/deep-record.jsonl'], /^traces\/deep-record\.jsonl:4: a record nested more than 32 levels deep/],
  [['viz', 'traces/deep-record.jsonl', '-o', join(SCRATCH, 'deep.html')], /^traces\/deep-record\.jsonl:4: a record nested/],
  [['check', 'traces/binary.jsonl'], /^traces\/binary\.jsonl:1: /],
  // A trace archived compressed, or saved by an editor (red before: "the first line is not JSON", which says neither).
  [['check', 'traces/compressed.jsonl.gz'], /^traces\/compressed\.jsonl\.gz:1: a gzip-compressed file, not a trace; decompress it first \(gunzip\)$/],
  [['viz', 'traces/bom.jsonl', '-o', join(SCRATCH, 'bom.html')], /^traces\/bom\.jsonl:1: the file starts with a byte-order mark \(an editor saved it\); diaspora writes traces without one, so this one was edited$/],
  // A run's summary.json given as its trace (red before: "the first line is not JSON", of a JSON file).
  [['check', 'sweeps/no-format/sweep.json'], /^sweeps\/no-format\/sweep\.json:1: a JSON document over several lines, not a trace \(one JSON record per line\); give a run directory written with --trace, or its trace\.jsonl$/],
  // A slice that is not there, or a file (red before: "no sweep.json here", as of a directory).
  [['merge', 'sweeps/no-such', '--out', join(SCRATCH, 'm8')], /^sweeps\/no-such: no such directory; merge joins directories written by diaspora sweep$/],
  [['merge', 'traces/valid.jsonl', '--out', join(SCRATCH, 'm9')], /^traces\/valid\.jsonl: not a directory; merge joins/],
  [['check', 'traces/no-such.jsonl'], /^traces\/no-such\.jsonl: no such file or directory$/],
  [['check', '/dev/zero'], /^\/dev\/zero: not a regular file/],
  // One run named twice, or as its directory and its trace (red before: drawn twice, exit 0).
  [['viz', 'traces/valid.jsonl', 'traces/valid.jsonl', '-o', join(SCRATCH, 'twice.html')], /^viz: "traces\/valid\.jsonl" is given twice; name each run once$/],
  [['viz', 'traces/valid.jsonl', './traces/valid.jsonl', '-o', join(SCRATCH, 'twice.html')], /^viz: "traces\/valid\.jsonl" and "\.\/traces\/valid\.jsonl" are the same run; name each run once$/],
  [['merge', 'sweeps/no-format', 'sweeps/no-format/', '--out', join(SCRATCH, 'm0')], /^merge: "sweeps\/no-format" and "sweeps\/no-format\/" are the same slice; name each slice once$/],
  // The page's options with --perfetto/--shiviz, which write no page (red before: ignored, exit 0, no page where -o said).
  [['viz', 'traces/valid.jsonl', '--perfetto', join(SCRATCH, 'p.json'), '-o', join(SCRATCH, 'page.html')], /^-o \S+page\.html: is for the HTML page, and with --perfetto viz writes no page; leave it out, or run viz again for the page$/],
  [['viz', 'traces/valid.jsonl', '--shiviz', join(SCRATCH, 's.log'), '--title', 'T'], /^--title T: is for the HTML page, and with --shiviz viz writes no page/],
  [['viz', 'traces/valid.jsonl', '--perfetto', '-o', join(SCRATCH, 'forgot.json')], /^--perfetto: an empty path; give a path to write$/],
  [['check', 'traces/valid.jsonl', '--check', 'no-aked-loss'], /^--check no-aked-loss: unknown check "no-aked-loss"; did you mean "no-acked-loss"\?$/],
  // An empty check name (an unset shell variable, a trailing comma) ran every check, or fewer than meant, silently (red before: exit 0/1, judged).
  [['check', 'traces/valid.jsonl', '--check', ''], /^--check "": an empty check name; give names like --check no-acked-loss,liveness \(without --check: the run's own checks\)$/],
  [['check', 'traces/valid.jsonl', '--check', 'liveness,'], /^--check "liveness,": an empty check name/],
  [['check', 'traces/valid.jsonl', '--check', 'liveness,bogus'], /^--check bogus: unknown check "bogus"; known checks: no-acked-loss, liveness, .*… \(\d+ more\)$/],
  // Sweep slices given to merge: a manifest that is not a map, or has no format; a result line that is null, or of no known status.
  [['merge', 'sweeps/null-manifest', '--out', join(SCRATCH, 'm1')], /^sweeps\/null-manifest\/sweep\.json: not a sweep manifest \(not a JSON object\)$/, 'process'],
  [['merge', 'sweeps/no-format', '--out', join(SCRATCH, 'm2')], /^sweeps\/no-format\/sweep\.json: not a sweep manifest of this version of diaspora-sim \(it has no format; this version reads diaspora-sweep\/1\)$/],
  // A manifest whose spec was emptied (red before: a stack trace from the resume's comparison, exit 3).
  [['merge', 'sweeps/empty-spec', '--out', join(SCRATCH, 'm5')], /^sweeps\/empty-spec\/sweep\.json: a sweep manifest whose spec\.kind is not what a sweep writes \(.+\); the file was edited$/],
  // A manifest whose variants were emptied, its results intact (red before: an internal error with a stack trace, exit 3, writing the report).
  [['merge', 'sweeps/no-variants', '--out', join(SCRATCH, 'm6')], /^sweeps\/no-variants\/sweep\.json: a sweep manifest whose spec\.variants is not what a sweep writes \(.+\); the file was edited$/],
  // A result line whose index was edited (red before: merged, the wrong index written into the whole sweep's results, exit 0).
  [['merge', 'sweeps/index-edited', '--out', join(SCRATCH, 'm7')], /^sweeps\/index-edited\/results\.jsonl:3: cell "base quiesce=20s seed=1" \(index 99\) is not a cell of this sweep; the file was edited$/],
  // A cell count edited: merge copied it into the whole sweep's manifest (red before: merged, exit 0, "cells": 5 of 2).
  [['merge', 'sweeps/cells-edited', '--out', join(SCRATCH, 'm10')], /^sweeps\/cells-edited\/sweep\.json: a sweep manifest whose cells \(5\) are not the 2 its spec makes; the file was edited$/],
  [['merge', 'sweeps/null-line', '--out', join(SCRATCH, 'm3')], /^sweeps\/null-line\/results\.jsonl:1: not a result line \(no cell, index or status\)$/],
  [['merge', 'sweeps/status-unknown', '--out', join(SCRATCH, 'm4')], /^sweeps\/status-unknown\/results\.jsonl:1: not a result line \(status "weird" is not pass, fail or error\)/],
];

/** The corpus folder as seen from the working directory, which a test thread cannot change. */
const HERE = 'test/fixtures/broken/';
/** `args` with the corpus's relative paths (`scenarios/…`, `./traces/…`) named from the working directory. */
const fromRoot = (args: readonly string[]) => args.map((arg) => arg.replace(/^(\.\/)?(?=(scenarios|traces|sweeps)\/)/, `$1${HERE}`));

/**
 * Runs `cases`: those marked `process` as child processes in the corpus folder, a few at a time
 * (the machine is shared), the others meanwhile in this process, one after another (the command
 * writes to this thread's streams, which the harness borrows for each call). A message names a
 * file as given: in this process that is from the working directory, so the corpus folder is
 * taken out of it again before it is judged.
 */
async function runAll(cases: readonly Case[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  const children = cases.flatMap((c, i) => (c[2] === 'process' ? [i] : []));
  const lane = async () => {
    for (let i = children.shift(); i !== undefined; i = children.shift()) outcomes[i] = await diaspora(cases[i]![0], BROKEN);
  };
  const inThisProcess = async () => {
    for (const [i, [args, , how]] of cases.entries()) {
      if (how === 'process') continue;
      const r = await cli(fromRoot(args));
      outcomes[i] = { code: r.code, stdout: r.stdout.replaceAll(HERE, ''), stderr: r.stderr.replaceAll(HERE, '') };
    }
  };
  await Promise.all([lane(), lane(), inThisProcess()]);
  return outcomes;
}

function judge(t: import('ava').ExecutionContext, cases: readonly Case[], outcomes: readonly Outcome[]): void {
  for (const [i, [args, message]] of cases.entries()) {
    const r = outcomes[i]!;
    const name = args.join(' ');
    t.is(r.code, 2, `${name}: ${r.stderr}`);
    t.notRegex(r.stderr, /\n\s+at |internal error|node:internal|Warning:/, name);
    // A syntax error's echoes are counted, not shown: "and N more problems (--all-errors lists them)".
    const lines = r.stderr.trimEnd().split('\n').filter((line) => !/^and \d+ more problems? \(--all-errors lists them\)$/.test(line));
    t.is(lines.length, 1, `${name}: ${r.stderr}`);
    t.regex(lines[0]!, message, name);
    t.notRegex(r.stdout, /PASS|FAIL/, `${name} judged a broken input`);
  }
}

for (const [kind, cases] of [['scenario files', SCENARIOS], ['command lines', FLAGS], ['traces', TRACES]] as const) {
  test(`broken ${kind}: one located line, exit 2, no stack`, async (t) => judge(t, cases, await runAll(cases)));
}

test('the valid trace of the corpus is judged: the broken ones differ from it only by their damage', async (t) => {
  const r = await diaspora(['check', 'traces/valid.jsonl', '--check', 'liveness'], BROKEN);
  t.true(r.code === 0 || r.code === 1, r.stderr);
  t.is(r.stderr, '');
  // Several checks as `--strategies` and `--metrics` take several values: a,b.
  const two = await diaspora(['check', 'traces/valid.jsonl', '--check', 'liveness, duplicate'], BROKEN);
  t.is(two.stderr, '');
  t.deepEqual(two.stdout.split('\n').filter((line) => /^(PASS|FAIL|VACUOUS)/.test(line)).map((line) => line.split(' ')[1]), ['liveness', 'duplicate']);
});

// Red before: an empty results/no-link/ stayed (the staging folder's parent, made for it).
test('a run refused while its world is built leaves no empty results folder behind', async (t) => {
  const cwd = join(SCRATCH, 'refused-run');
  mkdirSync(cwd);
  const r = await diaspora(['run', join(BROKEN, 'scenarios/no-link.yaml')], cwd);
  t.is(r.code, 2, r.stderr);
  t.deepEqual(readdirSync(cwd), []);
});

const SWEEP = ['sweep', DEMO, '--param', 'quiesce=10s,20s', '--seeds', '40', '--jobs', '1', '--quiet'];
const CELLS = 80;
const lines = (dir: string) => (existsSync(join(dir, 'results.jsonl')) ? readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter(Boolean) : []);
/** Stops the sweep it is preloaded into (SIGSTOP to itself) right after its first result line: see the file. */
const STOP_AT_FIRST_LINE = { hook: fileURLToPath(new URL('../exec/_kill-at-record.mjs', import.meta.url)), env: { KILL_AT_RECORD: '1', KILL_SIGNAL: 'SIGSTOP' } };
const tick = () => new Promise((r) => setTimeout(r, 10));

// The first writer stops itself right after its first result line, so it holds the lock while the
// second tries however fast or loaded the machine is: before, the test polled for the lock and
// stopped the writer from outside, and a writer that finished (or never locked) between two polls
// at load 50 failed the test as "the second writer was not refused".
test('a sweep killed with SIGKILL leaves a lock and finished lines; a second writer is refused while it runs; the resume redoes and corrupts nothing', async (t) => {
  const out = join(SCRATCH, 'killed-sweep');
  const child = spawn(process.execPath, ['--import', STOP_AT_FIRST_LINE.hook, BIN, ...SWEEP, '--out', out], {
    cwd: ROOT,
    stdio: 'ignore',
    env: { ...process.env, ...STOP_AT_FIRST_LINE.env },
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(() => child.kill('SIGKILL'));
  // No deadline of our own (a loaded machine may take minutes to start): ava's timeout bounds the wait.
  const running = () => child.exitCode === null && child.signalCode === null;
  while (lines(out).length === 0 && running()) await tick();
  t.true(running(), `the first writer stopped at its first line (it ended instead: ${child.exitCode ?? child.signalCode})`);
  t.is(lines(out).length, 1, 'stopped at its first line');
  const second = await diaspora([...SWEEP, '--out', out]);
  t.is(second.code, 2, second.stderr);
  t.regex(second.stderr, /another diaspora sweep \(process \d+ since .*\) is writing this directory/);
  // Then killed part-way: after its first finished cell, with the others still to run.
  child.kill('SIGKILL');
  await exited;
  const before = lines(out);
  t.is(before.length, 1, 'killed part-way, after its first cell');
  t.true(existsSync(join(out, 'sweep.lock')), 'the killed writer leaves its lock');
  const resumed = await diaspora([...SWEEP, '--out', out]);
  t.is(resumed.code, 0, resumed.stderr);
  const after = lines(out);
  t.deepEqual(after.slice(0, before.length), before, 'finished lines are kept byte for byte');
  const cells = after.map((line) => (JSON.parse(line) as { cell: string }).cell);
  t.is(cells.length, CELLS, 'every cell once');
  t.is(new Set(cells).size, CELLS, 'no cell twice');
  t.false(existsSync(join(out, 'sweep.lock')), 'the lock is released');
});
