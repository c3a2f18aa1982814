/**
 * How deep the stacks of workflow code are recorded. The SDK's promise hook records a stack
 * trace for every promise workflow code makes (for the Web UI's "Stack Trace" tab and the
 * `__stack_trace` query), each frame mapped through the bundle's source map: with V8's default
 * of 10 frames this was about a third of a millisecond per promise on a 2-core machine, the
 * largest single cost of a workflow task (README, "Benchmark: overhead per jobnet step").
 *
 * One or two of the frames are the hook's own, so 6 keeps the four or five innermost frames of
 * workflow code: where a run waits and the jobnet code that waits there. What a run waits for in full is on
 * its board (current details) and in `npx jobnet status`. Stack strings are never compared on
 * replay, so the depth can change without a workflow change.
 *
 * Loaded by the bundle before any workflow runs (bundleWorkflows' preloadModules): the worker
 * freezes the built-ins of its workflow context after that, so workflow code cannot set it.
 */
export const WORKFLOW_STACK_FRAMES = 6;

Error.stackTraceLimit = WORKFLOW_STACK_FRAMES;
