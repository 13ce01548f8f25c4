/**
 * How the files the exports write begin: what `--perfetto` and `--shiviz` check to tell their own
 * earlier output from a user's file before replacing it (cli/output-options.ts). Kept apart from
 * the exporters so that every command that writes can check a target without loading them (and
 * the trace reader behind them).
 *
 * Guarantee: the exporters write exactly these heads (they import them from here).
 */

/** ShiViz's parser for the ShiViz log's layout (its default), with the multi-line flag ShiViz applies. */
export const SHIVIZ_REGEX = '(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})';

/** How every ShiViz log begins: the parser line, then the (empty) delimiter line. */
export const SHIVIZ_HEAD = `${SHIVIZ_REGEX}\n\n`;

/**
 * How every Perfetto trace begins; `otherData` is the trace-event format's place for metadata,
 * and the generator in it lets `--perfetto` tell its own earlier output from a user's file.
 */
export const PERFETTO_HEAD = '{"displayTimeUnit":"ms","otherData":{"generator":"diaspora-sim"},';
