/** What the worker and its reaper (reaper-main.ts) say to each other over their IPC channel. */

export type LauncherRequest =
  { t: 'launch'; id: number; argv: string[]; cwd?: string | undefined; env: NodeJS.ProcessEnv } | { t: 'untrack'; pgid: number } | { t: 'abandon'; id: number };

export type LauncherReply =
  | { t: 'spawned'; id: number; pid: number | undefined }
  | { t: 'out'; id: number; data: Uint8Array }
  | { t: 'err'; id: number; data: Uint8Array }
  | { t: 'error'; id: number; message: string; code?: string | undefined }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { t: 'close'; id: number };
