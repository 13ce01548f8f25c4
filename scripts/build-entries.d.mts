// Types of build-entries.mjs for the tests that read its list of bundle entries (test/cli/bundle.test.ts).
/** Source paths of the modules bundled as entries of their own (dist/<path>.js). */
export declare const ENTRIES: readonly string[];
/** Packages left outside the bundle. */
export declare const EXTERNAL: readonly string[];
