// Types of build.mjs for the tests that read its list of bundle entries (test/cli/bundle.test.ts).
/** Source paths of the modules bundled as entries of their own (dist/<path>.js). */
export declare const ENTRIES: readonly string[];
