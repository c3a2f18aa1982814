import os from 'node:os';

/**
 * This worker's host name, read once: every attempt's outcome names its host, and each read is
 * a system call (with one key per fan-out batch, one per partition). A renamed host shows
 * after the worker's restart.
 */
export const THIS_HOST = os.hostname();
